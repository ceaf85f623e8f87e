/**
 * Starting a promise-form probe for the runtime: the checker's AbortController (reused until
 * something aborts it), a cap timer in case the probe never settles, and errors turned into
 * failed results. I/O through the injected clock.
 */
import { hardCapS, type DetailedResult } from './probes.js';
import type { CheckerEntry, Clock } from './runtime-types.js';

/** Runs `c.run`; `onResult` gets its result unless the probe was aborted (c.abort changed). */
export function launchPromise(
  c: CheckerEntry,
  clock: Clock,
  onResult: (d: DetailedResult) => void,
): void {
  // One controller per checker until something aborts it: a fresh AbortController per probe
  // is a visible share of the CPU at thousands of checks per second.
  const ac = c.spare && !c.spare.signal.aborted ? c.spare : new AbortController();
  c.spare = ac;
  c.abort = ac;
  const cancelCap = clock.setTimer(() => ac.abort(), hardCapS(c.plan) * 1000);
  const settle = (d: DetailedResult): void => {
    cancelCap();
    if (c.abort !== ac) return;
    c.abort = null;
    onResult(d);
  };
  let p: Promise<DetailedResult>;
  try {
    p = c.run(ac.signal);
  } catch (e) {
    p = Promise.reject(e as Error);
  }
  p.then(settle, (e: unknown) =>
    settle({
      ok: false,
      reason: `probe error: ${e instanceof Error ? e.message : String(e)}`,
      latencyMs: 0,
    }),
  );
}
