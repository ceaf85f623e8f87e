/**
 * The one timer of a VRRP instance (I/O: Node timers). libuv timers have a 1 ms grain and fire
 * late by up to that much. A backup's down timer decides how soon a dead master is replaced, so
 * a `precise` deadline is set 1 ms early and the rest is waited out on setImmediate: a few
 * hundred µs of polling once per takeover, since received adverts re-arm the timer long before
 * it fires. `near` is told when that wait begins, so the owner can get the deadline's work ready.
 * Other deadlines fire when libuv says.
 */
import type { Micros } from './timers.js';

export class InstanceTimer {
  private timer: NodeJS.Timeout | null = null;
  /** Counts arm() calls, so a precise wait knows when it was superseded. */
  private armed = 0;

  constructor(
    private readonly now: () => Micros,
    private readonly fire: () => void,
    private readonly near?: (deadline: Micros) => void,
  ) {}

  /** Replaces the pending deadline (null: none). */
  arm(deadline: Micros | null, precise: boolean): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const gen = ++this.armed;
    if (deadline === null) return;
    const leftMs = (deadline - this.now()) / 1000;
    const ms = precise ? Math.max(0, Math.floor(leftMs) - 1) : Math.max(0, Math.ceil(leftMs));
    this.timer = setTimeout(() => {
      this.timer = null;
      if (precise) {
        this.near?.(deadline);
        this.fireAt(deadline, gen);
      } else this.fire();
    }, ms);
  }

  private fireAt(deadline: Micros, gen: number): void {
    if (gen !== this.armed) return; // re-armed or cancelled meanwhile
    if (this.now() >= deadline) this.fire();
    else setImmediate(() => this.fireAt(deadline, gen));
  }
}
