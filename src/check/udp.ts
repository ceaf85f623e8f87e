/**
 * UDP_CHECK: send the payload over a connected UDP socket and wait connect_timeout. An ICMP
 * port unreachable (ECONNREFUSED on the connected socket) is a failure. Without
 * require_reply, silence is success; with it, a reply must come, be min..max_reply_length
 * bytes long and match the pattern over min(reply, pattern) bytes (`x` nibbles are
 * wildcards), as keepalived's check_udp_reply(). I/O (node:dgram).
 */
import { createSocket } from 'node:dgram';
import type { UdpChecker } from '../config/lvs/types.js';
import { udpError } from './dns.js';
import { familyOf, settleOnce, type ProbeResult } from './probe-util.js';
import type { Target } from './tcp.js';

/** Pattern hex with x wildcards → bytes and masks (mask bit 1 = must match). */
export function compilePattern(hex: string): { data: Buffer; mask: Buffer } {
  const h = hex.length % 2 ? `${hex}x` : hex;
  const n = h.length / 2;
  const data = Buffer.alloc(n);
  const mask = Buffer.alloc(n);
  for (let i = 0; i < n; i++) {
    let d = 0;
    let m = 0;
    for (const ch of h.slice(2 * i, 2 * i + 2).toLowerCase()) {
      d <<= 4;
      m <<= 4;
      if (ch !== 'x') {
        d |= parseInt(ch, 16);
        m |= 0xf;
      }
    }
    data[i] = d;
    mask[i] = m;
  }
  return { data, mask };
}

/** null when the reply is good, else why not. */
export function replyMismatch(
  reply: Buffer,
  c: Pick<UdpChecker, 'minReplyLength' | 'maxReplyLength' | 'replyPattern'>,
): string | null {
  if (reply.length < c.minReplyLength || reply.length > c.maxReplyLength) {
    return `reply length ${reply.length} outside ${c.minReplyLength}..${c.maxReplyLength}`;
  }
  if (!c.replyPattern) return null;
  const { data, mask } = compilePattern(c.replyPattern);
  const n = Math.min(reply.length, data.length);
  for (let i = 0; i < n; i++) {
    if ((reply[i] ^ data[i]) & mask[i]) return 'reply data mismatch';
  }
  return null;
}

export function probeUdp(t: Target, c: UdpChecker, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = createSocket(familyOf(t.host) === 6 ? 'udp6' : 'udp4');
    const s = settleOnce(signal, resolve, () => sock.close());
    // Without require_reply, silence means open (or filtered): keepalived counts it as up.
    if (c.requireReply) s.arm(t.timeoutS * 1000, 'no UDP reply (timeout)');
    else s.arm(t.timeoutS * 1000, 'no ICMP error', true);
    sock.on('error', (e) => s.finish(false, udpError(e)));
    sock.on('message', (msg) => {
      if (!c.requireReply) return s.finish(true, 'UDP reply');
      const why = replyMismatch(msg, c);
      s.finish(why === null, why ?? 'UDP reply matched');
    });
    const payload = Buffer.from(c.payload ?? '', 'hex');
    const go = (): void =>
      sock.connect(t.port, t.host, () => {
        sock.send(payload, (e) => {
          if (e) s.finish(false, udpError(e));
        });
      });
    if (t.bindto || t.bindPort)
      sock.bind({ address: t.bindto ?? undefined, port: t.bindPort ?? 0 }, go);
    else go();
  });
}
