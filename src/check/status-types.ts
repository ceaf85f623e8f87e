/**
 * The checker runtime's status() shape (daemon status, dumps, `stayalivectl check`). Pure
 * types.
 */
import type { CheckerState } from './machine.js';
import type { Skipped } from './plan.js';

export interface CheckerStatus {
  realServers: Array<{
    vs: string;
    rs: string;
    state: 'up' | 'down';
    weight: number;
    configuredWeight: number;
    lastChange: string | null;
    changes: number;
    /** ha_suspend: the VS address is not on this host, so its checkers are paused. */
    suspended?: boolean;
    checkers: Array<{
      id: string;
      target: string;
      state: 'up' | 'down';
      inFlight: boolean;
      retriesUsed: number;
      probes: number;
      failures: number;
      last: { ok: boolean; reason: string; latencyMs: number; at: string | null } | null;
      dynamicWeight: CheckerState['weight'];
    }>;
  }>;
  skipped: Skipped[];
}
