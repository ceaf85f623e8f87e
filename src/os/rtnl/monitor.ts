/**
 * RtnlMonitor: rtnetlink multicast notifications as typed events (I/O, not pure). Joins the
 * link, IPv4/IPv6 address, IPv4/IPv6 route and IPv4/IPv6 rule groups (or the subset asked for)
 * and emits 'event' with { type, action: 'new' | 'del', … }. When the kernel drops
 * notifications because the socket buffer was full (ENOBUFS), it emits 'overflow': the
 * listener's view is stale and it should dump again.
 * The monitor does not keep the process alive by itself unless ref() is called.
 */
import { EventEmitter } from 'node:events';
import { NetlinkProtocol, NetlinkSocket, type NetlinkMessage } from '../native.js';
import { RTNLGRP } from './constants.js';
import { decodeEvent } from './event-codec.js';
import { parseMessages } from './messages.js';
import type { RtnlEvent } from './types.js';

export type MonitorGroup = 'link' | 'address' | 'route' | 'rule';

export interface MonitorOptions {
  /** Default: all four. */
  groups?: MonitorGroup[];
  /** Default: both. */
  families?: (4 | 6)[];
  /** SO_RCVBUF in bytes (default 4 MiB): bursts of route changes are large. */
  rcvbuf?: number;
}

interface MonitorEvents {
  event: [RtnlEvent];
  overflow: [];
  error: [Error];
}

const GROUPS: Record<MonitorGroup, { 4: number[]; 6: number[] }> = {
  link: { 4: [RTNLGRP.LINK], 6: [RTNLGRP.LINK] },
  address: { 4: [RTNLGRP.IPV4_IFADDR], 6: [RTNLGRP.IPV6_IFADDR] },
  route: { 4: [RTNLGRP.IPV4_ROUTE], 6: [RTNLGRP.IPV6_ROUTE] },
  rule: { 4: [RTNLGRP.IPV4_RULE], 6: [RTNLGRP.IPV6_RULE] },
};

/** The RTNLGRP_* numbers a monitor with these options joins. */
export function monitorGroups(opts: MonitorOptions = {}): number[] {
  const set = new Set<number>();
  for (const g of opts.groups ?? (Object.keys(GROUPS) as MonitorGroup[])) {
    for (const f of opts.families ?? [4, 6]) for (const n of GROUPS[g][f]) set.add(n);
  }
  return [...set].sort((a, b) => a - b);
}

export class RtnlMonitor extends EventEmitter<MonitorEvents> {
  private readonly sock: NetlinkSocket;

  private constructor(sock: NetlinkSocket) {
    super();
    this.sock = sock;
    sock.on('message', (m) => this.onMessage(m));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOBUFS') this.emit('overflow');
      else if (this.listenerCount('error') > 0) this.emit('error', e);
    });
    sock.unref();
  }

  /** Opens the socket and joins the groups; events flow from the moment this returns. */
  static open(opts: MonitorOptions = {}): RtnlMonitor {
    const sock = NetlinkSocket.open(NetlinkProtocol.ROUTE);
    try {
      sock.setOption('rcvbuf', opts.rcvbuf ?? 4 << 20);
      for (const g of monitorGroups(opts)) sock.setOption('addMembership', g);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new RtnlMonitor(sock);
  }

  ref(): this {
    this.sock.ref();
    return this;
  }

  unref(): this {
    this.sock.unref();
    return this;
  }

  close(): void {
    this.sock.close();
  }

  private onMessage(m: NetlinkMessage): void {
    let events: RtnlEvent[];
    try {
      events = parseMessages(m.data)
        .map(decodeEvent)
        .filter((e): e is RtnlEvent => e !== null);
    } catch (e) {
      if (this.listenerCount('error') > 0) this.emit('error', e as Error);
      return;
    }
    for (const ev of events) this.emit('event', ev);
  }
}
