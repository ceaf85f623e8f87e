/**
 * ha_suspend bookkeeping: which virtual servers have their checkers paused because their
 * address is not on this host. Opens the address view (address-watch.ts) only when some
 * virtual server asks for it; calls `resume(vsId)` when an address comes back. The runtime
 * parks the checkers of a suspended virtual server and keeps their states.
 */
import type { LogLevel } from '../core/events.js';
import type { LocalAddresses } from './address-watch.js';

export class HaSuspend {
  private addrs: LocalAddresses | null = null;
  private off: (() => void) | null = null;
  private readonly suspended = new Set<string>();
  /** vsId → its address, for virtual servers with ha_suspend. */
  private targets = new Map<string, string>();

  constructor(
    private readonly factory: () => LocalAddresses,
    private readonly log: (level: LogLevel, message: string) => void,
    private readonly resume: (vsId: string) => void,
  ) {}

  /** New set of virtual servers with ha_suspend (start, reload). */
  update(targets: Map<string, string>): void {
    this.targets = targets;
    // A VS that lost ha_suspend (reload) must not stay parked.
    for (const vs of [...this.suspended]) {
      if (targets.has(vs)) continue;
      this.suspended.delete(vs);
      this.resume(vs);
    }
    if (targets.size > 0 && !this.addrs) {
      try {
        this.addrs = this.factory();
        this.off = this.addrs.onChange(() => this.refresh());
      } catch (e) {
        this.log(
          'warning',
          `ha_suspend: cannot watch local addresses (${String(e)}); not suspending`,
        );
      }
    }
    this.refresh();
  }

  isSuspended(vsId: string): boolean {
    return this.suspended.has(vsId);
  }

  private refresh(): void {
    for (const [vs, address] of this.targets) {
      const away = this.addrs !== null && !this.addrs.has(address);
      if (away && !this.suspended.has(vs)) {
        this.suspended.add(vs);
        this.log('info', `Suspending checkers of VS ${vs}: ${address} is not on this host`);
      } else if (!away && this.suspended.delete(vs)) {
        this.log('info', `Resuming checkers of VS ${vs}: ${address} is on this host`);
        this.resume(vs);
      }
    }
  }

  close(): void {
    this.off?.();
    this.addrs?.close();
    this.addrs = null;
    this.off = null;
    this.targets = new Map();
  }
}
