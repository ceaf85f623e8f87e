// The checker runtime (src/check/runtime.ts) in virtual time with fake probes: the events
// it publishes ('rs:state', 'check:result', keepalived's log lines), retries on the clock,
// dynamic weights, unusable checkers skipped, reload keeping state, status().
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { forgetBfdState, recordBfdState } from '../../../src/bfd/state-board.js';
import '../../../src/bfd/events.js';
import { publish, subscribe } from '../../../src/core/bus.js';
import type { EventMap } from '../../../src/core/events.js';
import '../../../src/check/events.js';
import { CheckerRuntime } from '../../../src/check/runtime.js';
import type { ProbeFactory, DetailedResult } from '../../../src/check/probes.js';
import { parse } from '../config/helpers.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

/** Fake probes: each real server's health is a mutable verdict. */
function fakeProbes(health: Map<string, DetailedResult>, calls: string[]): ProbeFactory {
  return (p, rs) => () => {
    calls.push(`${rs.rsId} ${p.id}`);
    return Promise.resolve(health.get(rs.rsId) ?? { ok: true, reason: 'ok', latencyMs: 1 });
  };
}

const CONF = `
virtual_server 192.0.2.100 80 {
  delay_loop 10
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    weight 3
    TCP_CHECK {
      connect_timeout 1
      retry 2
      delay_before_retry 1
      warmup 0
    }
  }
  real_server 192.0.2.12 80 {
    MISC_CHECK {
      misc_path "/bin/true"
      misc_dynamic
      warmup 0
    }
  }
  real_server 192.0.2.13 80 {
    HTTP_GET {
      warmup 0
    }
  }
}
`;

type Ev<K extends keyof EventMap> = EventMap[K];
const offs: Array<() => void> = [];
afterEach(() => offs.splice(0).forEach((f) => f()));

function record(): { rs: Ev<'rs:state'>[]; results: Ev<'check:result'>[]; logs: string[] } {
  const out = {
    rs: [] as Ev<'rs:state'>[],
    results: [] as Ev<'check:result'>[],
    logs: [] as string[],
  };
  offs.push(subscribe('rs:state', (e) => out.rs.push(e)));
  offs.push(subscribe('check:result', (e) => out.results.push(e)));
  offs.push(subscribe('log', (e) => e.subsystem === 'checkers' && out.logs.push(e.message)));
  return out;
}

describe('checker runtime in virtual time', () => {
  test('initial states, retries on the clock, keepalived log lines, recovery, skipped checker', async () => {
    const ev = record();
    const { config } = parse(CONF);
    const clock = new VirtualClock();
    const health = new Map<string, DetailedResult>();
    const calls: string[] = [];
    const rt = new CheckerRuntime({ clock, rng: () => 0, probeFactory: fakeProbes(health, calls) });
    rt.start(config);

    // The url-less HTTP_GET is unusable in the model: skipped with a log line; its RS has no checker.
    assert.ok(
      ev.logs.some((l) => /Skipping HTTP_GET#0 of RS \[192\.0\.2\.13\]:tcp:80/.test(l)),
      ev.logs.join('\n'),
    );
    assert.deepEqual(
      ev.rs.map((e) => [e.rs, e.up, e.weight, e.reason]),
      [
        ['[192.0.2.11]:tcp:80', true, 3, 'start'],
        ['[192.0.2.12]:tcp:80', true, 1, 'start'],
        ['[192.0.2.13]:tcp:80', true, 1, 'start'],
      ],
    );
    await clock.advance(0);
    assert.equal(calls.length, 2, 'both checkers probed at warmup 0');

    // .11 fails: retried at +1 s and +2 s, down on the third failure.
    health.set('[192.0.2.11]:tcp:80', { ok: false, reason: 'connection refused', latencyMs: 1 });
    await clock.advance(10_000);
    assert.equal(ev.rs.length, 3, 'first failure is only a retry');
    await clock.advance(1000);
    assert.equal(ev.rs.length, 3);
    await clock.advance(1000);
    assert.deepEqual(ev.rs.at(-1), {
      vs: '[192.0.2.100]:tcp:80',
      rs: '[192.0.2.11]:tcp:80',
      up: false,
      weight: 3,
      reason: 'connection refused',
      cause: 'change',
    });
    assert.equal(clock.t, 12_000);
    assert.ok(ev.logs.includes('TCP connection to [192.0.2.11]:tcp:80 failed.'));
    assert.ok(ev.logs.includes('TCP_CHECK on service [192.0.2.11]:tcp:80 failed after 2 retries.'));
    assert.ok(
      ev.logs.includes('Removing service [192.0.2.11]:tcp:80 from VS [192.0.2.100]:tcp:80'),
    );
    const retrying = ev.results.filter((r) => r.rs === '[192.0.2.11]:tcp:80' && r.retrying);
    assert.equal(retrying.length, 2);

    // Healthy again: up at the next delay_loop.
    health.delete('[192.0.2.11]:tcp:80');
    await clock.advance(10_000);
    assert.equal(ev.rs.at(-1)?.up, true);
    assert.ok(ev.logs.includes('Adding service [192.0.2.11]:tcp:80 to VS [192.0.2.100]:tcp:80'));

    // misc_dynamic exit 12 → weight 10, published as a weight change with keepalived's line.
    health.set('[192.0.2.12]:tcp:80', {
      ok: true,
      reason: 'exit code 12',
      latencyMs: 1,
      weight: { kind: 'absolute', value: 10 },
    });
    await clock.advance(10_000);
    assert.deepEqual(ev.rs.at(-1), {
      vs: '[192.0.2.100]:tcp:80',
      rs: '[192.0.2.12]:tcp:80',
      up: true,
      weight: 10,
      reason: 'exit code 12',
      cause: 'weight',
    });
    assert.ok(
      ev.logs.includes(
        'Changing weight from 1 to 10 for active service [192.0.2.12]:tcp:80 of VS [192.0.2.100]:tcp:80',
      ),
    );

    const st = rt.status();
    const r11 = st.realServers.find((r) => r.rs === '[192.0.2.11]:tcp:80');
    assert.equal(r11?.state, 'up');
    assert.equal(r11?.changes, 2);
    assert.equal(r11?.checkers[0].failures, 3);
    assert.equal(r11?.checkers[0].last?.reason, 'ok');
    assert.equal(st.skipped.length, 1);
    await rt.stop();
    const n = calls.length;
    await clock.advance(60_000);
    assert.equal(calls.length, n, 'no probe after stop');
  });

  test('reload: unchanged checkers keep their state, changed ones start over', async () => {
    const ev = record();
    const clock = new VirtualClock();
    const health = new Map<string, DetailedResult>([
      ['[192.0.2.11]:tcp:80', { ok: false, reason: 'connect timeout', latencyMs: 1 }],
    ]);
    const rt = new CheckerRuntime({ clock, rng: () => 0, probeFactory: fakeProbes(health, []) });
    rt.start(parse(CONF).config);
    await clock.advance(3000);
    assert.equal(ev.rs.filter((e) => e.rs === '[192.0.2.11]:tcp:80').at(-1)?.up, false);
    const before = ev.rs.length;
    rt.reload(parse(CONF).config);
    assert.equal(ev.rs.length, before, 'same config: no new rs:state');
    assert.equal(rt.status().realServers[0].state, 'down');
    // A changed checker (retry 0) starts from scratch: up until it fails again.
    rt.reload(parse(CONF.replace('retry 2', 'retry 0')).config);
    assert.equal(rt.status().realServers[0].state, 'up');
    assert.equal(ev.rs.at(-1)?.reason, 'start');
    await clock.advance(0);
    assert.equal(rt.status().realServers[0].state, 'down', 'retry 0: down on the first failure');
    await rt.stop();
  });

  test('alpha: the real server starts down and comes up on its first success', async () => {
    const ev = record();
    const clock = new VirtualClock();
    const rt = new CheckerRuntime({ clock, rng: () => 0, probeFactory: fakeProbes(new Map(), []) });
    rt.start(parse(CONF.replace('weight 3', 'weight 3\n    alpha')).config);
    assert.equal(ev.rs[0].up, false);
    await clock.advance(0);
    assert.equal(ev.rs.filter((e) => e.rs === '[192.0.2.11]:tcp:80').at(-1)?.up, true);
    await rt.stop();
  });
});

describe('createCheckerSubsystem', () => {
  test('start → status per real server → reload → stop', async () => {
    const { createCheckerSubsystem } = await import('../../../src/check/subsystem.js');
    const clock = new VirtualClock();
    const calls: string[] = [];
    const sub = createCheckerSubsystem({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(new Map(), calls),
    });
    assert.equal(sub.name, 'checkers');
    assert.deepEqual(sub.status(), { realServers: [], skipped: [] });
    await sub.start(parse(CONF).config);
    await clock.advance(0);
    const st = sub.status() as {
      realServers: Array<{ rs: string; state: string; checkers: unknown[] }>;
    };
    assert.deepEqual(
      st.realServers.map((r) => [r.rs, r.state, r.checkers.length]),
      [
        ['[192.0.2.11]:tcp:80', 'up', 1],
        ['[192.0.2.12]:tcp:80', 'up', 1],
        ['[192.0.2.13]:tcp:80', 'up', 0],
      ],
    );
    await sub.reload(
      parse(CONF.replace(/real_server 192\.0\.2\.13[\s\S]*?\n {2}\}\n/, '')).config,
      {} as never,
    );
    assert.equal((sub.status() as { realServers: unknown[] }).realServers.length, 2);
    await sub.stop('test');
    const n = calls.length;
    await clock.advance(30_000);
    assert.equal(calls.length, n, 'stopped: no more probes');
  });

  test('an unchanged result is counted but not published; a changed one is', async () => {
    const ev = record();
    const clock = new VirtualClock();
    const health = new Map<string, DetailedResult>();
    const rt = new CheckerRuntime({ clock, rng: () => 0, probeFactory: fakeProbes(health, []) });
    rt.start(parse(CONF).config);
    await clock.advance(0);
    const mine = (): Ev<'check:result'>[] =>
      ev.results.filter((r) => r.rs === '[192.0.2.11]:tcp:80');
    assert.equal(mine().length, 1, 'the first result is published');
    await clock.advance(30_000); // three more identical successes
    assert.equal(mine().length, 1, 'identical results are not');
    const c0 = rt.counters();
    assert.equal(c0.results, 8, '4 probes of each of the two checkers');
    assert.equal(c0.failures, 0);
    assert.equal(c0.latencyMs[1], 8, 'latency 1 ms in the 1 ms bucket');
    // A failure is published (ok changed, and it is a retry); so is the recovery.
    health.set('[192.0.2.11]:tcp:80', { ok: false, reason: 'connection refused', latencyMs: 1 });
    await clock.advance(10_000);
    health.delete('[192.0.2.11]:tcp:80');
    await clock.advance(1000);
    assert.deepEqual(
      mine().map((r) => [r.ok, r.reason, r.retrying]),
      [
        [true, 'ok', false],
        [false, 'connection refused', true],
        [true, 'ok', false],
      ],
    );
    assert.equal(rt.counters().failures, 1);
    assert.equal(rt.counters().published, ev.results.length);
    await rt.stop();
  });
});

describe('BFD_CHECK follows the bus', () => {
  test('a bfd:state change is read at once, not at the next 1 s poll', async () => {
    const ev = record();
    const { config } = parse(`
bfd_instance b1 {
  neighbor_ip 192.0.2.254
}
virtual_server 192.0.2.100 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    BFD_CHECK {
      name b1
    }
  }
}
`);
    const clock = new VirtualClock();
    const state = (to: 'Up' | 'Down'): void => {
      recordBfdState('b1', to);
      publish('bfd:state', {
        name: 'b1',
        neighbor: '192.0.2.254',
        source: null,
        from: to === 'Up' ? 'Down' : 'Up',
        to,
        diag: 0,
        diagText: '',
        remoteDiag: 0,
        localDisc: 1,
        remoteDisc: 2,
      });
    };
    // The real BFD_CHECK probe (it reads the session board); only the clock is virtual.
    const rt = new CheckerRuntime({ clock, rng: () => 0 });
    recordBfdState('b1', 'Up');
    rt.start(config);
    await clock.advance(1500);
    assert.deepEqual(
      ev.rs.map((e) => e.up),
      [true],
    );
    state('Down');
    await clock.advance(0);
    assert.deepEqual(
      ev.rs.map((e) => e.up),
      [true, false],
      'down without the clock moving',
    );
    state('Up');
    await clock.advance(0);
    assert.deepEqual(
      ev.rs.map((e) => e.up),
      [true, false, true],
    );
    await rt.stop();
    forgetBfdState('b1');
  });
});
