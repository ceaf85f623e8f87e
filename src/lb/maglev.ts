/**
 * Maglev consistent hashing (Eisenbud et al., NSDI 2016, §3.4; my own code). Each configured
 * backend gets a preference list (offset + j·skip) mod M over a prime table size M ≥ 100·N; the
 * backends take turns (weight/gcd turns each) claiming their next free slot until all M are full.
 *
 * The table is built from the CONFIGURED backends, so it only changes with the config. A backend
 * that is down or drained keeps its slots in the base table; each such slot falls back to the live
 * backend with the highest rendezvous hash hash32(slot, id). So health changes move exactly the
 * flows of the backend that changed — no other flow moves — and every director that sees the same
 * config and health computes the same table. Pure.
 */
import { hash32 } from './hash.js';
import type { Weighted } from './rr.js';

function isPrime(n: number): boolean {
  if (n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Smallest prime ≥ max(100·n, 101). */
export function maglevSize(n: number): number {
  let m = Math.max(100 * n, 101);
  while (!isPrime(m)) m++;
  return m;
}

function gcd(a: number, b: number): number {
  while (b) [a, b] = [b, a % b];
  return a;
}

/** Base Maglev table: slot → index into `backends` (weights ≥ 1 count as turns). */
export function maglevPopulate(backends: readonly Weighted[], m: number): number[] {
  const n = backends.length;
  const table = new Array<number>(m).fill(-1);
  if (n === 0) return table;
  const w = backends.map((b) => Math.max(1, b.weight));
  const g = w.reduce((a, b) => gcd(a, b), 0);
  const turns = w.map((x) => x / g);
  const offset = backends.map((b) => hash32(b.id, 0x6d61676c) % m);
  const skip = backends.map((b) => (hash32(b.id, 0x736b6970) % (m - 1)) + 1);
  const next = new Array<number>(n).fill(0);
  let filled = 0;
  for (;;) {
    for (let i = 0; i < n; i++) {
      for (let t = 0; t < turns[i]; t++) {
        let c = (offset[i] + next[i] * skip[i]) % m;
        while (table[c] >= 0) {
          next[i]++;
          c = (offset[i] + next[i] * skip[i]) % m;
        }
        table[c] = i;
        next[i]++;
        if (++filled === m) return table;
      }
    }
  }
}

/**
 * Slot → backend id for the live backends. `backends` are all configured ones (config order,
 * configured weights decide the base table); `live` says which may take new flows.
 */
export function maglevSlots(
  backends: readonly Weighted[],
  live: ReadonlySet<string>,
  m = maglevSize(backends.length),
): string[] {
  const alive = backends.filter((b) => live.has(b.id));
  if (alive.length === 0) return [];
  const base = maglevPopulate(backends, m);
  return base.map((owner, slot) => {
    const id = backends[owner].id;
    if (live.has(id)) return id;
    let best = alive[0].id;
    let bestH = -1;
    for (const b of alive) {
      const h = hash32(`${slot}/${b.id}`, 0x66616c6c);
      if (h > bestH) [best, bestH] = [b.id, h];
    }
    return best;
  });
}
