/**
 * VRRP advertisement codec: RFC 3768 (v2, IPv4) and RFC 5798/9568 (v3, IPv4 and IPv6). Pure code.
 *
 * Decoding is total: any bytes give an advert or a typed drop (`{ ok: false, reason, detail }`),
 * never an exception. It checks what needs no local configuration (IP header, protocol, version,
 * type, exact length, checksum); the checks against the instance live in validate.ts.
 *
 * Checksums (protocols.md §1.3): v3/IPv4 is sent with keepalived 2.2.7's IPv4 pseudo-header
 * (real destination, so the peer for unicast) unless `v3ChecksumAsV2` (RFC 9568). On receive
 * every form is accepted and reported in `checksumForm`, the configured one tried first.
 * Encoding throws RangeError on out-of-range fields: its input is validated configuration.
 */
import { finish, ipv4PseudoSum, ipv6PseudoSum, sum16 } from './checksum.js';
import {
  ETHERTYPE_IPV4,
  ETHERTYPE_IPV6,
  IPPROTO_VRRP,
  ethernetFrame,
  ipBytes,
  ipv4HeaderValid,
  ipv4Packet,
  ipv6Packet,
  macBytes,
  multicastMac,
  parseEthernet,
} from './frame.js';
import { formatIp, formatMac } from './ip-addr.js';
import type {
  ChecksumForm,
  DecodeResult,
  DropReason,
  IpFamily,
  IpInfo,
  VrrpAdvert,
  VrrpAdvertFields,
  VrrpDrop,
} from './types.js';

export {
  countDrop,
  newChecksumFormCounters,
  newDropCounters,
  passAuthData,
  validateAdvert,
} from './validate.js';

export const VRRP_AUTH_LEN = 8;
const MCAST_V4_BYTES = Uint8Array.of(224, 0, 0, 18);

export interface ChecksumOptions {
  /** keepalived `v3_checksum_as_v2`: v3/IPv4 without the pseudo-header (RFC 9568). */
  v3ChecksumAsV2?: boolean;
  /** keepalived `old_unicast_checksum`: pseudo-header destination 224.0.0.18 even for unicast. */
  oldUnicastChecksum?: boolean;
}

function drop(reason: DropReason, detail: string): VrrpDrop {
  return { ok: false, reason, detail };
}

const hex16 = (v: number): string => `0x${v.toString(16).padStart(4, '0')}`;

/** Length of a VRRP message with `count` addresses. */
export function vrrpLength(version: number, family: IpFamily, count: number): number {
  return 8 + count * (family === 4 ? 4 : 16) + (version === 2 ? VRRP_AUTH_LEN : 0);
}

function isMulticast(ip: Uint8Array, family: IpFamily): boolean {
  return family === 4 ? (ip[0] & 0xf0) === 0xe0 : ip[0] === 0xff;
}

/** The pseudo-header sum a checksum form adds (0 for the v2 style). */
function formSum(
  form: ChecksumForm,
  family: IpFamily,
  src: Uint8Array,
  dst: Uint8Array,
  len: number,
): number {
  if (form === 'v2-style') return 0;
  if (family === 6) return ipv6PseudoSum(src, dst, IPPROTO_VRRP, len);
  return ipv4PseudoSum(src, form === 'pseudo-header' ? dst : MCAST_V4_BYTES, IPPROTO_VRRP, len);
}

/** Checksum of `msg` under `form`, skipping the checksum field (bytes 6–7). */
function computeChecksum(
  msg: Uint8Array,
  form: ChecksumForm,
  family: IpFamily,
  src: Uint8Array,
  dst: Uint8Array,
): number {
  const s = formSum(form, family, src, dst, msg.length);
  return finish(sum16(msg, 8, msg.length, sum16(msg, 0, 6, s)));
}

/** The form we send, and the one a receiver tries first: `v3ChecksumAsV2` wins. */
function preferredForm(
  version: number,
  family: IpFamily,
  dst: Uint8Array,
  o: ChecksumOptions,
): ChecksumForm {
  if (version === 2 || (family === 4 && o.v3ChecksumAsV2)) return 'v2-style';
  // The old unicast form only differs from the normal one for a unicast destination.
  if (family === 4 && o.oldUnicastChecksum && !isMulticast(dst, 4)) {
    return 'pseudo-header-mcast-dst';
  }
  return 'pseudo-header';
}

/** The forms a received packet may use, the configured one first. */
function candidateForms(
  version: number,
  family: IpFamily,
  dst: Uint8Array,
  o: ChecksumOptions,
): ChecksumForm[] {
  const first = preferredForm(version, family, dst, o);
  if (version === 2 || family === 6) return [first];
  const all: ChecksumForm[] = ['pseudo-header', 'v2-style'];
  if (!isMulticast(dst, 4)) all.push('pseudo-header-mcast-dst');
  return [first, ...all.filter((f) => f !== first)];
}

/** Decodes a VRRP message whose IP layer is already known. */
function decodeMessage(
  msg: Uint8Array,
  family: IpFamily,
  src: Uint8Array,
  dst: Uint8Array,
  ip: IpInfo,
  o: ChecksumOptions,
): DecodeResult {
  if (msg.length < 8) return drop('length', `vrrp length ${msg.length}, shorter than 8`);
  const version = msg[0] >> 4;
  const type = msg[0] & 0x0f;
  if (version !== 2 && version !== 3) return drop('version', `version=${version}`);
  if (version === 2 && family === 6) return drop('version', 'version=2 over IPv6');
  if (type !== 1) return drop('type', `type=${type}, expected 1 (advertisement)`);
  const count = msg[3];
  const want = vrrpLength(version, family, count);
  if (msg.length !== want) {
    return drop(
      'length',
      `vrrp length ${msg.length} too ${msg.length > want ? 'long' : 'short'}, expected ${want} for count=${count}`,
    );
  }
  const wire = (msg[6] << 8) | msg[7];
  const forms = candidateForms(version, family, dst, o);
  const form = forms.find((f) => computeChecksum(msg, f, family, src, dst) === wire);
  if (!form) {
    const expected = computeChecksum(msg, forms[0], family, src, dst);
    return drop('checksum', `checksum=${hex16(wire)}, expected ${hex16(expected)} (${forms[0]})`);
  }
  const alen = family === 4 ? 4 : 16;
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) addresses.push(formatIp(msg, family, 8 + i * alen));
  const v2 = version === 2;
  const end = 8 + count * alen;
  const advert: VrrpAdvert = {
    version,
    type,
    vrid: msg[1],
    priority: msg[2],
    count,
    family,
    addresses,
    intervalCs: v2 ? msg[5] * 100 : ((msg[4] & 0x0f) << 8) | msg[5],
    authType: v2 ? msg[4] : 0,
    authData: v2 ? msg.slice(end, end + VRRP_AUTH_LEN) : new Uint8Array(0),
    reserved: v2 ? 0 : msg[4] >> 4,
    checksum: wire,
    checksumForm: form,
    ip,
  };
  return { ok: true, advert };
}

/**
 * Decodes what an IPv4 raw socket returns: the whole IP packet, header included.
 * Only the bytes read should be passed (keepalived compares lengths exactly).
 */
export function decodeIpv4(pkt: Uint8Array, o: ChecksumOptions = {}): DecodeResult {
  if (pkt.length < 20) return drop('ip-header', `ipv4 length ${pkt.length}, shorter than 20`);
  if (pkt[0] >> 4 !== 4) return drop('ip-header', `ip version=${pkt[0] >> 4}, expected 4`);
  const ihl = (pkt[0] & 0x0f) * 4;
  if (ihl < 20 || ihl > pkt.length) return drop('ip-header', `ihl=${ihl} bytes`);
  if (!ipv4HeaderValid(pkt, ihl)) return drop('ip-header', 'ipv4 header checksum');
  const protocol = pkt[9];
  if (protocol !== IPPROTO_VRRP) {
    const what = protocol === 51 ? ' (IPsec AH is not supported)' : '';
    return drop('protocol', `protocol=${protocol}, expected 112${what}`);
  }
  const total = (pkt[2] << 8) | pkt[3];
  if (total !== pkt.length) {
    return drop('length', `ip total length=${total}, received ${pkt.length}`);
  }
  const src = pkt.subarray(12, 16);
  const dst = pkt.subarray(16, 20);
  const ip: IpInfo = {
    family: 4,
    src: formatIp(src, 4),
    dst: formatIp(dst, 4),
    ttl: pkt[8],
    protocol,
    headerLength: ihl,
    multicast: isMulticast(dst, 4),
  };
  return decodeMessage(pkt.subarray(ihl), 4, src, dst, ip, o);
}

export interface Ipv6Meta {
  /** Source from recvmsg's address, destination from IPV6_PKTINFO. */
  src: string;
  dst: string;
  /** From IPV6_HOPLIMIT; null when the ancillary data was missing. */
  hopLimit: number | null;
}

/** Decodes what an IPv6 raw socket returns: the VRRP payload; the IP layer comes from `meta`. */
export function decodeIpv6(
  payload: Uint8Array,
  meta: Ipv6Meta,
  o: ChecksumOptions = {},
): DecodeResult {
  const src = ipBytesOrNull(meta.src);
  const dst = ipBytesOrNull(meta.dst);
  if (!src || !dst) return drop('ip-header', `ipv6 addresses src=${meta.src} dst=${meta.dst}`);
  const ip: IpInfo = {
    family: 6,
    src: formatIp(src, 6),
    dst: formatIp(dst, 6),
    ttl: meta.hopLimit,
    protocol: IPPROTO_VRRP,
    headerLength: 0,
    multicast: isMulticast(dst, 6),
  };
  return decodeMessage(payload, 6, src, dst, ip, o);
}

function ipBytesOrNull(s: string): Uint8Array | null {
  try {
    return ipBytes(s, 6);
  } catch {
    return null;
  }
}

export interface EthInfo {
  src: string;
  dst: string;
  vlan: number | null;
}

export type FrameDecodeResult = { ok: true; advert: VrrpAdvert; eth: EthInfo } | VrrpDrop;

/**
 * Decodes a whole Ethernet frame (pcap, packet socket). Ethernet padding after the IP packet is
 * trimmed; IPv6 extension headers are not walked (keepalived sends none).
 */
export function decodeFrame(frame: Uint8Array, o: ChecksumOptions = {}): FrameDecodeResult {
  const eh = parseEthernet(frame);
  if (!eh) return drop('frame', `frame length ${frame.length}`);
  const eth: EthInfo = { src: formatMac(eh.src), dst: formatMac(eh.dst), vlan: eh.vlan };
  const p = eh.payload;
  let r: DecodeResult;
  if (eh.ethertype === ETHERTYPE_IPV4) {
    if (p.length < 4) return drop('ip-header', `ipv4 length ${p.length}`);
    const total = (p[2] << 8) | p[3];
    r = decodeIpv4(total >= 20 && total <= p.length ? p.subarray(0, total) : p, o);
  } else if (eh.ethertype === ETHERTYPE_IPV6) {
    if (p.length < 40 || p[0] >> 4 !== 6) return drop('ip-header', `ipv6 header`);
    const plen = (p[4] << 8) | p[5];
    if (40 + plen > p.length) return drop('ip-header', `ipv6 payload length=${plen}`);
    if (p[6] !== IPPROTO_VRRP) return drop('protocol', `next header=${p[6]}, expected 112`);
    const meta = { src: formatIp(p, 6, 8), dst: formatIp(p, 6, 24), hopLimit: p[7] };
    r = decodeIpv6(p.subarray(40, 40 + plen), meta, o);
  } else {
    return drop('frame', `ethertype=0x${eh.ethertype.toString(16).padStart(4, '0')}`);
  }
  return r.ok ? { ok: true, advert: r.advert, eth } : r;
}

export interface AdvertAddressing {
  family: IpFamily;
  src: string;
  /** 224.0.0.18 / ff02::12, or the unicast peer (it enters the v3 pseudo-header). */
  dst: string;
}

function need(ok: boolean, what: string): void {
  if (!ok) throw new RangeError(`VRRP advert: ${what}`);
}

/** Builds the VRRP message (no IP header), checksum included. */
export function encodeAdvert(
  f: VrrpAdvertFields,
  at: AdvertAddressing,
  o: ChecksumOptions = {},
): Uint8Array {
  const fam = at.family;
  need(f.version === 2 || f.version === 3, `version=${f.version}`);
  need(!(f.version === 2 && fam === 6), 'VRRPv2 is IPv4 only');
  need(Number.isInteger(f.vrid) && f.vrid >= 0 && f.vrid <= 255, `vrid=${f.vrid}`);
  need(Number.isInteger(f.priority) && f.priority >= 0 && f.priority <= 255, 'priority');
  need(f.addresses.length <= 255, 'more than 255 addresses');
  const msg = new Uint8Array(vrrpLength(f.version, fam, f.addresses.length));
  msg[0] = (f.version << 4) | ((f.type ?? 1) & 0x0f);
  msg[1] = f.vrid;
  msg[2] = f.priority;
  msg[3] = f.addresses.length;
  if (f.version === 2) {
    const s = f.intervalCs / 100;
    need(Number.isInteger(s) && s >= 0 && s <= 255, `v2 interval ${f.intervalCs} cs`);
    msg[4] = f.authType ?? 0;
    msg[5] = s;
  } else {
    const cs = f.intervalCs;
    need(Number.isInteger(cs) && cs >= 0 && cs <= 0xfff, `v3 interval ${cs} cs`);
    msg[4] = (((f.reserved ?? 0) & 0x0f) << 4) | (cs >> 8);
    msg[5] = cs & 0xff;
  }
  const alen = fam === 4 ? 4 : 16;
  f.addresses.forEach((a, i) => msg.set(ipBytes(a, fam), 8 + i * alen));
  if (f.version === 2 && f.authData) {
    need(f.authData.length <= VRRP_AUTH_LEN, 'auth data longer than 8 bytes');
    msg.set(f.authData, 8 + f.addresses.length * 4);
  }
  const src = ipBytes(at.src, fam);
  const dst = ipBytes(at.dst, fam);
  const c = computeChecksum(msg, preferredForm(f.version, fam, dst, o), fam, src, dst);
  msg[6] = c >> 8;
  msg[7] = c & 0xff;
  return msg;
}

export interface Ipv4SendOptions {
  ttl?: number;
  tos?: number;
  id?: number;
  dontFragment?: boolean;
}

/** The whole IPv4 packet (for an IP_HDRINCL raw socket), as keepalived builds it. */
export function encodeIpv4Advert(
  f: VrrpAdvertFields,
  at: { src: string; dst: string },
  o: ChecksumOptions & Ipv4SendOptions = {},
): Uint8Array {
  const msg = encodeAdvert(f, { family: 4, ...at }, o);
  return ipv4Packet(msg, { ...o, src: at.src, dst: at.dst, protocol: IPPROTO_VRRP });
}

export interface FrameSendOptions extends ChecksumOptions, Ipv4SendOptions {
  srcMac: string;
  /** Defaults to the multicast MAC of `dst`; give the peer's MAC for unicast. */
  dstMac?: string;
  /** IPv6 only. */
  trafficClass?: number;
  flowLabel?: number;
}

/** A whole Ethernet frame carrying an advert (packet sockets, tests). */
export function encodeAdvertFrame(
  f: VrrpAdvertFields,
  at: AdvertAddressing,
  o: FrameSendOptions,
): Uint8Array {
  const dstIp = ipBytes(at.dst, at.family);
  const dstMac = o.dstMac ? macBytes(o.dstMac) : multicastMac(dstIp, at.family);
  if (at.family === 4) {
    const ip = encodeIpv4Advert(f, at, o);
    return ethernetFrame(dstMac, macBytes(o.srcMac), ETHERTYPE_IPV4, ip);
  }
  const msg = encodeAdvert(f, at, o);
  const ip = ipv6Packet(msg, {
    src: at.src,
    dst: at.dst,
    nextHeader: IPPROTO_VRRP,
    hopLimit: o.ttl ?? 255,
    trafficClass: o.trafficClass ?? 0xc0,
    flowLabel: o.flowLabel ?? 0,
  });
  return ethernetFrame(dstMac, macBytes(o.srcMac), ETHERTYPE_IPV6, ip);
}

export { VRRP_MCAST_V4, VRRP_MCAST_V6 } from './frame.js';
