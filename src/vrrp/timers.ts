/**
 * VRRP timer arithmetic (RFC 3768 §6.1, RFC 5798 §6.1), pure.
 *
 * Every duration is an integer number of microseconds, as keepalived keeps
 * them (TIMER_HZ = 1 000 000): v2 skew for priority 100 is exactly 609 375 µs,
 * which milliseconds could not hold. The integer divisions round down the way
 * keepalived's unsigned arithmetic does.
 */

/** Microseconds: every time and duration in the VRRP machine. */
export type Micros = number;

export const US_PER_MS = 1_000;
export const US_PER_CS = 10_000;
export const US_PER_S = 1_000_000;

export const seconds = (s: number): Micros => Math.round(s * US_PER_S);
export const centis = (cs: number): Micros => cs * US_PER_CS;

/**
 * Skew_Time. v2: (256 − prio) / 256 s, independent of the interval.
 * v3: ((256 − prio) × Master_Adver_Interval) / 256, with the interval taken in
 * whole centiseconds (what goes on the wire).
 */
export function skewTime(version: 2 | 3, priority: number, masterAdverInt: Micros): Micros {
  const weight = 256 - priority;
  if (version === 3) {
    const cs = Math.floor(masterAdverInt / US_PER_CS);
    // (weight × cs × 10 000) / 256 == weight × cs × 625 / 16
    return Math.floor((weight * cs * 625) / 16);
  }
  return Math.floor((weight * US_PER_S) / 256);
}

/** Master_Down_Interval = down_timer_adverts × Master_Adver_Interval + Skew_Time (default 3 adverts). */
export function masterDownInterval(
  version: 2 | 3,
  priority: number,
  masterAdverInt: Micros,
  downTimerAdverts = 3,
): Micros {
  return downTimerAdverts * masterAdverInt + skewTime(version, priority, masterAdverInt);
}

/** The earliest of some optional deadlines, or null when none is set. */
export function earliest(...at: (Micros | null)[]): Micros | null {
  let best: Micros | null = null;
  for (const t of at) if (t !== null && (best === null || t < best)) best = t;
  return best;
}

/** A deadline is due once the clock has reached it. */
export const due = (at: Micros | null, now: Micros): boolean => at !== null && now >= at;
