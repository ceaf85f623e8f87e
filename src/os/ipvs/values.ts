/**
 * Value conversions for the IPVS codec, pure: address families, addresses in the 16-byte
 * union nf_inet_addr, protocols, forwarding methods, flags, persistence netmasks, and the
 * ipvsadm-style names used in error messages. Bad inputs throw StayaliveError
 * SA_ERR_CONFIG_BAD_VALUE; bad kernel bytes throw SA_ERR_PACKET_MALFORMED.
 */
import { ErrorCodes, StayaliveError } from '../../core/errors.js';
import { AF_INET, AF_INET6, formatIp, malformed, parseIp } from '../netlink/index.js';
import { IP_VS_CONN_F, IP_VS_SVC_F, IPPROTO } from './constants.js';
import type { Family, ForwardMethod, Protocol, ServiceFlag, ServiceKey } from './types.js';

export function badValue(what: string): StayaliveError {
  return new StayaliveError(ErrorCodes.CONFIG_BAD_VALUE, `ipvs: ${what}`);
}

export const afOf = (f: Family): number => (f === 4 ? AF_INET : AF_INET6);

export function familyOfAf(af: number | undefined): Family {
  if (af === AF_INET) return 4;
  if (af === AF_INET6) return 6;
  throw malformed(`ipvs: address family ${af ?? 'missing'}`);
}

/** The 16-byte union nf_inet_addr the kernel copies (IPv4 in the first 4 bytes). */
export function encodeInetAddr(address: string, family: Family): Buffer {
  const ip = parseIp(address);
  if (!ip) throw badValue(`${JSON.stringify(address)} is not an IP address`);
  if (ip.family !== family) throw badValue(`${address} is not an IPv${family} address`);
  const out = Buffer.alloc(16);
  Buffer.from(ip.bytes).copy(out);
  return out;
}

export function decodeInetAddr(data: Buffer | undefined, family: Family): string {
  const n = family === 4 ? 4 : 16;
  if (!data || data.length < n) throw malformed(`ipvs: address of ${data?.length ?? 0} bytes`);
  return formatIp(data.subarray(0, n));
}

/** The family of an address literal. */
export function familyOfAddress(address: string): Family {
  const ip = parseIp(address);
  if (!ip) throw badValue(`${JSON.stringify(address)} is not an IP address`);
  return ip.family;
}

export function protocolNumber(p: Protocol): number {
  return IPPROTO[p];
}

export function protocolName(n: number | undefined): Protocol {
  if (n === IPPROTO.TCP) return 'TCP';
  if (n === IPPROTO.UDP) return 'UDP';
  if (n === IPPROTO.SCTP) return 'SCTP';
  throw malformed(`ipvs: protocol ${n ?? 'missing'}`);
}

const FWD: Record<ForwardMethod, number> = {
  NAT: IP_VS_CONN_F.MASQ,
  LOCAL: IP_VS_CONN_F.LOCALNODE,
  TUN: IP_VS_CONN_F.TUNNEL,
  DR: IP_VS_CONN_F.DROUTE,
};

export const forwardNumber = (m: ForwardMethod): number => FWD[m];

export function forwardName(n: number | undefined): ForwardMethod {
  const v = (n ?? -1) & IP_VS_CONN_F.FWD_MASK;
  const hit = (Object.keys(FWD) as ForwardMethod[]).find((k) => FWD[k] === v);
  if (n === undefined || !hit) throw malformed(`ipvs: forwarding method ${n ?? 'missing'}`);
  return hit;
}

const FLAG_BITS: Record<ServiceFlag, number> = {
  persistent: IP_VS_SVC_F.PERSISTENT,
  ops: IP_VS_SVC_F.ONEPACKET,
  'flag-1': IP_VS_SVC_F.SCHED1,
  'flag-2': IP_VS_SVC_F.SCHED2,
  'flag-3': IP_VS_SVC_F.SCHED3,
  'sh-fallback': IP_VS_SVC_F.SCHED_SH_FALLBACK,
  'sh-port': IP_VS_SVC_F.SCHED_SH_PORT,
  'mh-fallback': IP_VS_SVC_F.SCHED_MH_FALLBACK,
  'mh-port': IP_VS_SVC_F.SCHED_MH_PORT,
};

export function flagBits(flags: readonly ServiceFlag[], persistent: boolean): number {
  let bits = persistent ? IP_VS_SVC_F.PERSISTENT : 0;
  for (const f of flags) {
    const b = FLAG_BITS[f];
    if (b === undefined) throw badValue(`unknown service flag ${JSON.stringify(f)}`);
    bits |= b;
  }
  return bits >>> 0;
}

/** Flag names for display; SCHED1/2 take the scheduler's meaning (sh-*, mh-*) when it has one. */
export function flagNames(bits: number, scheduler: string): ServiceFlag[] {
  const out: ServiceFlag[] = [];
  if (bits & IP_VS_SVC_F.PERSISTENT) out.push('persistent');
  if (bits & IP_VS_SVC_F.ONEPACKET) out.push('ops');
  const s = scheduler === 'sh' || scheduler === 'mh' ? scheduler : null;
  if (bits & IP_VS_SVC_F.SCHED1) out.push(s ? `${s}-fallback` : 'flag-1');
  if (bits & IP_VS_SVC_F.SCHED2) out.push(s ? `${s}-port` : 'flag-2');
  if (bits & IP_VS_SVC_F.SCHED3) out.push('flag-3');
  return out;
}

/**
 * IPVS_SVC_ATTR_NETMASK bytes. The kernel reads it as a raw __be32: for IPv4 the mask in network
 * order, for IPv6 the prefix length as a host-order u32 (ip_vs_add_service checks 1–128).
 */
export function encodeNetmask(netmask: number | string | undefined, family: Family): Buffer {
  const b = Buffer.alloc(4);
  if (family === 6) {
    const plen = netmask ?? 128;
    if (typeof plen !== 'number' || !Number.isInteger(plen) || plen < 1 || plen > 128) {
      throw badValue(`IPv6 persistence netmask must be a prefix length 1–128, got ${plen}`);
    }
    b.writeUInt32LE(plen);
    return b;
  }
  if (typeof netmask === 'string') {
    const ip = parseIp(netmask);
    if (!ip || ip.family !== 4) throw badValue(`${JSON.stringify(netmask)} is not an IPv4 mask`);
    return Buffer.from(ip.bytes);
  }
  const plen = netmask ?? 32;
  if (!Number.isInteger(plen) || plen < 0 || plen > 32) {
    throw badValue(`IPv4 persistence netmask must be a prefix length 0–32, got ${plen}`);
  }
  b.writeUInt32BE(plen === 0 ? 0 : (0xffffffff << (32 - plen)) >>> 0);
  return b;
}

export function decodeNetmask(data: Buffer | undefined, family: Family): number | string {
  if (!data || data.length < 4) throw malformed('ipvs: netmask missing');
  if (family === 6) return data.readUInt32LE(0);
  const m = data.readUInt32BE(0);
  const ones = Math.clz32(~m >>> 0); // leading one bits
  const contiguous = ones === 32 || (m << ones) >>> 0 === 0;
  return contiguous ? ones : formatIp(data.subarray(0, 4));
}

/** ipvsadm's names: "TCP 192.0.2.10:80", "UDP [2001:db8::1]:53", "FWM 7 (IPv6)". */
export function describeService(k: ServiceKey): string {
  if ('fwmark' in k) return `FWM ${k.fwmark}${k.family === 6 ? ' (IPv6)' : ''}`;
  return `${k.protocol} ${hostPort(k.address, k.port, k.family)}`;
}

export function hostPort(address: string, port: number, family: Family): string {
  return family === 6 ? `[${address}]:${port}` : `${address}:${port}`;
}

export function checkUint(what: string, v: number, max: number, min = 0): number {
  if (!Number.isInteger(v) || v < min || v > max)
    throw badValue(`${what} must be ${min}–${max}, got ${v}`);
  return v;
}

/** A NUL-terminated name attribute the kernel limits to 15 bytes (NLA_NUL_STRING len 15). */
export function checkName(what: string, s: string, maxLen: number): string {
  const n = Buffer.byteLength(s, 'utf8');
  if (n === 0 || n >= maxLen || s.includes('\0')) {
    throw badValue(`${what} ${JSON.stringify(s)} must be 1–${maxLen - 1} bytes`);
  }
  return s;
}
