/**
 * What `stayalivectl vrrp`, the control socket and the SIGUSR1 dump show of one instance:
 * state, priorities (base and effective), the master's address, timers, faults and counters.
 * Pure: built from the config, the machine state and the runtime's counters.
 */
import type { VrrpInstance } from '../config/vrrp/types.js';
import type { MachineState } from './machine-types.js';

export function instanceStatus(
  v: VrrpInstance,
  m: MachineState | null,
  source: string,
  counters: Record<string, unknown>,
): Record<string, unknown> {
  return {
    name: v.name,
    interface: v.interface,
    vrid: v.virtualRouterId,
    version: v.version,
    family: v.family,
    state: m?.state ?? 'INIT',
    basePriority: m?.basePriority ?? v.priority,
    effectivePriority: m?.priority ?? v.priority,
    masterAddress: m?.state === 'MASTER' ? source : (m?.master?.address ?? null),
    sourceAddress: source,
    advertInt: v.advertInt,
    masterAdverInt: m ? m.masterAdverInt / 1e6 : v.advertInt,
    faults: m?.faults ?? [],
    syncGroup: v.syncGroup,
    counters,
  };
}
