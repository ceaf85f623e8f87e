/**
 * Which local addresses exist, from rtnetlink address events and dumps: ha_suspend's watch
 * (check/address-watch.ts) and VRRP's `track_src_ip` (the tracker hub). `watch` marks the
 * addresses whose coming and going `apply`/`reset` report, so the VIP adds of a takeover do not
 * make every instance recompute its tracking. Pure: the callers do the netlink side.
 */
import { canonicalIp } from './ip.js';
import type { AddressInfo } from './types.js';

export class AddressPresence {
  /**
   * address → the interfaces that carry it. A set, not a count: the kernel also sends "new"
   * for an address that changes (DAD done, lifetimes renewed, `ip addr change`).
   */
  private readonly on = new Map<string, Set<number>>();
  private readonly watched = new Map<string, number>();

  /** Starts watching `ip`; returns a function that stops. */
  watch(ip: string): () => void {
    const k = canonicalIp(ip);
    this.watched.set(k, (this.watched.get(k) ?? 0) + 1);
    return () => {
      const n = (this.watched.get(k) ?? 1) - 1;
      if (n > 0) this.watched.set(k, n);
      else this.watched.delete(k);
    };
  }

  has(ip: string): boolean {
    return (this.on.get(canonicalIp(ip))?.size ?? 0) > 0;
  }

  private add(a: AddressInfo): void {
    let set = this.on.get(a.address);
    if (!set) this.on.set(a.address, (set = new Set()));
    set.add(a.ifindex);
  }

  /** An address event; true when a watched address appeared or vanished. */
  apply(a: AddressInfo, action: 'new' | 'del'): boolean {
    const k = a.address;
    const before = this.has(k);
    if (action === 'new') this.add(a);
    else {
      const set = this.on.get(k);
      set?.delete(a.ifindex);
      if (set?.size === 0) this.on.delete(k);
    }
    return this.watched.has(k) && before !== this.has(k);
  }

  /** A full dump replaces what was known; true when a watched address changed. */
  reset(all: readonly AddressInfo[]): boolean {
    const was = new Map([...this.watched.keys()].map((k) => [k, this.has(k)]));
    this.on.clear();
    for (const a of all) this.add(a);
    return [...was].some(([k, had]) => this.has(k) !== had);
  }
}
