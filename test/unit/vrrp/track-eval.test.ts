// evaluateTracking for track_bfd and track_gateway (keepalived's tracked-BFD semantics: down at
// start, weight 0 → FAULT while not Up, weights as for scripts, `reverse`), and the TrackerHub
// following 'bfd:state' / 'gateway:state' through the state boards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetBfdState, recordBfdState } from '../../../src/bfd/state-board.js';
import type { TrackGatewayRef } from '../../../src/config/gateway/track.js';
import type { Tracking, TrackRef } from '../../../src/config/vrrp/types.js';
import { publish } from '../../../src/core/bus.js';
import { clearGatewayStates, recordGatewayState } from '../../../src/gateway/state-board.js';
import type { Rtnl } from '../../../src/os/rtnl/index.js';
import {
  evaluateTracking,
  type TrackInputs,
  type TrackView,
} from '../../../src/vrrp/track-eval.js';
import { TrackerHub } from '../../../src/vrrp/trackers.js';

const pos = { file: 't.conf', line: 1, col: 1 };
const none = (): Tracking => ({
  interfaces: [],
  scripts: [],
  files: [],
  processes: [],
  bfds: [],
  gateways: [],
});
const bfd = (name: string, weight: number, reverse = false): TrackRef => ({
  name,
  weight,
  reverse,
  pos,
});
const gw = (name: string, weight: number | null): TrackGatewayRef => ({ name, weight, pos });

function view(bfds: Record<string, boolean>, gws: Record<string, [boolean, number]>): TrackView {
  return {
    linkUp: () => true,
    scriptOk: () => undefined,
    fileValue: () => undefined,
    bfdUp: (n) => bfds[n] ?? false,
    gateway: (n) => (gws[n] ? { up: gws[n][0], weight: gws[n][1] } : undefined),
  };
}

function inputs(own: Partial<Tracking>, group: Partial<Tracking> | null = null): TrackInputs {
  return {
    basePriority: 100,
    ownInterface: null,
    own: { ...none(), ...own },
    group: group ? { ...none(), ...group } : null,
    zeroWeights: false,
  };
}

test('track_bfd weight 0: FAULT while the session is not Up, none once Up', () => {
  const t = inputs({ bfds: [bfd('b1', 0)] });
  assert.deepEqual(evaluateTracking(t, view({}, {})).faults, ['track_bfd b1 down']);
  assert.deepEqual(evaluateTracking(t, view({ b1: true }, {})), { priority: 100, faults: [] });
});

test('track_bfd weights move the priority; reverse flips them', () => {
  const down = view({}, {});
  const up = view({ b1: true }, {});
  assert.equal(evaluateTracking(inputs({ bfds: [bfd('b1', -20)] }), down).priority, 80);
  assert.equal(evaluateTracking(inputs({ bfds: [bfd('b1', -20)] }), up).priority, 100);
  assert.equal(evaluateTracking(inputs({ bfds: [bfd('b1', 15)] }), up).priority, 115);
  assert.equal(evaluateTracking(inputs({ bfds: [bfd('b1', 15, true)] }), up).priority, 85);
  // reverse with weight 0: FAULT while Up
  const r = evaluateTracking(inputs({ bfds: [bfd('b1', 0, true)] }), up);
  assert.deepEqual(r.faults, ['track_bfd b1 up']);
});

test('track_bfd in a sync group forces weight 0 (FAULT)', () => {
  const r = evaluateTracking(inputs({}, { bfds: [bfd('b1', -20)] }), view({}, {}));
  assert.deepEqual(r, { priority: 100, faults: ['track_bfd b1 down'] });
});

test("track_gateway: null weight uses the gateway's, 0 means FAULT while down", () => {
  const refs = { gateways: [gw('UP1', null)] };
  assert.equal(evaluateTracking(inputs(refs), view({}, { UP1: [false, -30] })).priority, 70);
  assert.equal(evaluateTracking(inputs(refs), view({}, { UP1: [true, -30] })).priority, 100);
  const own = inputs({ gateways: [gw('UP1', -5)] });
  assert.equal(evaluateTracking(own, view({}, { UP1: [false, -30] })).priority, 95);
  const zero = evaluateTracking(inputs(refs), view({}, { UP1: [false, 0] }));
  assert.deepEqual(zero.faults, ['track_gateway UP1 down']);
  // not tracked by the gateway subsystem: no effect
  assert.deepEqual(evaluateTracking(inputs(refs), view({}, {})), { priority: 100, faults: [] });
});

test('TrackerHub reads the state boards and wakes listeners on bus events', () => {
  const hub = new TrackerHub({} as Rtnl, () => undefined);
  let calls = 0;
  hub.onChange(() => calls++);
  try {
    assert.equal(hub.bfdUp('hb1'), false);
    recordBfdState('hb1', 'Up');
    publish('bfd:state', {
      name: 'hb1',
      neighbor: '192.0.2.9',
      source: null,
      from: 'Init',
      to: 'Up',
      diag: 0,
      diagText: 'No Diagnostic',
      remoteDiag: 0,
      localDisc: 1,
      remoteDisc: 2,
    });
    assert.equal(hub.bfdUp('hb1'), true);
    assert.equal(calls, 1);
    assert.equal(hub.gateway('HG'), undefined);
    const e = { gateway: 'HG', address: '192.0.2.1', up: false, reason: 'start', weight: 0 };
    recordGatewayState(e);
    publish('gateway:state', e);
    assert.deepEqual(hub.gateway('HG'), { up: false, weight: 0 });
    assert.equal(calls, 2);
  } finally {
    hub.stop();
    forgetBfdState('hb1');
    clearGatewayStates();
  }
  publish('gateway:state', { gateway: 'HG', address: 'x', up: true, reason: 'r', weight: 0 });
  assert.equal(calls, 2, 'no events after stop');
});

test('track_src_ip: a missing configured source is a fault, present it is not', () => {
  const t = { ...inputs({}), srcIp: '192.0.2.1' };
  const present = (yes: boolean): TrackView => ({ ...view({}, {}), addressPresent: () => yes });
  assert.deepEqual(evaluateTracking(t, present(false)).faults, [
    'source address 192.0.2.1 missing',
  ]);
  assert.deepEqual(evaluateTracking(t, present(true)).faults, []);
  assert.deepEqual(evaluateTracking({ ...t, srcIp: null }, present(false)).faults, []);
});
