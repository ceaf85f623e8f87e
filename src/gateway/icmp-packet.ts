/**
 * ICMP / ICMPv6 echo codec for the gateway prober. Pure (Buffers only).
 *
 * An echo request carries a 16-byte payload: an 8-byte token (per-process secret + probe
 * counter) and the send time, so a reply is matched on identifier, sequence number, source
 * address AND token — another pinger on the host that happens to use our identifier is still
 * ignored. Errors (destination unreachable, time exceeded) quote our request, so they are
 * matched the same way and fail the probe at once instead of at its timeout.
 */
import { formatIp } from '../os/rtnl/ip.js';
import { checksum } from '../vrrp/checksum.js';

const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;
/** Destination unreachable and time exceeded. */
const ERRORS = { 4: [3, 11], 6: [1, 3] } as const;
export const TOKEN_LEN = 8;

export function encodeEcho(family: 4 | 6, id: number, seq: number, token: Buffer): Buffer {
  const b = Buffer.alloc(8 + TOKEN_LEN + 8);
  b[0] = ECHO_REQUEST[family];
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  token.copy(b, 8, 0, TOKEN_LEN);
  // The kernel computes the ICMPv6 checksum (it needs the pseudo-header); ICMPv4 is ours.
  if (family === 4) b.writeUInt16BE(checksum(b), 2);
  return b;
}

export type IcmpMessage =
  | { kind: 'reply'; id: number; seq: number; token: Buffer }
  /** An error about one of our requests: `target` is where that request was going. */
  | { kind: 'error'; id: number; seq: number; type: number; code: number; target: string };

/** Decodes what a raw socket read gives (IPv4 with its IP header, IPv6 without); null if not ours-shaped. */
export function decodeIcmp(family: 4 | 6, data: Buffer): IcmpMessage | null {
  let icmp = data;
  if (family === 4) {
    if (data.length < 20) return null;
    icmp = data.subarray((data[0] & 0x0f) * 4);
  }
  if (icmp.length < 8) return null;
  const type = icmp[0];
  if (type === ECHO_REPLY[family]) {
    if (icmp.length < 8 + TOKEN_LEN) return null;
    return {
      kind: 'reply',
      id: icmp.readUInt16BE(4),
      seq: icmp.readUInt16BE(6),
      token: icmp.subarray(8, 8 + TOKEN_LEN),
    };
  }
  if (!(ERRORS[family] as readonly number[]).includes(type)) return null;
  const inner = icmp.subarray(8);
  let target: string;
  let quoted: Buffer;
  if (family === 4) {
    if (inner.length < 20 || inner[9] !== 1) return null;
    const ihl = (inner[0] & 0x0f) * 4;
    target = formatIp(inner.subarray(16, 20));
    quoted = inner.subarray(ihl);
  } else {
    if (inner.length < 40 || inner[6] !== 58) return null;
    target = formatIp(inner.subarray(24, 40));
    quoted = inner.subarray(40);
  }
  if (quoted.length < 8 || quoted[0] !== ECHO_REQUEST[family]) return null;
  return {
    kind: 'error',
    id: quoted.readUInt16BE(4),
    seq: quoted.readUInt16BE(6),
    type,
    code: icmp[1],
    target,
  };
}

/** Human words for an ICMP error, for probe reasons. */
export function describeIcmpError(family: 4 | 6, type: number, code: number): string {
  if (family === 4) {
    if (type === 11) return 'time exceeded';
    return (
      ['network', 'host', 'protocol', 'port'][code]?.concat(' unreachable') ??
      `destination unreachable (code ${code})`
    );
  }
  if (type === 3) return 'time exceeded';
  return code === 3 ? 'address unreachable' : `destination unreachable (code ${code})`;
}
