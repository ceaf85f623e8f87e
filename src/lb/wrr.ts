/**
 * Weighted round robin in IPVS's order (ip_vs_wrr.c behaviour, my own code): a current weight
 * starts at the maximum and drops by the gcd each time the list wraps; a backend is picked when
 * its weight reaches the current weight. One cycle is Σ weight/gcd picks, so `numgen inc` over
 * the precomputed cycle gives exactly IPVS's sequence and exact proportions per cycle. Pure.
 */
import type { Weighted } from './rr.js';

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** One full wrr cycle of backend ids (empty when no backend has weight > 0). */
export function wrrSlots(backends: readonly Weighted[], maxSlots = 1 << 16): string[] {
  const live = backends.filter((b) => b.weight > 0);
  if (live.length === 0) return [];
  const di = live.reduce((g, b) => gcd(g, b.weight), 0);
  const mw = Math.max(...live.map((b) => b.weight));
  const cycle = live.reduce((s, b) => s + b.weight / di, 0);
  if (cycle > maxSlots) {
    // Huge weight ratios: scale down (proportions then hold to within one slot per backend).
    const f = maxSlots / cycle;
    return wrrSlots(
      live.map((b) => ({ id: b.id, weight: Math.max(1, Math.floor(b.weight * f)) })),
      maxSlots,
    );
  }
  const out: string[] = [];
  let cw = mw;
  let i = -1;
  while (out.length < cycle) {
    i++;
    if (i === live.length) {
      i = 0;
      cw -= di;
      if (cw <= 0) cw = mw;
    }
    if (live[i].weight >= cw) out.push(live[i].id);
  }
  return out;
}
