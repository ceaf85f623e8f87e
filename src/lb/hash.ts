/**
 * Hash buckets for `sh` (source hashing) and `dh` (destination hashing): a fixed table of 256
 * buckets (IPVS's sh/dh table size) filled round-robin, each backend taking `weight` consecutive
 * buckets per turn. The rule is `jhash <addr> mod 256 map @slots`, so a backend going up or down
 * changes only map elements, never the rule. Like IPVS, any change refills the whole table.
 * Also the small pure hashes used by Maglev. Pure.
 */
import type { Weighted } from './rr.js';

export const HASH_BUCKETS = 256;
/** Seed for nft's jhash: fixed so every director computes the same buckets. */
export const JHASH_SEED = 0x5eed;

export function hashSlots(backends: readonly Weighted[], size = HASH_BUCKETS): string[] {
  const live = backends.filter((b) => b.weight > 0);
  if (live.length === 0) return [];
  const out: string[] = [];
  let i = 0;
  let used = 0;
  while (out.length < size) {
    out.push(live[i].id);
    used++;
    if (used >= live[i].weight) {
      used = 0;
      i = (i + 1) % live.length;
    }
  }
  return out;
}

/** 32-bit FNV-1a of a string with a seed, finished with murmur3's fmix32. */
export function hash32(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
