/**
 * The VRRP subsystem as the daemon sees it (core/subsystem.ts): start, reload with the new
 * configuration, stop (masters send priority 0, then VIPs are removed), status. I/O lives in
 * runtime.ts and below.
 */
import type { ConfigDiff } from '../config/diff.js';
import type { Config } from '../config/model.js';
import type { Subsystem } from '../core/subsystem.js';
import { VrrpRuntime } from './runtime.js';

export function createVrrpSubsystem(): Subsystem {
  let rt: VrrpRuntime | null = null;
  return {
    name: 'vrrp',
    async start(config: Config): Promise<void> {
      rt = new VrrpRuntime();
      await rt.start(config);
    },
    // The runtime compares instance fingerprints itself; the diff only says whether to bother.
    async reload(config: Config, diff: ConfigDiff): Promise<void> {
      if (!rt) return;
      // fifo_write_vrrp_states_on_reload wants the states written on every reload.
      if (diff.changes.length === 0 && !config.global.fifoWriteVrrpStatesOnReload) return;
      await rt.reload(config);
    },
    beginStop(): void {
      rt?.shutdown();
    },
    async stop(): Promise<void> {
      await rt?.stop();
      rt = null;
    },
    status(): unknown {
      return rt?.status() ?? { instances: [] };
    },
  };
}
