// Bounded waiting for lab tests: every wait has a deadline and says what it waited for.
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
  /** Pause between attempts (default 20 ms). */
  intervalMs?: number;
  /** Named in the timeout error, e.g. 'VIP on b'. */
  what?: string;
}

/** What a successful waitFor() returns: the condition's value minus its falsy cases. */
export type Truthy<T> = Exclude<T, false | 0 | '' | null | undefined>;

export const sleep = (ms: number): Promise<void> => delay(ms);

/** Rejects with `timed out after N ms: what` if `p` has not settled by then. */
export async function withDeadline<T>(p: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([p, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Polls `cond` until it returns a truthy value, and returns that value. An attempt that throws
 * counts as "not yet" (its error is quoted if the deadline passes); an attempt that hangs is cut
 * off by the same deadline.
 */
export async function waitFor<T>(
  cond: () => T | Promise<T>,
  opts: WaitOptions = {},
): Promise<Truthy<T>> {
  const { timeoutMs = 5000, intervalMs = 20, what = 'condition' } = opts;
  const end = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) break;
    try {
      const v = await withDeadline(Promise.resolve(cond()), left, what);
      if (v) return v as Truthy<T>;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    await sleep(Math.max(0, Math.min(intervalMs, end - Date.now() - 1)));
  }
  const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
}
