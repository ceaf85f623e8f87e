/**
 * Ethernet, IPv4 and IPv6 header builders and the Ethernet parser used by the VRRP codec and the
 * GARP/NA builders. Pure code. Headers are built the way keepalived 2.2.7 builds them
 * (protocols.md §1.1): IPv4 TOS 0xc0, no options, DF clear; TTL/hop limit 255.
 */
import { sum16, finish, ipv4HeaderChecksum } from './checksum.js';
import { parseIpv4, parseIpv6, parseMac } from './ip-addr.js';
import type { IpFamily } from './types.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;
export const ETHERTYPE_VLAN = 0x8100;
export const IPPROTO_VRRP = 112;
export const IPPROTO_ICMPV6 = 58;
export const VRRP_MCAST_V4 = '224.0.0.18';
export const VRRP_MCAST_V6 = 'ff02::12';

/** RFC 5798 §7.3: 00-00-5E-00-01-{VRID} for IPv4, 00-00-5E-00-02-{VRID} for IPv6. */
export function virtualMac(vrid: number, family: IpFamily): string {
  const v = (vrid & 0xff).toString(16).padStart(2, '0');
  return `00:00:5e:00:0${family === 4 ? 1 : 2}:${v}`;
}

/** The Ethernet group address an IP multicast maps to (RFC 1112 §6.4, RFC 2464 §7). */
export function multicastMac(ip: Uint8Array, family: IpFamily): Uint8Array {
  if (family === 4) return Uint8Array.of(0x01, 0x00, 0x5e, ip[1] & 0x7f, ip[2], ip[3]);
  return Uint8Array.of(0x33, 0x33, ip[12], ip[13], ip[14], ip[15]);
}

/** Address text to bytes; a programming error (bad address) is a RangeError. */
export function ipBytes(s: string, family: IpFamily): Uint8Array {
  const b = family === 4 ? parseIpv4(s) : parseIpv6(s);
  if (!b) throw new RangeError(`not an IPv${family} address: ${s}`);
  return b;
}

export function macBytes(s: string): Uint8Array {
  const b = parseMac(s);
  if (!b) throw new RangeError(`not a MAC address: ${s}`);
  return b;
}

export function ethernetFrame(
  dst: Uint8Array,
  src: Uint8Array,
  ethertype: number,
  payload: Uint8Array,
): Uint8Array {
  const f = new Uint8Array(14 + payload.length);
  f.set(dst, 0);
  f.set(src, 6);
  f[12] = ethertype >> 8;
  f[13] = ethertype & 0xff;
  f.set(payload, 14);
  return f;
}

export interface EthernetHeader {
  dst: Uint8Array;
  src: Uint8Array;
  ethertype: number;
  /** 802.1Q tag's VLAN id when the frame carried one. */
  vlan: number | null;
  /** The bytes after the header (Ethernet padding included). */
  payload: Uint8Array;
}

/** Parses an Ethernet II header with at most one 802.1Q tag; null when too short. */
export function parseEthernet(frame: Uint8Array): EthernetHeader | null {
  if (frame.length < 14) return null;
  let ethertype = (frame[12] << 8) | frame[13];
  let off = 14;
  let vlan: number | null = null;
  if (ethertype === ETHERTYPE_VLAN) {
    if (frame.length < 18) return null;
    vlan = ((frame[14] << 8) | frame[15]) & 0x0fff;
    ethertype = (frame[16] << 8) | frame[17];
    off = 18;
  }
  return {
    dst: frame.subarray(0, 6),
    src: frame.subarray(6, 12),
    ethertype,
    vlan,
    payload: frame.subarray(off),
  };
}

export interface Ipv4HeaderOptions {
  src: string;
  dst: string;
  protocol: number;
  ttl?: number;
  tos?: number;
  /** keepalived leaves 0 and the kernel numbers packets per socket (1, 2, …). */
  id?: number;
  dontFragment?: boolean;
}

/** A 20-byte IPv4 header (no options) followed by `payload`, header checksum filled in. */
export function ipv4Packet(payload: Uint8Array, o: Ipv4HeaderOptions): Uint8Array {
  const p = new Uint8Array(20 + payload.length);
  const total = p.length;
  p[0] = 0x45;
  p[1] = o.tos ?? 0xc0;
  p[2] = total >> 8;
  p[3] = total & 0xff;
  const id = o.id ?? 0;
  p[4] = (id >> 8) & 0xff;
  p[5] = id & 0xff;
  p[6] = o.dontFragment ? 0x40 : 0;
  p[8] = o.ttl ?? 255;
  p[9] = o.protocol;
  p.set(ipBytes(o.src, 4), 12);
  p.set(ipBytes(o.dst, 4), 16);
  const c = ipv4HeaderChecksum(p, 0, 20);
  p[10] = c >> 8;
  p[11] = c & 0xff;
  p.set(payload, 20);
  return p;
}

export interface Ipv6HeaderOptions {
  src: string;
  dst: string;
  nextHeader: number;
  hopLimit?: number;
  trafficClass?: number;
  flowLabel?: number;
}

/** A 40-byte IPv6 header followed by `payload`. */
export function ipv6Packet(payload: Uint8Array, o: Ipv6HeaderOptions): Uint8Array {
  const p = new Uint8Array(40 + payload.length);
  const tc = o.trafficClass ?? 0;
  const fl = o.flowLabel ?? 0;
  p[0] = 0x60 | (tc >> 4);
  p[1] = ((tc & 0x0f) << 4) | ((fl >> 16) & 0x0f);
  p[2] = (fl >> 8) & 0xff;
  p[3] = fl & 0xff;
  p[4] = payload.length >> 8;
  p[5] = payload.length & 0xff;
  p[6] = o.nextHeader;
  p[7] = o.hopLimit ?? 255;
  p.set(ipBytes(o.src, 6), 8);
  p.set(ipBytes(o.dst, 6), 24);
  p.set(payload, 40);
  return p;
}

/** True when a received IPv4 header checksum is right (the sum over the header folds to 0). */
export function ipv4HeaderValid(p: Uint8Array, ihl: number): boolean {
  return finish(sum16(p, 0, ihl)) === 0;
}
