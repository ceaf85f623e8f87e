/**
 * Connection counts per real server from conntrack, kept by events (I/O): one socket joined to
 * NFNLGRP_CONNTRACK_NEW/UPDATE/DESTROY feeds a ConnTracker (conntrack-codec.ts); one dump per
 * family at start (and after the kernel dropped events: ENOBUFS) sets the baseline. A status
 * request therefore never walks the conntrack table. Events arriving during the dump are applied
 * after it, so the dump cannot resurrect a flow destroyed meanwhile.
 * keepalived difference: IPVS keeps these counters itself; here they cost one netlink socket.
 */
import { NetlinkSocket, type NetlinkMessage } from '../os/native.js';
import { AF_INET, AF_INET6, parseMessages } from '../os/netlink/index.js';
import { NetlinkRequester } from '../os/netlink/requester.js';
import {
  CT_GROUPS,
  ConnTracker,
  type ConnCounts,
  type CtEntry,
  type CtEvent,
  decodeCt,
  dumpRequest,
  NETLINK_NETFILTER,
} from './conntrack-codec.js';

export interface ConnCounter {
  /** Counts for `addr:port` keys (conntrack-codec.ts backendKey); zero when unknown. */
  get(backend: string): ConnCounts;
  close(): void;
}

export class ConntrackCounter implements ConnCounter {
  private readonly tracker = new ConnTracker();
  private events: NetlinkSocket | null = null;
  private dumping: CtEvent[] | null = null;
  private syncing: Promise<void> | null = null;

  /** Opens the event socket and runs the first dump; throws when ctnetlink is unavailable. */
  static async open(): Promise<ConntrackCounter> {
    const c = new ConntrackCounter();
    c.events = NetlinkSocket.open(NETLINK_NETFILTER, CT_GROUPS);
    c.events.setOption('rcvbuf', 4 << 20);
    c.events.on('message', (m) => c.onMessage(m));
    c.events.on('error', (e: NodeJS.ErrnoException) => {
      // ENOBUFS: the kernel dropped events; the counts are only trustworthy after a new dump.
      if (e.code === 'ENOBUFS' || e.errno === 105) void c.resync();
    });
    c.events.unref();
    await c.resync();
    return c;
  }

  private onMessage(m: NetlinkMessage): void {
    let msgs;
    try {
      msgs = parseMessages(m.data);
    } catch {
      return;
    }
    for (const msg of msgs) {
      const ev = decodeCt(msg);
      if (!ev) continue;
      if (this.dumping) this.dumping.push(ev);
      else this.tracker.apply(ev);
    }
  }

  /** One dump per family; events seen meanwhile are replayed on top. */
  resync(): Promise<void> {
    this.syncing ??= (async () => {
      this.dumping = [];
      const req = NetlinkRequester.open(
        NETLINK_NETFILTER,
        (what, errno, detail) =>
          new Error(`${what}: errno ${errno}${detail ? ` (${detail})` : ''}`),
        { rcvbuf: 4 << 20, timeoutMs: 10_000 },
      );
      try {
        const entries: CtEntry[] = [];
        for (const fam of [AF_INET, AF_INET6]) {
          const r = dumpRequest(fam);
          const replies = await req.dump(r.type, r.payload, () => 'conntrack dump');
          for (const msg of replies) {
            const ev = decodeCt(msg);
            if (ev?.kind === 'upsert') entries.push(ev.entry);
          }
        }
        this.tracker.reset(entries);
      } finally {
        req.close();
        const queued = this.dumping ?? [];
        this.dumping = null;
        for (const ev of queued) this.tracker.apply(ev);
        this.syncing = null;
      }
    })();
    return this.syncing;
  }

  get(backend: string): ConnCounts {
    return this.tracker.get(backend);
  }

  close(): void {
    this.events?.close();
    this.events = null;
  }
}
