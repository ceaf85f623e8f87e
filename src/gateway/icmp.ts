/**
 * ICMP / ICMPv6 echo prober for gateway tracking (I/O: native RawSocket, needs CAP_NET_RAW).
 *
 * One raw socket per family serves every gateway. Each probe gets a sequence number unique
 * among the probes in flight on that socket, the socket's random identifier, and a token
 * (per-prober secret + probe counter) in the payload; a reply must match all three and come
 * from the probed address, so two probes are never confused and other processes' echo
 * traffic (a raw socket sees all of it) is ignored. A probe fails at its own deadline (after
 * reading whatever is already queued on the socket, since timers run before libuv polls and a
 * busy loop must not turn answered probes into losses), at once
 * when the send fails (no route, ENETUNREACH) or when an ICMP error quoting it comes back.
 * RTT is measured from just before send() to the read of the reply.
 *
 * Differences from keepalived's PING_CHECK: none applicable (keepalived has no gateway
 * tracker); unlike src/check/ping.ts the sockets stay open while gateways are tracked.
 */
import { randomBytes, randomInt } from 'node:crypto';
import { RawSocket, type RawMessage } from '../os/native.js';
import { canonicalIp, parseIp } from '../os/rtnl/ip.js';
import { decodeIcmp, describeIcmpError, encodeEcho, TOKEN_LEN } from './icmp-packet.js';

export interface ProbeTarget {
  address: string;
  /** Outgoing interface (needed for IPv6 link-local). */
  ifindex?: number;
  /** The gateway_track's name (BFD session names). */
  name?: string;
}

export interface ProbeResult {
  ok: boolean;
  /** Round-trip time in microseconds (successes only). */
  rttUs?: number;
  reason: string;
}

/** What the runtime needs from a prober (a fake in unit tests). */
export interface Prober {
  probe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult>;
  close(): void;
}

export interface IcmpStats {
  sent: number;
  replies: number;
  timeouts: number;
  errors: number;
  /** Echo replies and errors that matched none of our probes (other pingers, late replies). */
  ignored: number;
}

interface Pending {
  address: string;
  ifindex: number | undefined;
  token: Buffer;
  sentNs: bigint;
  timer: NodeJS.Timeout;
  done: (r: ProbeResult) => void;
}

class FamilyProber {
  private readonly sock: RawSocket;
  private readonly id = randomInt(1, 0x10000);
  private seq = randomInt(0, 0x10000);
  private readonly pending = new Map<number, Pending>();

  constructor(
    private readonly family: 4 | 6,
    private readonly secret: Buffer,
    private readonly counter: { n: number },
    private readonly stats: IcmpStats,
  ) {
    this.sock = RawSocket.open(family, family === 4 ? 1 : 58);
    this.sock.setOption('rcvbuf', 1 << 20);
    this.sock.on('message', (m) => this.onMessage(m));
    // A queued ICMP error (EHOSTUNREACH…) surfaces as a failed read; the probe's own deadline
    // or error message decides its result, so the read error itself carries nothing.
    this.sock.on('error', () => undefined);
    this.sock.unref();
  }

  get inFlight(): number {
    return this.pending.size;
  }

  probe(t: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    return new Promise((resolve) => {
      if (this.pending.size >= 0xffff) {
        resolve({ ok: false, reason: 'too many probes in flight' });
        return;
      }
      let seq = this.seq;
      while (this.pending.has(seq)) seq = (seq + 1) & 0xffff;
      this.seq = (seq + 1) & 0xffff;
      const token = Buffer.alloc(TOKEN_LEN);
      this.secret.copy(token, 0, 0, 4);
      token.writeUInt32BE(this.counter.n++ >>> 0, 4);
      const address = canonicalIp(t.address);
      const done = (r: ProbeResult): void => {
        clearTimeout(p.timer);
        this.pending.delete(seq);
        resolve(r);
      };
      const p: Pending = {
        address,
        ifindex: t.ifindex,
        token,
        sentNs: 0n,
        timer: setTimeout(() => {
          // Timers run before libuv polls: a reply may be queued but not yet read. Read
          // what is there first, so a busy loop does not turn answered probes into losses.
          this.drain();
          if (!this.pending.has(seq)) return;
          this.stats.timeouts++;
          done({ ok: false, reason: `no echo reply in ${timeoutMs} ms` });
        }, Math.ceil(timeoutMs)),
        done,
      };
      this.pending.set(seq, p);
      const pkt = encodeEcho(this.family, this.id, seq, token);
      p.sentNs = process.hrtime.bigint();
      try {
        this.sock.send(pkt, address, t.ifindex !== undefined ? { ifindex: t.ifindex } : {});
        this.stats.sent++;
      } catch (e) {
        this.stats.errors++;
        const err = e as NodeJS.ErrnoException;
        done({ ok: false, reason: `cannot send echo request: ${err.code ?? err.message}` });
      }
    });
  }

  /** Reads every message already queued on the socket. */
  private drain(): void {
    for (;;) {
      let m: RawMessage | null;
      try {
        m = this.sock.receive();
      } catch {
        continue; // a queued ICMP error report (EHOSTUNREACH…): skip it, read on
      }
      if (m === null) return;
      this.onMessage(m);
    }
  }

  close(): void {
    for (const p of [...this.pending.values()]) p.done({ ok: false, reason: 'prober closed' });
    this.sock.close();
  }

  private onMessage(m: RawMessage): void {
    const now = process.hrtime.bigint();
    const msg = decodeIcmp(this.family, m.data);
    if (!msg) return;
    const p = msg.id === this.id ? this.pending.get(msg.seq) : undefined;
    if (msg.kind === 'reply') {
      if (!p || p.address !== m.address || !msg.token.equals(p.token)) {
        this.stats.ignored++;
        return;
      }
      if (p.ifindex !== undefined && m.scopeId && m.scopeId !== p.ifindex) return;
      const rttNs = now - p.sentNs;
      this.stats.replies++;
      const rttUs = Number(rttNs / 1000n);
      p.done({ ok: true, rttUs, reason: `echo reply in ${(rttUs / 1000).toFixed(3)} ms` });
    } else {
      if (!p || canonicalIp(msg.target) !== p.address) {
        this.stats.ignored++;
        return;
      }
      this.stats.errors++;
      const what = describeIcmpError(this.family, msg.type, msg.code);
      p.done({ ok: false, reason: `${what} (from ${m.address})` });
    }
  }
}

/** Echo prober with one raw socket per family, opened on first use. */
export class IcmpProber implements Prober {
  readonly stats: IcmpStats = { sent: 0, replies: 0, timeouts: 0, errors: 0, ignored: 0 };
  private readonly fams: Partial<Record<4 | 6, FamilyProber>> = {};
  private readonly secret = randomBytes(4);
  private readonly counter = { n: randomInt(0, 0x7fffffff) };
  private closed = false;

  probe(target: ProbeTarget, timeoutMs: number): Promise<ProbeResult> {
    if (this.closed) return Promise.resolve({ ok: false, reason: 'prober closed' });
    const family = parseIp(target.address)?.family;
    if (!family) return Promise.resolve({ ok: false, reason: `bad address ${target.address}` });
    let f = this.fams[family];
    if (!f) {
      try {
        f = this.fams[family] = new FamilyProber(family, this.secret, this.counter, this.stats);
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        return Promise.resolve({
          ok: false,
          reason: `cannot open raw socket: ${err.code ?? err.message}`,
        });
      }
    }
    return f.probe(target, timeoutMs);
  }

  /** Probes in flight, both families. */
  get inFlight(): number {
    return (this.fams[4]?.inFlight ?? 0) + (this.fams[6]?.inFlight ?? 0);
  }

  close(): void {
    this.closed = true;
    this.fams[4]?.close();
    this.fams[6]?.close();
  }
}
