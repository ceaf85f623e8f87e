/**
 * DNS_CHECK: one query (type, name) over a connected UDP socket; success is a reply with the
 * same id, QR set and RCODE 0 — an empty answer section is fine (keepalived does not look at
 * it). A reply with another id is ignored; an ICMP port unreachable fails at once. I/O
 * (node:dgram).
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { decodeHeader, encodeQuery, type QueryType } from './dns-packet.js';
import { describeError, familyOf, settleOnce, type ProbeResult } from './probe-util.js';
import type { Target } from './tcp.js';

export function probeDns(
  t: Target,
  type: QueryType,
  name: string,
  signal: AbortSignal,
): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = createSocket(familyOf(t.host) === 6 ? 'udp6' : 'udp4');
    const s = settleOnce(signal, resolve, () => sock.close());
    const id = randomInt(0, 0x10000);
    s.arm(t.timeoutS * 1000, 'DNS timeout (no reply)');
    sock.on('error', (e) => s.finish(false, udpError(e)));
    sock.on('message', (msg) => {
      const h = decodeHeader(msg);
      if ('error' in h || h.id !== id || !h.qr) return;
      s.finish(
        h.rcode === 0,
        h.rcode === 0 ? `DNS rcode 0 (${h.ancount} answers)` : `DNS rcode ${h.rcode}`,
      );
    });
    const go = (): void =>
      sock.connect(t.port, t.host, () => {
        sock.send(encodeQuery(id, name, type), (e) => {
          if (e) s.finish(false, udpError(e));
        });
      });
    if (t.bindto || t.bindPort)
      sock.bind({ address: t.bindto ?? undefined, port: t.bindPort ?? 0 }, go);
    else go();
  });
}

/** A connected UDP socket reports an ICMP port unreachable as ECONNREFUSED. */
export function udpError(e: unknown): string {
  return (e as NodeJS.ErrnoException).code === 'ECONNREFUSED'
    ? 'ICMP port unreachable'
    : describeError(e);
}
