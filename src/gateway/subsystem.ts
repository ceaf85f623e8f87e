/**
 * Gateway tracking as the daemon sees it (core/subsystem.ts): gateway_track routes and the
 * static_ipaddress / static_routes / static_rules objects, over one GatewayRuntime.
 * A reload re-adopts the kernel's routes under the new config (nothing unchanged flaps).
 */
import type { ConfigDiff } from '../config/diff.js';
import type { Config } from '../config/model.js';
import type { Subsystem } from '../core/subsystem.js';
import { GatewayRuntime, type GatewayRuntimeOptions } from './runtime.js';

export function createGatewaySubsystem(opts: GatewayRuntimeOptions = {}): Subsystem {
  let rt: GatewayRuntime | null = null;
  return {
    name: 'gateways',
    async start(config: Config): Promise<void> {
      rt = new GatewayRuntime(opts);
      await rt.start(config);
    },
    async reload(config: Config, _diff: ConfigDiff): Promise<void> {
      if (!rt) {
        rt = new GatewayRuntime(opts);
        await rt.start(config);
      } else await rt.reload(config);
    },
    async stop(_reason: string): Promise<void> {
      await rt?.stop();
      rt = null;
    },
    status(): unknown {
      return rt?.status() ?? { gateways: [], multipath: [], heldRoutes: 0 };
    },
  };
}
