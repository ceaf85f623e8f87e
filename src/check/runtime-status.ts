/**
 * The checker runtime's status() (what the daemon's status, dumps and `stayalivectl check`
 * show), built from its entries. Pure.
 */
import type { Skipped } from './plan.js';
import type { RsEntry } from './runtime-types.js';
import type { CheckerStatus } from './status-types.js';

export function statusOf(
  rss: readonly RsEntry[],
  skipped: Skipped[],
  isSuspended: (r: RsEntry) => boolean,
): CheckerStatus {
  const iso = (ms: number | null): string | null =>
    ms === null ? null : new Date(ms).toISOString();
  return {
    realServers: rss.map((r) => ({
      vs: r.plan.vsId,
      rs: r.plan.rsId,
      state: r.up ? 'up' : 'down',
      weight: r.weight,
      configuredWeight: r.plan.weight,
      lastChange: iso(r.lastChange),
      changes: r.changes,
      suspended: isSuspended(r),
      checkers: r.checkers.map((c) => ({
        id: c.plan.id,
        target: c.plan.target,
        state: c.state.up ? 'up' : 'down',
        inFlight: c.state.inFlight,
        retriesUsed: c.state.retriesUsed,
        probes: c.state.probes,
        failures: c.state.failures,
        last: c.state.last
          ? {
              ok: c.state.last.ok,
              reason: c.state.last.reason,
              latencyMs: c.state.last.latencyMs,
              at: iso(c.lastResultAt),
            }
          : null,
        dynamicWeight: c.state.weight,
      })),
    })),
    skipped: skipped,
  };
}
