// Schedulers: rr exact, IPVS wrr order and proportions, sh/dh buckets, Maglev size and minimal
// disruption (property-tested with fast-check).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { hashSlots, HASH_BUCKETS } from '../../../src/lb/hash.js';
import { maglevPopulate, maglevSize, maglevSlots } from '../../../src/lb/maglev.js';
import { rrSlots } from '../../../src/lb/rr.js';
import { wrrSlots } from '../../../src/lb/wrr.js';

const ws = (...w: number[]) => w.map((weight, i) => ({ id: `b${i + 1}`, weight }));
const count = (xs: string[]) =>
  xs.reduce((m, x) => m.set(x, (m.get(x) ?? 0) + 1), new Map<string, number>());
const gcd = (a: number, b: number): number => (b ? gcd(b, a % b) : a);

test('rr: one slot per backend with weight > 0, in config order', () => {
  assert.deepEqual(rrSlots(ws(1, 5, 0, 2)), ['b1', 'b2', 'b4']);
  assert.deepEqual(rrSlots(ws(0, 0)), []);
});

test('rr: a down server leaves its slot to the last live one; the rest keep theirs', () => {
  const order = ['a', 'b', 'c', 'd', 'e'];
  const live = (...ids: string[]) => order.map((id) => ({ id, weight: ids.includes(id) ? 1 : 0 }));
  assert.deepEqual(rrSlots(live('a', 'b', 'c', 'd', 'e'), order), order);
  assert.deepEqual(rrSlots(live('a', 'c', 'd', 'e'), order), ['a', 'e', 'c', 'd']);
  assert.deepEqual(rrSlots(live('a', 'c', 'e'), order), ['a', 'e', 'c']);
  assert.deepEqual(rrSlots(live('a', 'b', 'c', 'e'), order), ['a', 'b', 'c', 'e']);
  // A backend outside the configured order (the sorry server) fills from the end.
  assert.deepEqual(rrSlots([{ id: 'sorry', weight: 1 }], order), ['sorry']);
});

test('property: rr slots hold each live server once, whatever the live set', () => {
  fc.assert(
    fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 30 }), (up) => {
      const order = up.map((_, i) => `s${i}`);
      const slots = rrSlots(
        order.map((id, i) => ({ id, weight: up[i] ? 1 : 0 })),
        order,
      );
      assert.deepEqual([...slots].sort(), order.filter((_, i) => up[i]).sort());
      // Positions below the live count keep their own server when it is up.
      slots.forEach((id, i) => up[i] && assert.equal(id, order[i]));
    }),
  );
});

test('wrr: IPVS order for 3:2:1 is b1 b1 b2 b1 b2 b3', () => {
  assert.deepEqual(wrrSlots(ws(3, 2, 1)), ['b1', 'b1', 'b2', 'b1', 'b2', 'b3']);
  assert.deepEqual(wrrSlots(ws(4, 2)), ['b1', 'b1', 'b2']); // gcd 2: cycle of 3
  assert.deepEqual(wrrSlots(ws(0, 0)), []);
});

test('wrr: every backend gets exactly weight/gcd slots per cycle (property)', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { minLength: 1, maxLength: 8 }), (w) => {
      const slots = wrrSlots(ws(...w));
      const live = w.filter((x) => x > 0);
      if (!live.length) return slots.length === 0;
      const g = live.reduce(gcd);
      const c = count(slots);
      return w.every((x, i) => (c.get(`b${i + 1}`) ?? 0) === x / g);
    }),
  );
});

test('sh/dh buckets: 256 buckets in weight proportion, weight 0 gets none', () => {
  const slots = hashSlots(ws(2, 1, 0, 1));
  assert.equal(slots.length, HASH_BUCKETS);
  const c = count(slots);
  assert.equal(c.get('b1'), 128);
  assert.equal(c.get('b2'), 64);
  assert.equal(c.get('b3'), undefined);
  assert.equal(c.get('b4'), 64);
  // Deterministic: the same backends give the same table (what keeps a source sticky).
  assert.deepEqual(hashSlots(ws(2, 1, 0, 1)), slots);
});

test('Maglev: table size is a prime ≥ 100 × backends', () => {
  for (const n of [1, 2, 3, 10, 40, 100]) {
    const m = maglevSize(n);
    assert.ok(m >= 100 * n, `${m} ≥ ${100 * n}`);
    for (let d = 2; d * d <= m; d++) assert.notEqual(m % d, 0, `${m} is prime`);
  }
  assert.equal(maglevSize(3), 307);
});

test('Maglev: balanced within 15% of M/N and deterministic', () => {
  const b = ws(...Array<number>(10).fill(1));
  const t = maglevPopulate(b, maglevSize(10));
  const c = count(t.map((i) => b[i].id));
  const avg = t.length / 10;
  for (const v of c.values()) assert.ok(Math.abs(v - avg) / avg < 0.15, `share ${v} vs ${avg}`);
  assert.deepEqual(maglevPopulate(b, maglevSize(10)), t);
});

test('Maglev: taking one backend out moves only its own slots (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 12 }),
      fc.nat(),
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 12, maxLength: 12 }),
      (n, k, weights) => {
        const b = weights
          .slice(0, n)
          .map((weight, i) => ({ id: `[10.0.0.${i + 1}]:tcp:80`, weight }));
        const all = new Set(b.map((x) => x.id));
        const gone = b[k % n].id;
        const rest = new Set([...all].filter((x) => x !== gone));
        const before = maglevSlots(b, all);
        const after = maglevSlots(b, rest);
        return before.every((id, j) => (id === gone ? after[j] !== gone : after[j] === id));
      },
    ),
    { numRuns: 60 },
  );
});

test('Maglev: a backend coming back takes back exactly its slots', () => {
  const b = ws(1, 1, 1, 1);
  const all = new Set(b.map((x) => x.id));
  const full = maglevSlots(b, all);
  const down = maglevSlots(b, new Set(['b1', 'b2', 'b4']));
  const changed = full.filter((id, j) => id !== down[j]);
  assert.ok(changed.every((id) => id === 'b3'));
  assert.deepEqual(maglevSlots(b, all), full);
  assert.deepEqual(maglevSlots(b, new Set()), []);
});
