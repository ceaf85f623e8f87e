// lc/wlc/sed/nq weights from connection counts (src/lb/least-conn.ts): equal loads give (w)rr,
// the least loaded server gets the most slots, drained servers none, and the ranking that gates
// recomputation is stable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { leastConnWeights, loadOf, ranking } from '../../../src/lb/least-conn.js';

const b = (id: string, weight: number, active: number, inactive = 0) => ({
  id,
  weight,
  active,
  inactive,
});

test('equal loads: lc is rr, wlc is the configured weights', () => {
  const bs = [b('a', 3, 0), b('b', 1, 0), b('c', 2, 0)];
  assert.deepEqual(Object.fromEntries(leastConnWeights('lc', bs)), { a: 1, b: 1, c: 1 });
  assert.deepEqual(Object.fromEntries(leastConnWeights('wlc', bs)), { a: 3, b: 1, c: 2 });
});

test('lc: the idle server gets 4× the slots of the busiest; a drained server none', () => {
  const w = leastConnWeights('lc', [b('a', 1, 10), b('b', 1, 5), b('c', 1, 0), b('d', 0, 0)]);
  assert.deepEqual(Object.fromEntries(w), { a: 1, b: 3, c: 4 });
  assert.deepEqual(ranking('lc', [b('a', 1, 10), b('b', 1, 5), b('c', 1, 0), b('d', 0, 0)]), [
    'c',
    'b',
    'a',
  ]);
});

test('IPVS scores: lc counts active ×256 + inactive; wlc divides by weight; sed adds one', () => {
  assert.equal(loadOf('lc', b('a', 4, 2, 3)), 515);
  assert.equal(loadOf('wlc', b('a', 4, 2, 4)), 129);
  assert.equal(loadOf('sed', b('a', 4, 3)), 1);
  // wlc: 4 connections on weight 4 is as loaded as 1 on weight 1.
  assert.deepEqual(ranking('wlc', [b('x', 4, 4), b('y', 1, 1)]), ['x', 'y']);
});

test('nq: an idle server gets the largest share', () => {
  const w = leastConnWeights('nq', [b('a', 5, 3), b('b', 1, 0)]);
  assert.ok(w.get('b')! >= w.get('a')!, JSON.stringify([...w]));
});

test('property: every live server ≥ 1 slot, and less load never means fewer slots (same weight)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom('lc', 'wlc', 'sed'),
      fc.array(fc.record({ active: fc.nat(500), inactive: fc.nat(500) }), {
        minLength: 1,
        maxLength: 8,
      }),
      (sched, loads) => {
        const bs = loads.map((l, i) => b(`s${i}`, 2, l.active, l.inactive));
        const w = leastConnWeights(sched, bs);
        for (const x of bs) assert.ok(w.get(x.id)! >= 1);
        for (const x of bs)
          for (const y of bs)
            if (loadOf(sched, x) < loadOf(sched, y)) assert.ok(w.get(x.id)! >= w.get(y.id)!);
      },
    ),
  );
});
