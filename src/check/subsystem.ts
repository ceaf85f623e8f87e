/**
 * The checker subsystem as the daemon sees it (core/subsystem.ts): start, reload, stop and
 * status over one CheckerRuntime. The checkers own no kernel objects; the load-balancing
 * data plane follows their 'rs:state' events.
 */
import type { ConfigDiff } from '../config/diff.js';
import type { Config } from '../config/model.js';
import type { Subsystem } from '../core/subsystem.js';
import { CheckerRuntime, type RuntimeOptions } from './runtime.js';

export function createCheckerSubsystem(opts: RuntimeOptions = {}): Subsystem {
  let rt: CheckerRuntime | null = null;
  return {
    name: 'checkers',
    start(config: Config): Promise<void> {
      rt = new CheckerRuntime(opts);
      rt.start(config);
      return Promise.resolve();
    },
    reload(config: Config, _diff: ConfigDiff): Promise<void> {
      if (!rt) {
        rt = new CheckerRuntime(opts);
        rt.start(config);
      } else rt.reload(config);
      return Promise.resolve();
    },
    async stop(_reason: string): Promise<void> {
      await rt?.stop();
      rt = null;
    },
    status(): unknown {
      return rt?.status() ?? { realServers: [], skipped: [] };
    },
  };
}
