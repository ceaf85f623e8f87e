// Whole-cluster VRRP simulation in virtual time: 2–8 nodes on a simulated LAN
// with crashes, restarts, graceful stops, partitions, loss, priority changes
// and faults, then a quiet phase. Every run is seeded; a failure prints its
// seed. Replay one with SIM_SEED=<seed> SIM_RUNS=1; widen with SIM_RUNS=N.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { machineConfig } from '../../src/vrrp/machine.js';
import { centis, masterDownInterval, seconds, skewTime } from '../../src/vrrp/timers.js';
import { Cluster } from './lib/cluster.js';
import { expectedWinner, Monitor } from './lib/monitor.js';
import { Rng } from './lib/rng.js';
import { randomScenario } from './lib/scenario.js';

const BASE_SEED = Number(process.env.SIM_SEED ?? 0x5eed);
const RUNS = Number(process.env.SIM_RUNS ?? 5000);

function fail(seed: number, log: string[], why: string[]): never {
  assert.fail(
    `seed ${seed} (replay: SIM_SEED=${seed} SIM_RUNS=1):\n  ${why.slice(0, 5).join('\n  ')}\n` +
      `scenario:\n  ${log.slice(-40).join('\n  ')}`,
  );
}

test(`random clusters converge: ${RUNS} seeded runs`, () => {
  let events = 0;
  for (let i = 0; i < RUNS; i++) {
    const seed = (BASE_SEED + i) >>> 0;
    const sc = randomScenario(seed);
    const c = sc.cluster;
    const mon = new Monitor(c, sc.advertInt);
    c.run(sc.end, mon.before, mon.after);
    events += c.events;
    const why = [...mon.violations];

    const late = c.transitions.filter((t) => t.at >= sc.settled);
    if (late.length > 0) {
      why.push(
        `transitions while inputs are stable: ${late
          .slice(0, 3)
          .map((t) => `${t.at}µs node ${t.node} ${t.from}→${t.to} (${t.reason})`)
          .join('; ')}`,
      );
    }
    for (const part of c.components()) {
      const masters = part.filter((n) => n.machine.state === 'MASTER');
      const ids = part.map((n) => n.id).join(',');
      if (masters.length !== 1) {
        why.push(`part [${ids}] has ${masters.length} masters after convergence`);
        continue;
      }
      // Preemption needs a strictly higher priority: an equal-priority backup
      // just resets its timer (the address tie-break is between masters only).
      const m = masters[0];
      const pre = part.find((n) => !n.config.nopreempt && n.machine.priority > m.machine.priority);
      if (pre) {
        why.push(
          `part [${ids}]: master is ${m.id} (prio ${m.machine.priority}) ` +
            `but ${pre.id} (prio ${pre.machine.priority}) preempts`,
        );
      }
    }
    if (why.length > 0) fail(seed, sc.log, why);
  }
  assert.ok(events > RUNS * 100, `the runs did work (${events} events)`);
});

/** A converged cluster with distinct priorities and a fixed latency; returns it and its master. */
function converged(seed: number) {
  const rng = new Rng(seed);
  const n = rng.int(2, 8);
  const t = rng.pick([
    { version: 2 as const, advertInt: seconds(1) },
    { version: 3 as const, advertInt: centis(100) },
    { version: 3 as const, advertInt: centis(10) },
  ]);
  const prios = new Set<number>();
  while (prios.size < n) prios.add(rng.int(1, 254));
  const configs = [...prios].map((priority, id) =>
    machineConfig(`VI_${id}`, `10.1.0.${id + 1}`, { ...t, priority }),
  );
  const latency = 200;
  const c = new Cluster(configs, rng, { minLatency: latency, maxLatency: latency });
  for (let id = 0; id < n; id++) c.at(rng.int(0, t.advertInt), () => c.start(id));
  const mdiMax = masterDownInterval(t.version, 1, t.advertInt);
  const settle = 3 * (mdiMax + t.advertInt) + rng.int(0, t.advertInt);
  c.run(settle);
  const masters = c.nodes.filter((m) => m.machine.state === 'MASTER');
  assert.equal(masters.length, 1, `seed ${seed}: one master before the failure`);
  assert.equal(masters[0], expectedWinner(c.nodes), `seed ${seed}: highest priority wins`);
  return { c, master: masters[0], t, latency, rng };
}

test('master crash: the next-highest backup takes over within its MDI + latency', () => {
  for (let i = 0; i < 300; i++) {
    const seed = (BASE_SEED + 1_000_003 * (i + 1)) >>> 0;
    const { c, master, t, latency } = converged(seed);
    const crashAt = c.now;
    c.crash(master.id);
    const rest = c.nodes.filter((m) => m !== master);
    const next = expectedWinner(rest);
    const mdi = masterDownInterval(t.version, next.machine.priority, t.advertInt);
    c.run(crashAt + mdi + latency + 1);
    const took = c.transitions.find((x) => x.at > crashAt && x.to === 'MASTER');
    if (!took) fail(seed, [], [`no takeover within ${mdi + latency} µs of the crash`]);
    assert.equal(took.node, next.id, `seed ${seed}: highest remaining backup takes over`);
    const gap = took.at - crashAt;
    assert.ok(gap <= mdi + latency, `seed ${seed}: takeover after ${gap} µs > MDI ${mdi}`);
    assert.ok(gap >= mdi - t.advertInt, `seed ${seed}: takeover after ${gap} µs, too early`);
  }
});

test('graceful stop: priority 0 hands over within Skew_Time + latency', () => {
  for (let i = 0; i < 300; i++) {
    const seed = (BASE_SEED + 7_000_009 * (i + 1)) >>> 0;
    const { c, master, t, latency } = converged(seed);
    const stopAt = c.now;
    c.input(master.id, { type: 'shutdown' });
    c.crash(master.id);
    assert.equal(master.kernelVips, false, 'VIPs released on a graceful stop');
    const next = expectedWinner(c.nodes.filter((m) => m !== master));
    const skew = skewTime(t.version, next.machine.priority, t.advertInt);
    c.run(stopAt + skew + latency);
    const took = c.transitions.find((x) => x.at > stopAt && x.to === 'MASTER');
    assert.ok(took, `seed ${seed}: takeover within skew ${skew} µs + ${latency} µs`);
    assert.equal(took.node, next.id);
  }
});

test('a crashed master keeps its VIPs until it restarts; the restart rejoins as backup', () => {
  for (let i = 0; i < 100; i++) {
    const seed = (BASE_SEED + 3_000_017 * (i + 1)) >>> 0;
    const { c, master, t } = converged(seed);
    c.crash(master.id);
    const mdiMax = masterDownInterval(t.version, 1, t.advertInt);
    c.run(c.now + mdiMax + t.advertInt);
    assert.equal(master.kernelVips, true, 'stale VIPs on the frozen node');
    c.restart(master.id);
    assert.equal(master.kernelVips, false);
    c.run(c.now + 3 * (mdiMax + t.advertInt));
    // It had the highest priority, so it preempts back.
    const masters = c.nodes.filter((m) => m.machine.state === 'MASTER');
    assert.deepEqual(
      masters.map((m) => m.id),
      [master.id],
      `seed ${seed}: the restarted highest-priority node is master again`,
    );
  }
});
