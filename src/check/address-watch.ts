/**
 * Which addresses are on this host, for `ha_suspend` (a virtual server's checkers pause
 * while its address is not local). The real watch dumps the addresses once and follows
 * RtnlMonitor's address events (dumping again after an overflow). I/O module; tests inject
 * their own LocalAddresses.
 */
import { AddressPresence } from '../os/rtnl/address-presence.js';
import { Rtnl, RtnlMonitor } from '../os/rtnl/index.js';

export interface LocalAddresses {
  has(address: string): boolean;
  /** fn runs after every change; returns the unsubscribe function. */
  onChange(fn: () => void): () => void;
  close(): void;
}

export class RtnlAddressWatch implements LocalAddresses {
  /** Which interfaces hold which address (a repeated "new" for a changed address is no copy). */
  private readonly presence = new AddressPresence();
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
      this.presence.apply(e.address, e.action);
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
      this.presence.reset(list);
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
    return !this.known || this.presence.has(address);
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
