/**
 * RFC 1071 Internet checksum and the pseudo-headers VRRP and ICMPv6 sum over. Pure code.
 *
 * VRRP forms (protocols.md §1.3):
 * - v2: the VRRP message only (auth data included).
 * - v3/IPv6: RFC 8200 §8.1 pseudo-header (src 16, dst 16, length 32, 3 zero bytes, next header).
 * - v3/IPv4: keepalived 2.2.7 and FRR 8.4 add the classic IPv4 pseudo-header (src, dst, 0, 112,
 *   16-bit length) with the packet's real destination; RFC 9568 drops it ("v2-style");
 *   keepalived before 1.3.6 used 224.0.0.18 as the destination even for unicast.
 */

/** One's-complement sum of 16-bit big-endian words, not yet folded or complemented. */
export function sum16(data: Uint8Array, start = 0, end = data.length, acc = 0): number {
  let s = acc;
  let i = start;
  for (; i + 1 < end; i += 2) s += (data[i] << 8) | data[i + 1];
  if (i < end) s += data[i] << 8; // odd length: pad with a zero byte
  // Fold now and then so the sum stays a small integer for any input size.
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return s;
}

/** Fold and complement: the value to put in a checksum field. */
export function finish(sum: number): number {
  let s = sum;
  while (s > 0xffff) s = (s & 0xffff) + Math.floor(s / 0x10000);
  return ~s & 0xffff;
}

export function checksum(data: Uint8Array, start = 0, end = data.length): number {
  return finish(sum16(data, start, end));
}

/** Sum of the IPv4 pseudo-header (src, dst, zero, protocol, 16-bit length). */
export function ipv4PseudoSum(
  src: Uint8Array,
  dst: Uint8Array,
  protocol: number,
  length: number,
): number {
  let s = sum16(src, 0, 4);
  s = sum16(dst, 0, 4, s);
  return s + protocol + (length & 0xffff);
}

/** Sum of the RFC 8200 §8.1 pseudo-header (src, dst, 32-bit length, zeros, next header). */
export function ipv6PseudoSum(
  src: Uint8Array,
  dst: Uint8Array,
  nextHeader: number,
  length: number,
): number {
  let s = sum16(src, 0, 16);
  s = sum16(dst, 0, 16, s);
  return s + Math.floor(length / 0x10000) + (length & 0xffff) + nextHeader;
}

/** IPv4 header checksum over `ihl` bytes at `off` (field at off+10 must be zero or is skipped). */
export function ipv4HeaderChecksum(pkt: Uint8Array, off: number, ihl: number): number {
  let s = sum16(pkt, off, off + 10);
  s = sum16(pkt, off + 12, off + ihl, s);
  return finish(s);
}
