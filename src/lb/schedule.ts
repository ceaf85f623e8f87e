/**
 * keepalived's lb_algo → how nftables picks a slot, and the slot list. Pure.
 *
 * Exact: rr, wrr (numgen over IPVS's cycle), sh/dh (256 hash buckets), mh (Maglev).
 * Approximated by static weights (nftables cannot take an argmin over live connection counts):
 * lc → rr; wlc, sed, nq → wrr; lblc, lblcr → dh (their locality is by destination); fo, ovf → the
 * live backend with the highest weight. For lc/wlc/sed/nq the subsystem recomputes the weights from
 * conntrack counts every second (least-conn.ts) and hands them in as `slotWeights`.
 * DR runs without conntrack, so per-packet numgen would split a flow: DR turns numgen into a hash
 * of the flow over the same slots (proportions then hold statistically, not per cycle).
 */
import { HASH_BUCKETS, hashSlots } from './hash.js';
import { maglevSize, maglevSlots } from './maglev.js';
import { rrSlots } from './rr.js';
import type { DesiredService } from './types.js';
import { wrrSlots } from './wrr.js';

export type HashOn = 'saddr' | 'saddr-port' | 'daddr' | 'flow';

export interface Selection {
  kind: 'numgen' | 'jhash';
  hashOn: HashOn;
  /** The rule's `mod`: fixed for sh/dh/mh, the slot count for rr/wrr (0 = no backend). */
  modulus: number;
  /** Slot → backend id; empty when no backend may take new flows. */
  slots: string[];
  /** Set when the scheduler is approximated. */
  approximate?: string;
}

const APPROX: Record<string, string> = {
  lc: 'lc approximated by wrr over conntrack counts, recomputed every 1 s',
  wlc: 'wlc approximated by wrr over conntrack counts, recomputed every 1 s',
  sed: 'sed approximated by wrr over conntrack counts, recomputed every 1 s',
  nq: 'nq approximated by wrr over conntrack counts, recomputed every 1 s',
  lblc: 'lblc approximated by dh (destination hashing)',
  lblcr: 'lblcr approximated by dh (destination hashing)',
  fo: 'fo: highest-weight live server (no overload tracking)',
  ovf: 'ovf: highest-weight live server (no connection limit tracking)',
};

export function approximation(scheduler: string): string | undefined {
  if (APPROX[scheduler]) return APPROX[scheduler];
  if (['rr', 'wrr', 'sh', 'dh', 'mh'].includes(scheduler)) return undefined;
  return `unknown scheduler ${scheduler}: wrr used`;
}

export function select(svc: DesiredService): Selection {
  const pool = svc.backends.map((b) => ({ id: b.id, weight: b.weight }));
  const order = svc.configured.map((c) => c.id);
  const approximate = approximation(svc.scheduler);
  const srcHash: HashOn = svc.hashPort ? 'saddr-port' : 'saddr';
  const numgen = (slots: string[]): Selection =>
    svc.method === 'DR'
      ? { kind: 'jhash', hashOn: 'flow', modulus: slots.length, slots, approximate }
      : { kind: 'numgen', hashOn: 'flow', modulus: slots.length, slots, approximate };
  const buckets = (hashOn: HashOn): Selection => ({
    kind: 'jhash',
    hashOn,
    modulus: HASH_BUCKETS,
    slots: hashSlots(pool),
    approximate,
  });
  if (svc.sorryActive) {
    // Any scheduler with one backend: keep the rule's shape so leaving sorry mode is cheap.
    if (['sh', 'dh', 'lblc', 'lblcr'].includes(svc.scheduler))
      return buckets(svc.scheduler === 'sh' ? srcHash : 'daddr');
    if (svc.scheduler === 'mh') {
      const m = maglevSize(svc.configured.length);
      const sorry = pool.filter((b) => b.weight > 0).map((b) => b.id);
      return {
        kind: 'jhash',
        hashOn: srcHash,
        modulus: m,
        slots: sorry.length ? new Array<string>(m).fill(sorry[0]) : [],
        approximate,
      };
    }
    return numgen(rrSlots(pool, order));
  }
  if (svc.slotWeights) {
    const sw = svc.slotWeights;
    return numgen(
      wrrSlots(
        pool.map((b) => ({ id: b.id, weight: b.weight > 0 ? (sw.get(b.id) ?? b.weight) : 0 })),
      ),
    );
  }
  switch (svc.scheduler) {
    case 'rr':
    case 'lc':
      return numgen(rrSlots(pool, order));
    case 'sh':
      return buckets(srcHash);
    case 'dh':
    case 'lblc':
    case 'lblcr':
      return buckets('daddr');
    case 'mh': {
      const m = maglevSize(svc.configured.length);
      const live = new Set(pool.filter((b) => b.weight > 0).map((b) => b.id));
      return {
        kind: 'jhash',
        hashOn: srcHash,
        modulus: m,
        slots: maglevSlots(svc.configured, live, m),
        approximate,
      };
    }
    case 'fo':
    case 'ovf': {
      const live = pool.filter((b) => b.weight > 0);
      if (!live.length) return numgen([]);
      const best = live.reduce((a, b) => (b.weight > a.weight ? b : a));
      return numgen([best.id]);
    }
    default:
      return numgen(wrrSlots(pool));
  }
}
