/**
 * The checker runtime's injected parts (clock, options) and its per-checker and
 * per-real-server entries. Types plus the real clock.
 */
import type { CheckerState } from './machine.js';
import type { CheckerPlan, RsPlan } from './plan.js';
import type { DetailedResult, DirectProbe, ProbeFactory } from './probes.js';
import type { LocalAddresses } from './address-watch.js';
import type { FifoSink } from './fifo.js';
import type { RunOptions, RunOutcome } from '../os/run-script.js';

export interface Clock {
  now(): number;
  /** Calls fn after ms; returns the function that cancels it. */
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

export interface RuntimeOptions {
  clock?: Clock;
  rng?: () => number;
  probeFactory?: ProbeFactory;
  /** Seconds a notify_up / notify_down script may run. */
  notifyTimeoutS?: number;
  /** Wall-clock time for status (ms since epoch). */
  wallClock?: () => number;
  /** FIFO lines go here; default: the configured notify_fifo / lvs_notify_fifo. */
  fifo?: FifoSink | null;
  /** For ha_suspend; default: an RtnlAddressWatch, opened only when some VS needs it. */
  localAddresses?: () => LocalAddresses;
  /** Runs notify_up/down and quorum_up/down scripts; default: runScript (misc.ts). */
  runNotify?: (argv: string[], opts: RunOptions) => Promise<RunOutcome>;
}

export interface CheckerEntry {
  plan: CheckerPlan;
  /** Set when its real server entry is built (reassigned on reload). */
  owner: RsEntry | null;
  state: CheckerState;
  run: (signal: AbortSignal) => Promise<DetailedResult>;
  /** The callback form of `run` (TCP_CHECK on the addon), bound to this entry. */
  direct: DirectProbe | null;
  /** The direct probe in flight (its handle), or -1. */
  directHandle: number;
  /** The deadline queue's generation for this entry (deadline-queue.ts). */
  qGen: number;
  abort: AbortController | null;
  /** Reused by the next probe until it is aborted (probes remove their listeners). */
  spare: AbortController | null;
  lastResultAt: number | null;
  dead: boolean;
  /** Its next probe is held because its virtual server is suspended (ha_suspend). */
  parked: boolean;
}

export interface RsEntry {
  plan: RsPlan;
  checkers: CheckerEntry[];
  up: boolean;
  weight: number;
  lastChange: number | null;
  changes: number;
  /** The VS address when ha_suspend applies, else null. */
  haAddr: string | null;
}
