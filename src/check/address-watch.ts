/**
 * Which addresses are on this host, for `ha_suspend` (a virtual server's checkers pause
 * while its address is not local). The real watch dumps the addresses once and follows
 * RtnlMonitor's address events (dumping again after an overflow). I/O module; tests inject
 * their own LocalAddresses.
 */
import { Rtnl, RtnlMonitor, formatIp, parseIp } from '../os/rtnl/index.js';

export interface LocalAddresses {
  has(address: string): boolean;
  /** fn runs after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void;
  close(): void;
}

/** Canonical spelling, so "2001:DB8::0:1" and "2001:db8::1" compare equal. */
export function canonicalIp(text: string): string {
  const p = parseIp(text);
  return p ? formatIp(p.bytes) : text;
}

export class RtnlAddressWatch implements LocalAddresses {
  /** address → number of interfaces holding it. */
  private counts = new Map<string, number>();
  private readonly listeners = new Set<() => void>();
  private readonly monitor: RtnlMonitor;
  private readonly rtnl: Rtnl;
  private closed = false;
  /** Until the first dump answers, every address counts as local (nothing is suspended). */
  private known = false;

  constructor() {
    this.rtnl = Rtnl.open();
    this.monitor = RtnlMonitor.open({ groups: ['address'] });
    this.monitor.on('event', (e) => {
      if (e.type !== 'address') return;
      const a = canonicalIp(e.address.address);
      const n = (this.counts.get(a) ?? 0) + (e.action === 'new' ? 1 : -1);
      if (n > 0) this.counts.set(a, n);
      else this.counts.delete(a);
      this.changed();
    });
    this.monitor.on('overflow', () => void this.dump());
    this.monitor.on('error', () => void this.dump());
    void this.dump();
  }

  private async dump(): Promise<void> {
    try {
      const list = await this.rtnl.addresses();
      if (this.closed) return;
      const counts = new Map<string, number>();
      for (const a of list) {
        const k = canonicalIp(a.address);
        counts.set(k, (counts.get(k) ?? 0) + 1);
      }
      this.counts = counts;
      this.known = true;
      this.changed();
    } catch {
      // A failed dump keeps the last view; the next event or overflow corrects it.
    }
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  has(address: string): boolean {
    return !this.known || this.counts.has(canonicalIp(address));
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  close(): void {
    this.closed = true;
    this.monitor.close();
    this.rtnl.close();
  }
}
