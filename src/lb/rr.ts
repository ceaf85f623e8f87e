/**
 * Round robin (IPVS `rr`): one slot per backend that may take new flows (weight > 0), in config
 * order. `numgen inc mod N` over these slots is exact: every N new flows hit each backend once.
 * Pure.
 */
export interface Weighted {
  id: string;
  weight: number;
}

export function rrSlots(backends: readonly Weighted[]): string[] {
  return backends.filter((b) => b.weight > 0).map((b) => b.id);
}
