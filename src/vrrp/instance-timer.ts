/**
 * The one timer of a VRRP instance (I/O: Node timers). libuv timers have a 1 ms grain and fire
 * late by up to that much. A backup's down timer decides how soon a dead master is replaced, so
 * a `precise` deadline wakes LEAD_MS early and tells `near`, so the owner can get the deadline's
 * work ready (the lead leaves room for that work to run cold, 0.3–1 ms measured after a 1 s
 * idle); the rest is slept out precisely (`finish`), blocking the event loop for that long
 * (at most LEAD_MS). That happens once per takeover, since received adverts re-arm the timer long
 * before it runs out. Other deadlines fire when libuv says.
 */
import type { Micros } from './timers.js';

const LEAD_MS = 5;
/** A futex sleep wakes 150–270 µs late here (p50–p99, idle); the rest is polled. */
const WAKE_US = 400;
/** Never notified: Atomics.wait on it is a plain sleep. */
const SLEEPER = new Int32Array(new SharedArrayBuffer(4));

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
    const ms = precise ? Math.max(0, Math.floor(leftMs) - LEAD_MS) : Math.max(0, Math.ceil(leftMs));
    this.timer = setTimeout(() => {
      this.timer = null;
      if (!precise) return this.fire();
      this.near?.(deadline);
      this.finish(deadline, gen);
    }, ms);
  }

  /**
   * The last LEAD_MS or less: slept on a futex (Atomics.wait) up to WAKE_US before the
   * deadline, which uses no CPU where polling would hold one that the rest of the host needs
   * just then (and a busy-polling process loses to the others when the scheduler picks); the
   * rest is polled. The loop turns before firing, so an advert that arrived meanwhile re-arms
   * instead.
   */
  private finish(deadline: Micros, gen: number): void {
    if (gen !== this.armed) return;
    const left = deadline - this.now() - WAKE_US;
    if (left > 0) Atomics.wait(SLEEPER, 0, 0, Math.min(left, LEAD_MS * 1000) / 1000);
    setImmediate(() => this.fireAt(deadline, gen));
  }

  private fireAt(deadline: Micros, gen: number): void {
    if (gen !== this.armed) return; // re-armed or cancelled meanwhile
    if (this.now() >= deadline) this.fire();
    else setImmediate(() => this.fireAt(deadline, gen));
  }
}
