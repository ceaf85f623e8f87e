/**
 * lc / wlc / sed / nq on nftables: the kernel cannot take an argmin over live connection counts,
 * so the subsystem periodically turns the counts (conntrack.ts) into wrr weights that steer new
 * connections towards the least-loaded servers. Pure.
 *
 * Each live server gets a load as IPVS scores it (lc: active×256 + inactive; wlc: the same over
 * the weight; sed: (active+1)/weight; nq: 0 when idle, else as sed), the servers are ranked by it, and the slot weight of
 * a server is proportional to how far it sits below the most loaded one:
 *   slots_i = w_i × (1 + SPREAD × (maxLoad − load_i) / maxLoad)   (w_i = 1 for lc)
 * rounded, at least 1. Equal loads give plain (w)rr. nq additionally gives an idle server
 * (no active connection) the largest share. The weights change only when the ranking changes, so
 * a steady state costs no transaction. Bursts within one period are spread by these weights, not
 * strictly to the least-loaded server (docs/lb.md).
 */

export const LEAST_CONN = new Set(['lc', 'wlc', 'sed', 'nq']);
/** How much more a lightly loaded server may get than the most loaded one. */
const SPREAD = 3;

export interface LoadInput {
  id: string;
  /** Configured (checker) weight; 0 = drained, gets no slots. */
  weight: number;
  active: number;
  inactive: number;
}

export function loadOf(scheduler: string, b: LoadInput): number {
  const w = Math.max(1, b.weight);
  switch (scheduler) {
    case 'lc':
      return b.active * 256 + b.inactive;
    case 'nq':
      // IPVS nq takes an idle server first, whatever its weight.
      return b.active === 0 ? 0 : (b.active + 1) / w;
    case 'sed':
      return (b.active + 1) / w;
    default:
      return (b.active * 256 + b.inactive) / w;
  }
}

/** Live servers from least to most loaded (ties by id, so the order is stable). */
export function ranking(scheduler: string, backends: readonly LoadInput[]): string[] {
  return backends
    .filter((b) => b.weight > 0)
    .map((b) => ({ id: b.id, load: loadOf(scheduler, b) }))
    .sort((a, b) => a.load - b.load || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((x) => x.id);
}

/** Slot weights per server id (drained servers are absent). */
export function leastConnWeights(
  scheduler: string,
  backends: readonly LoadInput[],
): Map<string, number> {
  const live = backends.filter((b) => b.weight > 0);
  const loads = live.map((b) => loadOf(scheduler, b));
  const max = Math.max(0, ...loads);
  const maxW = Math.max(1, ...live.map((b) => (scheduler === 'lc' ? 1 : b.weight)));
  const out = new Map<string, number>();
  live.forEach((b, i) => {
    const w = scheduler === 'lc' ? 1 : b.weight;
    const headroom = max > 0 ? (max - loads[i]) / max : 0;
    let slots = w * (1 + SPREAD * headroom);
    if (scheduler === 'nq' && b.active === 0 && max > 0)
      slots = Math.max(slots, maxW * (1 + SPREAD));
    out.set(b.id, Math.max(1, Math.round(slots)));
  });
  return out;
}
