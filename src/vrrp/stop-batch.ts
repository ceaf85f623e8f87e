/**
 * The graceful handover's first packets, armed for SIGTERM and SIGINT: every master's
 * priority-0 advert(s) in one native SendBatch that the signal handler sends itself, before
 * Node has even woken its event loop for the signal (os/native.ts `armSignals`). The backups'
 * Skew_Time then starts microseconds after the signal; through JavaScript it started ~0.3 ms
 * later than keepalived's. I/O module.
 *
 * A batch must never speak for an instance that is no longer master: any change of
 * mastership disarms it at once, and a fresh one is built on the next turn. In between, the
 * stop path sends the priority-0 advert from JavaScript, as it always did.
 */
import { SendBatch } from '../os/native.js';

/** An instance as the stop batch sees it. */
export interface StopAdvertSource {
  /** Adds this instance's priority-0 advert(s) if it is master; how many (0 if not). */
  addStopAdvertsTo(batch: SendBatch): number;
}

export const STOP_SIGNALS: NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

export class StopBatch {
  private batch: SendBatch | null = null;
  private readonly counts = new Map<StopAdvertSource, number>();
  private rebuilding: NodeJS.Immediate | null = null;
  private closed = false;

  constructor(private readonly sources: () => Iterable<StopAdvertSource>) {}

  /** Mastership changed somewhere: disarm now, rebuild on the next turn. */
  invalidate(): void {
    if (this.closed || this.batch?.fired) return; // a fired batch's record is kept for takeSent
    if (this.batch) SendBatch.disarmSignals();
    this.batch = null;
    this.counts.clear();
    this.rebuilding ??= setImmediate(() => {
      this.rebuilding = null;
      this.rebuild();
    });
  }

  /** Builds and arms the batch for the masters of now (none: nothing armed). */
  rebuild(): void {
    if (this.closed || this.batch?.fired) return;
    const b = new SendBatch();
    this.counts.clear();
    for (const s of this.sources()) {
      const n = s.addStopAdvertsTo(b);
      if (n > 0) this.counts.set(s, n);
    }
    if (b.size > 0) b.armSignals(STOP_SIGNALS);
    else if (this.batch) SendBatch.disarmSignals();
    this.batch = b.size > 0 ? b : null;
  }

  /** A stop signal has sent the batch: the process is stopping. */
  get fired(): boolean {
    return this.batch?.fired ?? false;
  }

  /** How many priority-0 adverts the signal handler already sent for `s`; 0: send them now. */
  takeSent(s: StopAdvertSource): number {
    if (!this.batch?.fired) return 0;
    const n = this.counts.get(s) ?? 0;
    this.counts.delete(s);
    return n;
  }

  /** Nothing is armed any more (the runtime is stopping or stopped). */
  close(): void {
    this.closed = true;
    if (this.rebuilding) clearImmediate(this.rebuilding);
    this.rebuilding = null;
    if (this.batch && !this.batch.fired) SendBatch.disarmSignals();
  }
}
