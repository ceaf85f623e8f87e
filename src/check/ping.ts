/**
 * PING_CHECK: one ICMP / ICMPv6 echo request through the native raw socket; success is the
 * matching echo reply within connect_timeout. One raw socket per family is shared by all
 * probes while any is pending (closed when none is). A reply is matched on the identifier
 * (random per process), a sequence number unique among pending probes, the source address
 * and a random 8-byte token in the payload — so two probes are never confused, even with
 * other pingers on the host. I/O (native RawSocket; needs CAP_NET_RAW).
 *
 * Differences: keepalived uses an unprivileged ICMP datagram socket (ping_group_range);
 * bindto is used as the source address; bind_if is not applied yet; an IPv6 reply is
 * matched on the address text as the kernel writes it (write addresses in canonical form).
 */
import { randomBytes, randomInt } from 'node:crypto';
import { RawSocket, type RawMessage } from '../os/native.js';
import { checksum } from '../vrrp/checksum.js';
import { describeError, familyOf, settleOnce, type ProbeResult } from './probe-util.js';
import type { Target } from './tcp.js';

const ECHO_REQUEST = { 4: 8, 6: 128 } as const;
const ECHO_REPLY = { 4: 0, 6: 129 } as const;

export function echoRequest(family: 4 | 6, id: number, seq: number, token: Buffer): Buffer {
  const b = Buffer.alloc(8 + token.length);
  b[0] = ECHO_REQUEST[family];
  b.writeUInt16BE(id, 4);
  b.writeUInt16BE(seq, 6);
  token.copy(b, 8);
  // The kernel fills in the ICMPv6 checksum (it needs the pseudo-header); ICMPv4 is ours.
  if (family === 4) b.writeUInt16BE(checksum(b), 2);
  return b;
}

/** The ICMP part of a received datagram: IPv4 raw reads start with the IP header. */
export function icmpPayload(family: 4 | 6, data: Buffer): Buffer | null {
  if (family === 6) return data;
  if (data.length < 20) return null;
  const ihl = (data[0] & 0x0f) * 4;
  return data.length >= ihl + 8 ? data.subarray(ihl) : null;
}

interface Pending {
  address: string;
  token: Buffer;
  resolve: () => void;
}

class Pinger {
  private sock: RawSocket | null = null;
  private readonly pending = new Map<number, Pending>();
  private readonly id = randomInt(1, 0x10000);
  private seq = randomInt(0, 0x10000);

  constructor(private readonly family: 4 | 6) {}

  /** Sends one echo; the returned promise resolves on the reply; `cancel` forgets it. */
  send(t: Target): { reply: Promise<void>; cancel: () => void } {
    let seq = this.seq;
    for (let i = 0; this.pending.has(seq); i++) {
      if (i > 0xffff) throw new Error('too many pings in flight');
      seq = (seq + 1) & 0xffff;
    }
    this.seq = (seq + 1) & 0xffff;
    const token = randomBytes(8);
    const sock = this.open();
    let resolve!: () => void;
    const reply = new Promise<void>((r) => (resolve = r));
    this.pending.set(seq, { address: t.host, token, resolve });
    const cancel = (): void => {
      this.pending.delete(seq);
      if (this.pending.size === 0) this.close();
    };
    try {
      sock.send(
        echoRequest(this.family, this.id, seq, token),
        t.host,
        t.bindto ? { source: t.bindto } : {},
      );
    } catch (e) {
      cancel();
      throw e;
    }
    return { reply, cancel };
  }

  private open(): RawSocket {
    if (this.sock) return this.sock;
    const sock = RawSocket.open(this.family, this.family === 4 ? 1 : 58);
    sock.on('message', (m) => this.onMessage(m));
    sock.on('error', () => undefined);
    this.sock = sock;
    return sock;
  }

  private close(): void {
    this.sock?.close();
    this.sock = null;
  }

  private onMessage(m: RawMessage): void {
    const icmp = icmpPayload(this.family, m.data);
    if (!icmp || icmp.length < 16 || icmp[0] !== ECHO_REPLY[this.family]) return;
    if (icmp.readUInt16BE(4) !== this.id) return;
    const p = this.pending.get(icmp.readUInt16BE(6));
    if (!p || p.address !== m.address || !icmp.subarray(8, 16).equals(p.token)) return;
    p.resolve();
  }
}

const pingers: Partial<Record<4 | 6, Pinger>> = {};

export function probePing(t: Target, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const family = familyOf(t.host);
    const pinger = (pingers[family] ??= new Pinger(family));
    let cancel = (): void => undefined;
    const s = settleOnce(signal, resolve, () => cancel());
    s.arm(t.timeoutS * 1000, 'no echo reply (timeout)');
    try {
      const r = pinger.send(t);
      cancel = r.cancel;
      void r.reply.then(() => s.finish(true, 'echo reply'));
    } catch (e) {
      s.finish(false, `cannot send echo request: ${describeError(e)}`);
    }
  });
}
