// The subsystem with a fake data plane: start applies the initial table and logs the IPVS probe,
// 'rs:state' events update it and publish 'lb:apply', unknown servers are ignored, stop releases
// the tables unless -I, status() lists services and real servers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publish, subscribe } from '../../../src/core/bus.js';
import type { Config } from '../../../src/config/model.js';
import type { ApplyStats, Dataplane } from '../../../src/lb/dataplane.js';
import { createLbSubsystem, type LbStatus } from '../../../src/lb/subsystem.js';
import type { DesiredTable } from '../../../src/lb/types.js';
import { lvsOf, vsText } from './helpers.js';

class FakeDataplane implements Dataplane {
  readonly name = 'fake';
  applied: DesiredTable[] = [];
  released = 0;
  async apply(d: DesiredTable): Promise<ApplyStats> {
    this.applied.push(structuredClone(d));
    return {
      commands: 1,
      elementsAdded: 1,
      elementsRemoved: 0,
      chainsReplaced: 0,
      ms: 1,
      warnings: [],
    };
  }
  async release(): Promise<void> {
    this.released++;
  }
  describe(): Record<string, unknown> {
    return {};
  }
}

const config = (text: string) => ({ lvs: lvsOf(text) }) as unknown as Config; // only lvs is read
const VS = '[203.0.113.100]:tcp:80';
const rsId = (i: number) => `[198.51.100.${10 + i}]:tcp:80`;
const waitApply = () => new Promise<void>((r) => setTimeout(r, 20));

test('start, rs:state, lb:apply, status, stop', async () => {
  const dp = new FakeDataplane();
  const logs: string[] = [];
  const applies: number[] = [];
  const offLog = subscribe('log', (e) => logs.push(e.message));
  const offApply = subscribe('lb:apply', (e) => applies.push(e.services));
  const lb = createLbSubsystem({ dataplane: dp, ipvsPresent: false, connCounter: null });
  try {
    await lb.start(config(vsText({})));
    assert.ok(logs.includes('IPVS not available (no /proc/net/ip_vs): using nftables'));
    assert.equal(dp.applied.length, 1);
    assert.equal(dp.applied[0].services[0].backends.length, 3);
    publish('rs:state', {
      vs: VS,
      rs: rsId(2),
      up: false,
      weight: 1,
      reason: 'connect refused',
      cause: 'change',
    });
    await waitApply();
    assert.equal(dp.applied.length, 2);
    assert.deepEqual(
      dp.applied[1].services[0].backends.map((b) => b.id),
      [rsId(1), rsId(3)],
    );
    // Same state again, or an unknown server: no new transaction.
    publish('rs:state', {
      vs: VS,
      rs: rsId(2),
      up: false,
      weight: 1,
      reason: 'again',
      cause: 'change',
    });
    publish('rs:state', {
      vs: VS,
      rs: '[192.0.2.9]:tcp:80',
      up: true,
      weight: 1,
      reason: 'x',
      cause: 'change',
    });
    await waitApply();
    assert.equal(dp.applied.length, 2);
    assert.deepEqual(applies, [1, 1]);
    const st = lb.status() as LbStatus;
    assert.equal(st.services[0].id, VS);
    assert.deepEqual(
      st.services[0].backends.map((b) => b.weight),
      [1, 1],
    );
    await lb.stop('test');
    assert.equal(dp.released, 1);
  } finally {
    offLog();
    offApply();
  }
});

test('reload keeps known states; -I keeps the tables', async () => {
  const dp = new FakeDataplane();
  const lb = createLbSubsystem({
    dataplane: dp,
    ipvsPresent: true,
    dontRelease: true,
    connCounter: null,
  });
  await lb.start(config(vsText({})));
  publish('rs:state', {
    vs: VS,
    rs: rsId(1),
    up: false,
    weight: 1,
    reason: 'down',
    cause: 'change',
  });
  await waitApply();
  await lb.reload(config(vsText({ weights: [1, 1, 1, 1] })), { changes: [] } as never);
  const last = dp.applied.at(-1)!;
  assert.deepEqual(
    last.services[0].backends.map((b) => b.id),
    [rsId(2), rsId(3), rsId(4)],
  );
  await lb.stop('test');
  assert.equal(dp.released, 0);
});

test('lc: weights follow the connection counts, recomputed only when the ranking changes', async () => {
  const dp = new FakeDataplane();
  const counts = new Map<string, { active: number; inactive: number }>();
  const counter = {
    get: (k: string) => counts.get(k) ?? { active: 0, inactive: 0 },
    close: () => undefined,
  };
  const lb = createLbSubsystem({
    dataplane: dp,
    ipvsPresent: false,
    connCounter: counter,
    leastConnPeriodMs: 10,
  });
  try {
    await lb.start(config(vsText({ algo: 'lc' })));
    await new Promise((r) => setTimeout(r, 50));
    const settled = dp.applied.length;
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(dp.applied.length, settled, 'steady counts: no new transaction');
    counts.set('198.51.100.11:80', { active: 10, inactive: 0 });
    counts.set('198.51.100.12:80', { active: 5, inactive: 0 });
    await new Promise((r) => setTimeout(r, 60));
    const last = dp.applied.at(-1)!.services[0];
    assert.deepEqual(Object.fromEntries(last.slotWeights ?? []), {
      [rsId(1)]: 1,
      [rsId(2)]: 3,
      [rsId(3)]: 4,
    });
    const st = lb.status();
    assert.deepEqual(
      st.services[0].backends.map((b) => [b.activeConn, b.slotWeight]),
      [
        [10, 1],
        [5, 3],
        [0, 4],
      ],
    );
    const n = dp.applied.length;
    counts.set('198.51.100.11:80', { active: 11, inactive: 0 }); // same ranking
    await new Promise((r) => setTimeout(r, 50));
    assert.equal(dp.applied.length, n, 'same ranking: weights kept');
  } finally {
    await lb.stop('test');
  }
});
