/**
 * RTM_*ADDR payloads, pure: decode ifaddrmsg + IFA_* into AddressInfo; encode add/delete
 * requests the way `ip addr` does (IFA_LOCAL and IFA_ADDRESS both set to the address, flags in
 * IFA_FLAGS as well as the 8-bit header field).
 */
import { AF_INET, AF_INET6, IFA, IFA_F, RT_SCOPE, type AddressFlag } from './constants.js';
import { checkPrefix, formatIp, ipBytes, type Family } from './ip.js';
import {
  attrBytes,
  attrMap,
  attrStr,
  attrU32,
  decodeIfAddr,
  encodeIfAddr,
  IFADDRMSG_LEN,
  str,
  u32,
} from './messages.js';
import type { AddressInfo, AddressSpec } from './types.js';

export const familyOf = (af: number): Family | undefined =>
  af === AF_INET ? 4 : af === AF_INET6 ? 6 : undefined;
export const afOf = (f: Family): number => (f === 4 ? AF_INET : AF_INET6);

export function flagNames(bits: number): AddressFlag[] {
  return (Object.keys(IFA_F) as AddressFlag[]).filter((k) => (bits & IFA_F[k]) !== 0);
}

/** Returns null for families other than IPv4/IPv6 (e.g. a DECnet or MPLS record). */
export function decodeAddress(payload: Buffer): AddressInfo | null {
  const h = decodeIfAddr(payload);
  const family = familyOf(h.family);
  if (!family) return null;
  const a = attrMap(payload.subarray(IFADDRMSG_LEN));
  const local = a.get(IFA.LOCAL);
  const addr = a.get(IFA.ADDRESS);
  // IPv4 puts the local address in IFA_LOCAL and the peer (or the same) in IFA_ADDRESS.
  const mine = local ?? addr;
  if (!mine) return null;
  const info: AddressInfo = {
    family,
    ifindex: h.index,
    address: formatIp(mine),
    prefixLength: h.prefixLength,
    scope: h.scope,
    flags: flagNames(u32(a.get(IFA.FLAGS)) ?? h.flags),
  };
  if (local && addr && !local.equals(addr)) info.peer = formatIp(addr);
  const label = str(a.get(IFA.LABEL));
  if (label) info.label = label;
  const brd = a.get(IFA.BROADCAST);
  if (brd) info.broadcast = formatIp(brd);
  return info;
}

const REQUEST_FLAGS = {
  nodad: IFA_F.nodad,
  noprefixroute: IFA_F.noprefixroute,
  home: IFA_F.home,
  mngtmpaddr: IFA_F.managetempaddr,
  autojoin: IFA_F.mcautojoin,
};
const INFINITY_LIFE_TIME = 0xffffffff;

/** Payload for RTM_NEWADDR / RTM_DELADDR. */
export function encodeAddress(spec: AddressSpec, forDelete = false): Buffer {
  const ip = ipBytes(spec.address, spec.family);
  checkPrefix(spec.prefixLength, ip.family);
  let flags = 0;
  for (const f of spec.flags ?? []) {
    if (!(f in REQUEST_FLAGS))
      throw Object.assign(new TypeError(`unknown address flag ${f}`), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
    flags |= REQUEST_FLAGS[f];
  }
  const scope = typeof spec.scope === 'string' ? RT_SCOPE[spec.scope] : (spec.scope ?? 0);
  const head = encodeIfAddr({
    family: afOf(ip.family),
    prefixLength: spec.prefixLength,
    flags,
    scope,
    index: spec.ifindex,
  });
  const peer = spec.peer !== undefined ? ipBytes(spec.peer, ip.family).bytes : ip.bytes;
  const attrs = [attrBytes(IFA.LOCAL, ip.bytes), attrBytes(IFA.ADDRESS, peer)];
  if (!forDelete) {
    if (spec.preferredLft !== undefined && ip.family === 6) {
      // struct ifa_cacheinfo: preferred, valid, cstamp, tstamp.
      const ci = Buffer.alloc(16);
      ci.writeUInt32LE(spec.preferredLft >>> 0, 0);
      ci.writeUInt32LE(INFINITY_LIFE_TIME, 4);
      attrs.push(attrBytes(IFA.CACHEINFO, ci));
    }
    if (flags !== 0) attrs.push(attrU32(IFA.FLAGS, flags));
    if (spec.broadcast !== undefined)
      attrs.push(attrBytes(IFA.BROADCAST, ipBytes(spec.broadcast, 4).bytes));
    if (spec.label !== undefined) attrs.push(attrStr(IFA.LABEL, spec.label));
  } else if (spec.label !== undefined) {
    // The kernel matches the label on IPv4 deletes when one is given.
    attrs.push(attrStr(IFA.LABEL, spec.label));
  }
  return Buffer.concat([head, ...attrs]);
}

/** "192.0.2.100/24 dev eth0" for error messages. */
export function describeAddress(spec: AddressSpec, ifname: string): string {
  return `${spec.address}/${spec.prefixLength} dev ${ifname}`;
}
