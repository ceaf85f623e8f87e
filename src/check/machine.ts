/**
 * Checker scheduling and verdicts as pure reducers (no I/O, no timers, no clock).
 *
 * One `CheckerState` per checker: `step(state, input, now)` returns the next state, the
 * effects for the shell (start a probe, checker went up/down, retry) and the deadline at
 * which the shell must feed a `tick`. Times are milliseconds on the caller's clock;
 * timings come from the config model in seconds.
 *
 * keepalived's rules kept (check_api.c / the per-checker epilogs):
 * - first probe at a random point in [0, warmup] (warmup defaults to delay_loop), then every
 *   delay_loop after a probe finishes;
 * - a failure while the checker is up (or has never run) is retried after
 *   delay_before_retry, up to `retry` extra attempts; only then is the checker down;
 *   a failure while it is already down is not retried;
 * - one success resets the retry count and brings the checker up;
 * - `alpha` starts the checker down;
 * - never two probes of the same checker in flight (a late result is dropped).
 *
 * A real server is up when every checker is up; its weight is the configured weight plus
 * the checkers' dynamic contributions (misc_dynamic, FILE_CHECK), clamped like keepalived's
 * real_weight().
 */

export interface CheckerTiming {
  /** Seconds between probes. */
  delayLoop: number;
  /** Extra attempts before a checker is declared down. */
  retry: number;
  /** Seconds before a retry. */
  delayBeforeRetry: number;
  /** Upper bound (seconds) of the random first-probe delay. */
  warmup: number;
  /** Start down until a probe passes. */
  alpha: boolean;
}

/** A checker's dynamic weight: absolute (misc_dynamic: exit − 2) or relative (FILE_CHECK). */
export type DynamicWeight = { kind: 'absolute'; value: number } | { kind: 'delta'; value: number };

export interface ProbeOutcome {
  ok: boolean;
  reason: string;
  weight?: DynamicWeight;
  latencyMs: number;
}

export interface CheckerState {
  timing: CheckerTiming;
  up: boolean;
  hasRun: boolean;
  /** Failed attempts since the last verdict. */
  retriesUsed: number;
  inFlight: boolean;
  /** When the next probe is due (ms); null while a probe is in flight. */
  nextAt: number | null;
  /**
   * While a probe is in flight: when it counts as started (ms) — its due time, or up to
   * LAG_CAP_MS later when the tick came late. The next deadline is measured from
   * startedAt + the probe's own latency, so event-loop lag does not stretch the period.
   */
  startedAt: number | null;
  last: ProbeOutcome | null;
  /** Dynamic weight in force (null: none). */
  weight: DynamicWeight | null;
  /** When `up` last changed (ms), null if never. */
  lastChange: number | null;
  probes: number;
  failures: number;
}

export type CheckerInput =
  | { kind: 'tick' }
  | { kind: 'result'; outcome: ProbeOutcome }
  /** Forget the schedule and probe at `now` (used when a config reload changes timing). */
  | { kind: 'reschedule'; timing: CheckerTiming };

export type CheckerEffect =
  | { kind: 'probe' }
  | { kind: 'up'; reason: string }
  | { kind: 'down'; reason: string; attempts: number }
  /** A failure that will be retried: `attempt` of `retry` extra attempts. */
  | { kind: 'retry'; reason: string; attempt: number }
  /** A failure while already down (logged only with log_all_failures). */
  | { kind: 'still-down'; reason: string }
  | { kind: 'weight'; weight: DynamicWeight | null };

export interface StepResult {
  state: CheckerState;
  effects: CheckerEffect[];
  /** When the shell must send the next tick (ms), or null (waiting for a result). */
  deadline: number | null;
}

const S = 1000;
/** How much of a late tick counts as event-loop lag (see CheckerState.startedAt). */
export const LAG_CAP_MS = 250;

/**
 * `delayS` after the probe ended, the end being startedAt + the probe's latency (never later
 * than now): a result the event loop handled late does not push the next probe back.
 * Never in the past.
 */
function after(state: CheckerState, outcome: ProbeOutcome, now: number, delayS: number): number {
  const lat = Number.isFinite(outcome.latencyMs) ? Math.max(0, outcome.latencyMs) : 0;
  const end = state.startedAt === null ? now : Math.min(now, state.startedAt + lat);
  return Math.max(now, end + delayS * S);
}

/** A checker's state at start: first probe at now + rng() × warmup. `rng` returns [0, 1). */
export function initChecker(timing: CheckerTiming, now: number, rng: () => number): CheckerState {
  const spread = Math.max(0, timing.warmup) * S * Math.min(Math.max(rng(), 0), 1);
  return {
    timing,
    up: !timing.alpha,
    hasRun: false,
    retriesUsed: 0,
    inFlight: false,
    nextAt: now + spread,
    startedAt: null,
    last: null,
    weight: null,
    lastChange: null,
    probes: 0,
    failures: 0,
  };
}

function sameWeight(a: DynamicWeight | null, b: DynamicWeight | null): boolean {
  return a === b || (a !== null && b !== null && a.kind === b.kind && a.value === b.value);
}

export function step(state: CheckerState, input: CheckerInput, now: number): StepResult {
  switch (input.kind) {
    case 'tick': {
      if (state.inFlight || state.nextAt === null || now < state.nextAt) {
        return { state, effects: [], deadline: state.inFlight ? null : state.nextAt };
      }
      const next = {
        ...state,
        inFlight: true,
        nextAt: null,
        startedAt: Math.max(state.nextAt, now - LAG_CAP_MS),
        probes: state.probes + 1,
      };
      return { state: next, effects: [{ kind: 'probe' }], deadline: null };
    }
    case 'reschedule': {
      const next = { ...state, timing: input.timing, nextAt: state.inFlight ? null : now };
      return { state: next, effects: [], deadline: next.nextAt };
    }
    case 'result':
      if (!state.inFlight) return { state, effects: [], deadline: state.nextAt };
      return input.outcome.ok
        ? onSuccess(state, input.outcome, now)
        : onFailure(state, input.outcome, now);
  }
}

function onSuccess(state: CheckerState, outcome: ProbeOutcome, now: number): StepResult {
  const effects: CheckerEffect[] = [];
  const weight = outcome.weight ?? null;
  if (!sameWeight(weight, state.weight)) effects.push({ kind: 'weight', weight });
  if (!state.up) effects.push({ kind: 'up', reason: outcome.reason });
  const next: CheckerState = {
    ...state,
    up: true,
    hasRun: true,
    retriesUsed: 0,
    inFlight: false,
    nextAt: after(state, outcome, now, state.timing.delayLoop),
    startedAt: null,
    last: outcome,
    weight,
    lastChange: state.up ? state.lastChange : now,
  };
  return { state: next, effects, deadline: next.nextAt };
}

function onFailure(state: CheckerState, outcome: ProbeOutcome, now: number): StepResult {
  const t = state.timing;
  const base = {
    ...state,
    inFlight: false,
    startedAt: null,
    last: outcome,
    failures: state.failures + 1,
  };
  // keepalived retries only while the checker is up or has not run yet.
  if ((state.up || !state.hasRun) && state.retriesUsed < t.retry) {
    const attempt = state.retriesUsed + 1;
    const next = {
      ...base,
      hasRun: true,
      retriesUsed: attempt,
      nextAt: after(state, outcome, now, t.delayBeforeRetry),
    };
    return {
      state: next,
      effects: [{ kind: 'retry', reason: outcome.reason, attempt }],
      deadline: next.nextAt,
    };
  }
  const effects: CheckerEffect[] = [];
  // A failing checker's dynamic weight no longer counts (keepalived resets cur_weight).
  if (state.weight !== null) effects.push({ kind: 'weight', weight: null });
  if (state.up) {
    effects.push({ kind: 'down', reason: outcome.reason, attempts: state.retriesUsed + 1 });
  } else {
    effects.push({ kind: 'still-down', reason: outcome.reason });
  }
  const next: CheckerState = {
    ...base,
    up: false,
    hasRun: true,
    retriesUsed: 0,
    nextAt: after(state, outcome, now, t.delayLoop),
    weight: null,
    lastChange: state.up ? now : state.lastChange,
  };
  return { state: next, effects, deadline: next.nextAt };
}

/** keepalived's IPVS_WEIGHT_LIMIT (INT32_MAX): effective weights are clamped to [0, this]. */
export const WEIGHT_LIMIT = 2 ** 31 - 1;

export interface RsVerdict {
  up: boolean;
  weight: number;
}

/**
 * A real server's verdict from its checkers: up when all are up (no checker: up), weight =
 * configured weight + each checker's contribution (absolute w contributes w − configured,
 * as keepalived's cur_weight does), clamped to [0, WEIGHT_LIMIT].
 */
export function rsVerdict(
  configuredWeight: number,
  checkers: ReadonlyArray<Pick<CheckerState, 'up' | 'weight'>>,
): RsVerdict {
  let weight = configuredWeight;
  let up = true;
  for (const c of checkers) {
    if (!c.up) up = false;
    if (c.weight)
      weight += c.weight.kind === 'absolute' ? c.weight.value - configuredWeight : c.weight.value;
  }
  return { up, weight: Math.min(Math.max(weight, 0), WEIGHT_LIMIT) };
}

/** misc_dynamic: exit 0 → ok, 1 → fail, 2..255 → ok with weight exit − 2; without dynamic only 0 passes. */
export function miscVerdict(
  code: number,
  dynamic: boolean,
): { ok: boolean; weight?: DynamicWeight } {
  if (code === 0) return { ok: true };
  if (dynamic && code >= 2 && code <= 255)
    return { ok: true, weight: { kind: 'absolute', value: code - 2 } };
  return { ok: false };
}

/** keepalived's IPVS_WEIGHT_FAULT: a tracked-file product at or below it means down. */
const WEIGHT_FAULT = -(2 ** 31);

/**
 * FILE_CHECK: with weight 0 any non-zero value is a failure; otherwise the checker stays up
 * and adds value × weight (× −1 with reverse) to the real server's weight.
 */
export function fileVerdict(
  value: number,
  weight: number,
  reverse: boolean,
): { ok: boolean; weight?: DynamicWeight } {
  if (weight === 0) return { ok: value === 0 };
  const product = value * weight * (reverse ? -1 : 1);
  if (product <= WEIGHT_FAULT) return { ok: false };
  return { ok: true, weight: { kind: 'delta', value: product } };
}
