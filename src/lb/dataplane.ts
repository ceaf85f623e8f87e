/**
 * The data-plane seam: the subsystem hands a desired table to a Dataplane, which makes the kernel
 * match it: nftables (nft.ts) or IPVS over generic netlink (ipvs-dataplane.ts), chosen by
 * ipvs-select.ts.
 */
import type { DesiredTable } from './types.js';

export interface ApplyStats {
  commands: number;
  elementsAdded: number;
  elementsRemoved: number;
  chainsReplaced: number;
  ms: number;
  warnings: string[];
}

export interface Dataplane {
  readonly name: string;
  /** Make the kernel match `desired` in one atomic step. Throws naming the failing command. */
  apply(desired: DesiredTable): Promise<ApplyStats>;
  /** Remove every kernel object this data plane made. */
  release(): Promise<void>;
  /** Per service id: extra facts for status (chain names, approximations…). */
  describe(): Record<string, unknown>;
  /** Per-real-server traffic counters, keyed by ruleset.ts counterNames(), read from the kernel. */
  counters?(): Promise<Map<string, CounterValue>>;
}

export interface CounterValue {
  packets: number;
  bytes: number;
}
