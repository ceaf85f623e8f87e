/**
 * Gratuitous ARP and unsolicited Neighbour Advertisement frames, as keepalived 2.2.7 sends them on
 * becoming master (protocols.md §1.8, §2.5). Pure code; the announcer decides when and how often.
 *
 * keepalived differs from RFC 5798 §6.4.2 / errata 7947, 7949: the ARP is a *request* (op 1) with
 * target MAC ff:ff:ff:ff:ff:ff, sent from the interface MAC (the VMAC only with use_vmac); the NA
 * comes from the VIP itself with O set and R only when the interface forwards IPv6.
 */
import { finish, ipv6PseudoSum, sum16 } from './checksum.js';
import {
  ETHERTYPE_ARP,
  ETHERTYPE_IPV6,
  IPPROTO_ICMPV6,
  ethernetFrame,
  ipBytes,
  ipv6Packet,
  macBytes,
  multicastMac,
} from './frame.js';

const BROADCAST = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff);

export interface GarpOptions {
  /** The VIP announced (sender and target protocol address). */
  vip: string;
  /** Sender hardware address: the interface MAC, or the VMAC with use_vmac. */
  mac: string;
  /** Ethernet source; defaults to `mac`. */
  srcMac?: string;
  /** 1 = request (keepalived), 2 = reply. */
  op?: 1 | 2;
  /** Target hardware address; keepalived puts the broadcast address there. */
  targetMac?: string;
}

/** A 42-byte gratuitous ARP frame (the NIC pads it to 60). */
export function buildGratuitousArp(o: GarpOptions): Uint8Array {
  const mac = macBytes(o.mac);
  const vip = ipBytes(o.vip, 4);
  const arp = new Uint8Array(28);
  arp.set([0x00, 0x01, 0x08, 0x00, 6, 4, 0, o.op ?? 1], 0); // Ethernet / IPv4, 6 / 4
  arp.set(mac, 8);
  arp.set(vip, 14);
  arp.set(o.targetMac ? macBytes(o.targetMac) : BROADCAST, 18);
  arp.set(vip, 24);
  return ethernetFrame(BROADCAST, o.srcMac ? macBytes(o.srcMac) : mac, ETHERTYPE_ARP, arp);
}

export interface NaOptions {
  /** The VIP: target address, and the IPv6 source unless `src` is given. */
  vip: string;
  /** Link-layer address in the target-link-layer option: interface MAC or VMAC. */
  mac: string;
  srcMac?: string;
  src?: string;
  /** Defaults to all-nodes ff02::1. */
  dst?: string;
  /** R flag: keepalived sets it only when IPv6 forwarding is on for the interface. */
  router?: boolean;
  solicited?: boolean;
  /** O flag, on by default. */
  override?: boolean;
  hopLimit?: number;
}

export const NA_FLAG_ROUTER = 0x80;
export const NA_FLAG_SOLICITED = 0x40;
export const NA_FLAG_OVERRIDE = 0x20;

/** An 86-byte unsolicited NA frame (RFC 4861 §4.4, §7.2.6), ICMPv6 checksum filled in. */
export function buildUnsolicitedNa(o: NaOptions): Uint8Array {
  const src = o.src ?? o.vip;
  const dst = o.dst ?? 'ff02::1';
  const icmp = new Uint8Array(32);
  icmp[0] = 136; // Neighbor Advertisement, code 0
  icmp[4] =
    (o.router ? NA_FLAG_ROUTER : 0) |
    (o.solicited ? NA_FLAG_SOLICITED : 0) |
    (o.override === false ? 0 : NA_FLAG_OVERRIDE);
  icmp.set(ipBytes(o.vip, 6), 8);
  icmp[24] = 2; // target link-layer address option, length 1 (8 bytes)
  icmp[25] = 1;
  icmp.set(macBytes(o.mac), 26);
  const c = icmpv6Checksum(icmp, ipBytes(src, 6), ipBytes(dst, 6));
  icmp[2] = c >> 8;
  icmp[3] = c & 0xff;
  const ip = ipv6Packet(icmp, {
    src,
    dst,
    nextHeader: IPPROTO_ICMPV6,
    hopLimit: o.hopLimit ?? 255,
  });
  const dstMac = multicastMac(ipBytes(dst, 6), 6);
  return ethernetFrame(dstMac, macBytes(o.srcMac ?? o.mac), ETHERTYPE_IPV6, ip);
}

/** ICMPv6 checksum of `msg` (checksum field at 2–3 skipped) with the RFC 8200 pseudo-header. */
export function icmpv6Checksum(msg: Uint8Array, src: Uint8Array, dst: Uint8Array): number {
  const s = ipv6PseudoSum(src, dst, IPPROTO_ICMPV6, msg.length);
  return finish(sum16(msg, 4, msg.length, sum16(msg, 0, 2, s)));
}

/** True when an ICMPv6 message's checksum field is right. */
export function icmpv6ChecksumValid(msg: Uint8Array, src: Uint8Array, dst: Uint8Array): boolean {
  return (
    finish(sum16(msg, 0, msg.length, ipv6PseudoSum(src, dst, IPPROTO_ICMPV6, msg.length))) === 0
  );
}
