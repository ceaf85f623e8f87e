/**
 * The one timer of a VRRP instance (I/O: Node timers). libuv timers have a 1 ms grain and fire
 * late by up to that much. A backup's down timer decides how soon a dead master is replaced, so
 * a `precise` deadline wakes LEAD_MS early and tells `near`, so the owner can get the deadline's
 * work ready (the lead leaves room for that work to run cold, 0.3–1 ms measured after a 1 s
 * idle); the rest is slept out precisely (`finish`), blocking the event loop for that long
 * (at most LEAD_MS), and `drain` reads the input that arrived meanwhile just before firing. That happens once per takeover, since received adverts re-arm the timer long
 * before it runs out. Other deadlines fire when libuv says.
 */
import type { Micros } from './timers.js';

const LEAD_MS = 5;
/**
 * A futex sleep wakes 80–180 µs late here (p50–p99, idle, with the 1 µs timer slack the runtime
 * sets; 130–200 µs with the default 50 µs); the rest is polled. The poll is kept short: a
 * process that spins loses the CPU to whatever wakes on a busy host, by a scheduler slice.
 */
const WAKE_US = 150;
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
    private readonly drain?: () => void,
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
   * The last LEAD_MS or less, inside this one timer callback: slept on a futex (Atomics.wait)
   * up to WAKE_US before the deadline, which uses no CPU where polling would hold one that the
   * rest of the host needs just then; the rest is polled. No loop turn comes between: one
   * would first run every other timer that expired during the sleep and the microtasks queued
   * before it (0.5–0.7 ms measured at a takeover). Instead `drain` reads what arrived
   * meanwhile, so an advert re-arms (supersedes) the deadline rather than lose to it.
   */
  private finish(deadline: Micros, gen: number): void {
    if (gen !== this.armed) return;
    for (let left = deadline - this.now(); left > 0; left = deadline - this.now()) {
      // A futex sleep never wakes early but for a signal; then it sleeps again.
      if (left > WAKE_US)
        Atomics.wait(SLEEPER, 0, 0, Math.min(left - WAKE_US, LEAD_MS * 1000) / 1000);
    }
    this.drain?.();
    if (gen === this.armed) this.fire();
  }
}
