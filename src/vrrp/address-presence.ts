/**
 * Which local addresses exist, for `track_src_ip` (an instance whose configured source address
 * is missing is in FAULT). Fed by the tracker hub's rtnetlink monitor and dumps; reports a
 * change only when a watched address comes or goes, so the VIP adds of a takeover do not make
 * every instance recompute its tracking. I/O-free: the hub does the netlink side.
 */
import { formatIp, parseIp } from '../os/rtnl/ip.js';
import type { AddressInfo } from '../os/rtnl/types.js';

/** One spelling per address (the kernel's), whatever the config wrote. */
export function canonicalIp(text: string): string {
  const p = parseIp(text);
  return p ? formatIp(p.bytes) : text;
}

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
