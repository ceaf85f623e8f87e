/**
 * The UDP (and, for IPv4, IP) header in front of a BFD packet read from a raw IPPROTO_UDP
 * socket. Pure code. The runtime reads BFD through a raw socket because only that gives the
 * received TTL/hop limit (GTSM, RFC 5881 §5) in Node; raw sockets see packets before UDP's
 * own checks. The UDP checksum is not verified: with checksum offload (veth, most NICs) the
 * raw copy of a locally delivered packet may carry only a partial sum, so a check would drop
 * good packets; the BFD field checks still apply.
 *
 * IPv4 raw reads start at the IP header; IPv6 raw reads start at the UDP header (the kernel
 * strips the fixed header), so the destination address comes from IPV6_PKTINFO.
 */

export type UdpParse =
  | {
      ok: true;
      srcPort: number;
      dstPort: number;
      payload: Uint8Array;
      /** IPv4 only: TTL from the header (the ancillary value is preferred when present). */
      ttl?: number;
      /** IPv4 only: addresses from the header. */
      source?: Uint8Array;
      destination?: Uint8Array;
    }
  | { ok: false; reason: 'ip-header' | 'udp-header' | 'udp-length'; detail: string };

/** Parses a raw UDP read (IPv4: from the IP header; IPv6: from the UDP header). */
export function parseRawUdp(family: 4 | 6, data: Uint8Array): UdpParse {
  let off = 0;
  let ttl: number | undefined;
  let source: Uint8Array | undefined;
  let destination: Uint8Array | undefined;
  if (family === 4) {
    if (data.length < 20 || data[0] >> 4 !== 4 || (data[0] & 15) < 5) {
      return { ok: false, reason: 'ip-header', detail: `bad IPv4 header (${data.length} bytes)` };
    }
    off = (data[0] & 15) * 4;
    if (data.length < off) return { ok: false, reason: 'ip-header', detail: 'IPv4 options cut' };
    ttl = data[8];
    source = data.subarray(12, 16);
    destination = data.subarray(16, 20);
  }
  const seg = data.subarray(off);
  if (seg.length < 8) return { ok: false, reason: 'udp-header', detail: `${seg.length} bytes` };
  const len = (seg[4] << 8) | seg[5];
  if (len < 8 || len > seg.length) {
    return { ok: false, reason: 'udp-length', detail: `UDP length ${len}, have ${seg.length}` };
  }
  const udp = seg.subarray(0, len);
  return {
    ok: true,
    srcPort: (udp[0] << 8) | udp[1],
    dstPort: (udp[2] << 8) | udp[3],
    payload: udp.subarray(8),
    ...(ttl !== undefined ? { ttl, source, destination } : {}),
  };
}
