/**
 * One timer for every checker: a binary min-heap of (deadline, item) on the injected clock,
 * with a single clock timer armed for the earliest deadline. At 10,000 checks/s one
 * setTimeout per checker (and its clearTimeout) was a visible share of the CPU, and items
 * due at the same moment now fire in one callback, so their probes go out together.
 *
 * Cancellation is lazy: an item carries a generation number; cancelling or rescheduling
 * bumps it and stale heap slots are dropped when they reach the top. I/O only through the
 * clock.
 */
import type { Clock } from './runtime-types.js';

/** What the queue needs on an item: its generation (owned by the queue). */
export interface Queued {
  qGen: number;
}

export class DeadlineQueue<T extends Queued> {
  private readonly at: number[] = [];
  private readonly items: T[] = [];
  private readonly gens: number[] = [];
  private cancelTimer: (() => void) | null = null;
  /** Deadline the clock timer is armed for (Infinity: none). */
  private armedAt = Infinity;
  private firing = false;

  constructor(
    private readonly clock: Clock,
    private readonly onDue: (item: T) => void,
  ) {}

  /** (Re)schedules `item` at `at` (ms on the clock); a previous schedule is dropped. */
  schedule(item: T, at: number): void {
    const gen = ++item.qGen;
    this.push(at, item, gen);
    if (!this.firing && at < this.armedAt) this.arm();
  }

  cancel(item: T): void {
    item.qGen++;
  }

  /** Drops everything and the clock timer. */
  clear(): void {
    for (const item of this.items) item.qGen++;
    this.at.length = 0;
    this.items.length = 0;
    this.gens.length = 0;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedAt = Infinity;
  }

  get size(): number {
    return this.at.length;
  }

  private arm(): void {
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.armedAt = Infinity;
    // Stale slots at the top would arm the timer for nothing.
    while (this.at.length > 0 && this.items[0]!.qGen !== this.gens[0]) this.pop();
    if (this.at.length === 0) return;
    const at = this.at[0]!;
    this.armedAt = at;
    this.cancelTimer = this.clock.setTimer(() => this.fire(), Math.max(0, at - this.clock.now()));
  }

  private fire(): void {
    this.cancelTimer = null;
    this.armedAt = Infinity;
    const now = this.clock.now();
    this.firing = true;
    try {
      while (this.at.length > 0 && this.at[0]! <= now) {
        const item = this.items[0]!;
        const gen = this.gens[0]!;
        this.pop();
        if (item.qGen !== gen) continue;
        item.qGen++;
        this.onDue(item);
      }
    } finally {
      this.firing = false;
      this.arm();
    }
  }

  private push(at: number, item: T, gen: number): void {
    const a = this.at;
    const it = this.items;
    const g = this.gens;
    let i = a.length;
    a.push(at);
    it.push(item);
    g.push(gen);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (a[p]! <= at) break;
      a[i] = a[p]!;
      it[i] = it[p]!;
      g[i] = g[p]!;
      i = p;
    }
    a[i] = at;
    it[i] = item;
    g[i] = gen;
  }

  private pop(): void {
    const a = this.at;
    const it = this.items;
    const g = this.gens;
    const lastAt = a.pop()!;
    const lastItem = it.pop()!;
    const lastGen = g.pop()!;
    const n = a.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      let c = 2 * i + 1;
      if (c >= n) break;
      if (c + 1 < n && a[c + 1]! < a[c]!) c++;
      if (a[c]! >= lastAt) break;
      a[i] = a[c]!;
      it[i] = it[c]!;
      g[i] = g[c]!;
      i = c;
    }
    a[i] = lastAt;
    it[i] = lastItem;
    g[i] = lastGen;
  }
}
