// The gateway machine (src/gateway/machine.ts): probe cadence, rise/fall hysteresis, the
// administrator's log lines, re-adopted start, and fast-check properties.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createGateway,
  step,
  type GatewayEffect,
  type GatewayMachineConfig,
  type GatewayState,
} from '../../../src/gateway/machine.js';

const S = 1_000_000;

function config(over: Partial<GatewayMachineConfig> = {}): GatewayMachineConfig {
  return {
    name: 'UP1',
    address: '192.0.2.1',
    intervalUs: S,
    rise: 2,
    fall: 3,
    routes: ['default'],
    multipath: [],
    ...over,
  };
}

/** Feeds results one per interval: each `true`/`false` is the outcome of the probe just sent. */
function drive(
  results: boolean[],
  cfg = config(),
  initial: 'up' | 'down' = 'down',
): { state: GatewayState; effects: GatewayEffect[][]; statuses: string[] } {
  let now = 0;
  let r = step(createGateway(cfg), { type: 'start', initial }, now);
  const effects: GatewayEffect[][] = [];
  const statuses: string[] = [];
  for (const ok of results) {
    now = r.deadline as number;
    r = step(r.state, { type: 'timer' }, now);
    const probe = r.effects.find((e) => e.type === 'probe');
    assert.ok(probe && probe.type === 'probe', 'a probe per interval');
    const res = step(
      r.state,
      { type: 'result', seq: probe.seq, ok, rttUs: 300, reason: ok ? 'echo reply' : 'timeout' },
      now + 1000,
    );
    effects.push(res.effects);
    statuses.push(res.state.status);
    r = { ...res, deadline: r.deadline };
  }
  return { state: r.state, effects, statuses };
}

test('probes at start + phase, then every interval, with increasing sequence numbers', () => {
  let r = step(createGateway(config()), { type: 'start', initial: 'down', phaseUs: 250_000 }, 10);
  assert.equal(r.deadline, 250_010);
  assert.deepEqual(
    step(r.state, { type: 'timer' }, 250_009).effects,
    [],
    'not before the deadline',
  );
  r = step(r.state, { type: 'timer' }, 250_010);
  assert.deepEqual(r.effects, [{ type: 'probe', seq: 1 }]);
  assert.equal(r.deadline, 1_250_010);
  r = step(r.state, { type: 'timer' }, 1_250_500);
  assert.deepEqual(r.effects, [{ type: 'probe', seq: 2 }]);
  assert.equal(r.deadline, 2_250_010, 'cadence kept despite a late timer');
  r = step(r.state, { type: 'timer' }, 9_000_000);
  assert.equal(r.deadline, 10_000_000, 'after a stall: one probe, then from now');
});

test('rise 2: down → up on the second success, with the route and the log line', () => {
  const { effects, statuses } = drive([true, true, true]);
  assert.deepEqual(statuses, ['down', 'up', 'up']);
  assert.deepEqual(effects[0], []);
  assert.deepEqual(effects[1], [
    { type: 'state', up: true, reason: '2 successful probe(s): echo reply' },
    { type: 'route', action: 'add', index: 0, log: '192.0.2.1 is reachable, default route added' },
  ]);
  assert.deepEqual(effects[2], []);
});

test('fall 3: up → down on the third consecutive loss; a success in between resets', () => {
  const { effects, statuses } = drive([true, true, false, false, true, false, false, false]);
  assert.deepEqual(statuses, ['down', 'up', 'up', 'up', 'up', 'up', 'up', 'down']);
  assert.deepEqual(effects[7], [
    { type: 'state', up: false, reason: '3 failed probe(s): timeout' },
    {
      type: 'route',
      action: 'delete',
      index: 0,
      log: '192.0.2.1 is not reachable, default route deleted',
    },
  ]);
});

test('re-adopted start: up at once with no route effect; needs fall losses to drop', () => {
  const { effects, statuses } = drive([false, false, true, false, false, false], config(), 'up');
  assert.deepEqual(statuses, ['up', 'up', 'up', 'up', 'up', 'down']);
  assert.ok(effects.slice(0, 5).every((e) => e.length === 0));
});

test('multipath members join/leave; a gateway without routes logs the bare line', () => {
  const mp = drive(
    [true, false],
    config({ routes: [], multipath: ['default table 100'], rise: 1, fall: 1 }),
  );
  assert.deepEqual(mp.effects[0][1], {
    type: 'nexthop',
    action: 'join',
    index: 0,
    log: '192.0.2.1 is reachable, next hop added to default table 100 route',
  });
  assert.deepEqual(mp.effects[1][1], {
    type: 'nexthop',
    action: 'leave',
    index: 0,
    log: '192.0.2.1 is not reachable, next hop removed from default table 100 route',
  });
  const bare = drive([true], config({ routes: [], rise: 1 }));
  assert.deepEqual(bare.effects[0][1], { type: 'log', message: '192.0.2.1 is reachable' });
});

test('stop: no deadline, no probe, results ignored', () => {
  let r = step(createGateway(config({ rise: 1 })), { type: 'start', initial: 'down' }, 0);
  r = step(r.state, { type: 'stop' }, 5);
  assert.equal(r.deadline, null);
  assert.deepEqual(step(r.state, { type: 'timer' }, 10 * S).effects, []);
  assert.deepEqual(
    step(r.state, { type: 'result', seq: 1, ok: true, reason: 'x' }, 10).effects,
    [],
  );
});

test('bad configs are refused', () => {
  assert.throws(() => createGateway(config({ rise: 0 })), RangeError);
  assert.throws(() => createGateway(config({ intervalUs: 0 })), RangeError);
});

// ---- properties ----

const cfgArb = fc.record({
  rise: fc.integer({ min: 1, max: 6 }),
  fall: fc.integer({ min: 1, max: 6 }),
});

test('property: a stable input never flaps (at most one transition, towards that input)', () => {
  fc.assert(
    fc.property(
      cfgArb,
      fc.boolean(),
      fc.constantFrom<'up' | 'down'>('up', 'down'),
      fc.integer({ min: 1, max: 40 }),
      (c, ok, initial, n) => {
        const { state, statuses } = drive(Array<boolean>(n).fill(ok), config(c), initial);
        assert.ok(state.transitions <= 1);
        const want = ok ? 'up' : 'down';
        const first = statuses.indexOf(want);
        if (first >= 0) assert.ok(statuses.slice(first).every((s) => s === want));
        const needed = ok ? c.rise : c.fall;
        if (initial !== want) assert.equal(state.status, n >= needed ? want : initial);
      },
    ),
  );
});

test('property: down exactly at the fall-th consecutive loss, up exactly at the rise-th success', () => {
  fc.assert(
    fc.property(cfgArb, fc.array(fc.boolean(), { maxLength: 60 }), (c, results) => {
      const { statuses } = drive(results, config(c));
      // Reference model: streak counters, status changes only at exactly rise / fall.
      let status = 'down';
      let ok = 0;
      let bad = 0;
      results.forEach((r, i) => {
        if (r) {
          ok++;
          bad = 0;
          if (status === 'down' && ok === c.rise) status = 'up';
        } else {
          bad++;
          ok = 0;
          if (status === 'up' && bad === c.fall) status = 'down';
        }
        assert.equal(statuses[i], status, `after result ${i}`);
      });
    }),
  );
});

test('property: route effects alternate add/delete and match the status', () => {
  fc.assert(
    fc.property(cfgArb, fc.array(fc.boolean(), { maxLength: 60 }), (c, results) => {
      const { effects, state } = drive(results, config(c));
      const actions = effects
        .flat()
        .filter((e) => e.type === 'route')
        .map((e) => (e.type === 'route' ? e.action : ''));
      actions.forEach((a, i) => assert.equal(a, i % 2 === 0 ? 'add' : 'delete'));
      assert.equal(actions.length, state.transitions);
      assert.equal(state.status, actions.length % 2 === 1 ? 'up' : 'down');
    }),
  );
});
