/**
 * Round robin (IPVS `rr`): one slot per backend that may take new flows (weight > 0).
 * `numgen inc mod N` over these slots is exact: every N new flows hit each backend once. Pure.
 *
 * Slot order: with every backend up, config order. A backend going down must not renumber the
 * others (in a 100-server pool that rewrote ~100 map elements, ~15 ms in nft): the first N
 * configured positions keep their backend, and each hole left by a down backend takes the next
 * live backend from beyond position N. The order depends only on the config and the live set,
 * never on history, so an incremental build and a full build agree. Unlike IPVS, the cycle
 * order after a failure is therefore not config order (each backend still gets 1 of N).
 */
export interface Weighted {
  id: string;
  weight: number;
}

/** `order`: every configured backend id in config order (ids outside it, e.g. sorry, go last). */
export function rrSlots(backends: readonly Weighted[], order?: readonly string[]): string[] {
  const live = backends.filter((b) => b.weight > 0).map((b) => b.id);
  if (!order) return live;
  const up = new Set(live);
  const known = new Set(order);
  const positions = [...order, ...live.filter((id) => !known.has(id))];
  const n = live.length;
  const spare = positions.slice(n).filter((id) => up.has(id));
  return positions.slice(0, n).map((id) => (up.has(id) ? id : spare.shift()!));
}
