/**
 * What the daemon asks of each subsystem (VRRP, checkers + load balancing,
 * BFD, gateways). The daemon owns the lifecycle; a subsystem owns its kernel
 * objects and must remove every one it made on stop (unless told to keep them).
 */
import type { ConfigDiff } from '../config/diff.js';
import type { Config } from '../config/model.js';

export interface Subsystem {
  readonly name: string;
  /** Bring the subsystem up with this configuration. */
  start(config: Config): Promise<void>;
  /** Apply a new configuration; `diff` says what changed since the running one. */
  reload(config: Config, diff: ConfigDiff): Promise<void>;
  /**
   * The first, synchronous step of a stop, run for every subsystem before any `stop` is
   * awaited: what must not wait behind another subsystem's teardown goes here (VRRP's
   * priority-0 adverts).
   */
  beginStop?(reason: string): void;
  /** Stop and remove what it made (addresses, routes, tables). */
  stop(reason: string): Promise<void>;
  /** Runtime state for status, dumps and the API (plain JSON). */
  status(): unknown;
  /** Extra control-socket commands this subsystem answers (e.g. `lb-stats`). */
  commands?(): Record<string, (args: Record<string, unknown>) => unknown>;
}
