// The checker runtime's ha_suspend (checkers parked while the VS address is not local, resumed
// when it comes back, states kept) and its notify FIFO lines (`RS … UP|DOWN` on real-server
// changes, `VS … UP|DOWN` on quorum changes), in virtual time with fake probes, a fake
// address view and a fake FIFO. Plus keepalived's quorum rule with hysteresis.
import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import type { LocalAddresses } from '../../../src/check/address-watch.js';
import { canonicalIp } from '../../../src/os/rtnl/ip.js';
import '../../../src/check/events.js';
import { initialQuorum, nextQuorum, rsFifoLine, vsFifoLine } from '../../../src/check/fifo.js';
import type { DetailedResult, ProbeFactory } from '../../../src/check/probes.js';
import type { RunOptions } from '../../../src/os/run-script.js';
import { CheckerRuntime } from '../../../src/check/runtime.js';
import { subscribe } from '../../../src/core/bus.js';
import { HOST, parse } from '../config/helpers.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

function fakeProbes(health: Map<string, DetailedResult>, calls: string[]): ProbeFactory {
  return (_p, rs) => () => {
    calls.push(rs.rsId);
    return Promise.resolve(health.get(rs.rsId) ?? { ok: true, reason: 'ok', latencyMs: 1 });
  };
}

class FakeAddresses implements LocalAddresses {
  readonly set = new Set<string>();
  private fns = new Set<() => void>();
  closed = false;
  has(a: string): boolean {
    return this.set.has(a);
  }
  onChange(fn: () => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }
  change(add: boolean, a: string): void {
    if (add) this.set.add(a);
    else this.set.delete(a);
    for (const f of this.fns) f();
  }
  close(): void {
    this.closed = true;
  }
}

const CONF = (extra: string): string => `
virtual_server 192.0.2.100 80 {
  delay_loop 10
  lb_algo rr
  lb_kind NAT
  protocol TCP
${extra}
  real_server 192.0.2.11 80 {
    weight 3
    TCP_CHECK {
      retry 0
      warmup 0
    }
  }
  real_server 192.0.2.12 80 {
    weight 1
    TCP_CHECK {
      warmup 0
    }
  }
}
`;

const offs: Array<() => void> = [];
afterEach(() => offs.splice(0).forEach((f) => f()));
function logs(): string[] {
  const out: string[] = [];
  offs.push(subscribe('log', (e) => e.subsystem === 'checkers' && out.push(e.message)));
  return out;
}

describe('ha_suspend', () => {
  test('checkers wait while the VS address is away, resume when it is back', async () => {
    const log = logs();
    const clock = new VirtualClock();
    const calls: string[] = [];
    const addrs = new FakeAddresses();
    const rt = new CheckerRuntime({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(new Map(), calls),
      localAddresses: () => addrs,
      fifo: null,
    });
    rt.start(parse(CONF('  ha_suspend')).config);
    await clock.advance(30_000);
    assert.equal(calls.length, 0, 'no probe while 192.0.2.100 is not local');
    assert.ok(log.some((l) => l.startsWith('Suspending checkers of VS [192.0.2.100]:tcp:80')));
    const st = rt.status().realServers;
    assert.ok(st.every((r) => r.suspended === true && r.state === 'up'));

    addrs.change(true, '192.0.2.100');
    await clock.advance(0);
    assert.equal(calls.length, 2, 'both checkers probe as soon as the address is here');
    assert.ok(log.some((l) => l.startsWith('Resuming checkers of VS [192.0.2.100]:tcp:80')));
    await clock.advance(10_000);
    assert.equal(calls.length, 4);

    addrs.change(false, '192.0.2.100');
    await clock.advance(50_000);
    assert.equal(calls.length, 4, 'parked again after the address left');
    await rt.stop();
    assert.equal(addrs.closed, true);
  });

  test('a reload that drops ha_suspend resumes the parked checkers', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    const addrs = new FakeAddresses();
    const rt = new CheckerRuntime({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(new Map(), calls),
      localAddresses: () => addrs,
      fifo: null,
    });
    rt.start(parse(CONF('  ha_suspend')).config);
    await clock.advance(20_000);
    assert.equal(calls.length, 0);
    rt.reload(parse(CONF('')).config);
    await clock.advance(0);
    assert.equal(calls.length, 2);
    assert.ok(rt.status().realServers.every((r) => r.suspended === false));
    await rt.stop();
  });

  test('without ha_suspend the address view is never opened', async () => {
    const clock = new VirtualClock();
    const calls: string[] = [];
    let opened = 0;
    const rt = new CheckerRuntime({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(new Map(), calls),
      localAddresses: () => {
        opened++;
        return new FakeAddresses();
      },
      fifo: null,
    });
    rt.start(parse(CONF('')).config);
    await clock.advance(0);
    assert.equal(opened, 0);
    assert.equal(calls.length, 2);
    await rt.stop();
  });
});

describe('notify FIFO lines', () => {
  test('RS lines on changes, VS lines on quorum changes', async () => {
    const clock = new VirtualClock();
    const health = new Map<string, DetailedResult>();
    const lines: string[] = [];
    const rt = new CheckerRuntime({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(health, []),
      fifo: { write: (l) => lines.push(l), close: () => {} },
    });
    // Weights 3 + 1 = 4 ≥ quorum 4: quorum starts up; losing .11 (weight 3) loses it.
    rt.start(parse(CONF('  quorum 4')).config);
    await clock.advance(0);
    assert.deepEqual(lines, []);
    health.set('[192.0.2.11]:tcp:80', { ok: false, reason: 'connection refused', latencyMs: 1 });
    await clock.advance(10_000);
    assert.deepEqual(lines, [
      'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
      'VS [192.0.2.100]:tcp:80 DOWN',
    ]);
    health.delete('[192.0.2.11]:tcp:80');
    await clock.advance(10_000);
    assert.deepEqual(lines.slice(2), [
      'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 UP',
      'VS [192.0.2.100]:tcp:80 UP',
    ]);
    await rt.stop();
  });

  test('line builders use keepalived spellings', () => {
    assert.equal(
      rsFifoLine('[10.0.0.1]:tcp:80', '[10.0.0.9]:tcp:80', true),
      'RS [10.0.0.1]:tcp:80 [10.0.0.9]:tcp:80 UP',
    );
    assert.equal(vsFifoLine('FWM 7', false), 'VS FWM 7 DOWN');
  });
});

describe('notify and quorum scripts', () => {
  type Ran = { argv: string[]; user: string | null; timeoutS: number };
  const runner = (ran: Ran[]) => (argv: string[], o: RunOptions) => {
    ran.push({ argv, user: o.user ?? null, timeoutS: o.timeoutS });
    return Promise.resolve({ code: 0, signal: null, timedOut: false });
  };
  // The host knows nobody: script_user nobody resolves.
  const parseAs = (text: string) => parse(text, { ...HOST, users: new Set(['root', 'nobody']) });
  const SCRIPTS = (extra: string, global = '  script_user nobody\n') =>
    `global_defs {\n${global}}\n` +
    CONF(`  quorum 4\n  quorum_up "/q.sh up"\n  quorum_down "/q.sh down" root\n${extra}`).replace(
      '    weight 3\n',
      '    weight 3\n    notify_down "/rs.sh down"\n',
    );

  /** A runtime with every probe passing, its scripts recorded in `ran`, FIFO lines in `lines`. */
  const scripted = () => {
    const clock = new VirtualClock();
    const ran: Ran[] = [];
    const lines: string[] = [];
    const rt = new CheckerRuntime({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(new Map(), []),
      fifo: { write: (l) => lines.push(l), close: () => {} },
      runNotify: runner(ran),
    });
    return { clock, ran, lines, rt };
  };

  test('quorum_up / quorum_down run on quorum changes, as their user, before the FIFO line', async () => {
    const clock = new VirtualClock();
    const health = new Map<string, DetailedResult>();
    const ran: Ran[] = [];
    const seen: string[] = [];
    const rt = new CheckerRuntime({
      clock,
      rng: () => 0,
      probeFactory: fakeProbes(health, []),
      fifo: { write: (l) => seen.push(`fifo ${l}`), close: () => {} },
      runNotify: (argv, o) => {
        seen.push(`run ${argv.join(' ')}`);
        return runner(ran)(argv, o);
      },
    });
    const events: string[] = [];
    offs.push(
      subscribe('vs:quorum', (e) =>
        events.push(`${e.vs} ${e.up} ${e.quorum}+${e.hysteresis}=${e.threshold} w${e.weight}`),
      ),
    );
    rt.start(parseAs(SCRIPTS('')).config);
    await clock.advance(0);
    assert.equal(ran.length, 0, 'starting with quorum: nothing runs');
    health.set('[192.0.2.11]:tcp:80', { ok: false, reason: 'connection refused', latencyMs: 1 });
    await clock.advance(10_000);
    assert.deepEqual(seen, [
      'run /rs.sh down',
      'fifo RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
      'run /q.sh down',
      'fifo VS [192.0.2.100]:tcp:80 DOWN',
    ]);
    assert.equal(ran[0].user, 'nobody', 'notify_down without a user: script_user');
    assert.equal(ran[1].user, 'root', 'quorum_down names root');
    health.delete('[192.0.2.11]:tcp:80');
    await clock.advance(10_000);
    assert.deepEqual(
      ran.slice(2).map((r) => r.argv.join(' ')),
      ['/q.sh up'],
    );
    // The mail's numbers: lost below 4 − 0 with weight 1 left, gained at 4 + 0 with 4.
    assert.deepEqual(events, [
      '[192.0.2.100]:tcp:80 false 4+0=4 w1',
      '[192.0.2.100]:tcp:80 true 4+0=4 w4',
    ]);
    await rt.stop();
  });

  test('a VS starting without quorum notifies quorum_down only when it has a sorry server', async () => {
    for (const sorry of [false, true]) {
      const { ran, rt } = scripted();
      // alpha: every real server starts down, so the VS starts without quorum.
      rt.start(
        parseAs(SCRIPTS(`  alpha\n${sorry ? '  sorry_server 192.0.2.50 80\n' : ''}`)).config,
      );
      assert.deepEqual(
        ran.map((r) => r.argv.join(' ')),
        sorry ? ['/q.sh down'] : [],
      );
      await rt.stop();
    }
  });

  test('omega: at shutdown live servers get notify_down, then the VS quorum_down (1 s each); without it nothing runs', async () => {
    for (const omega of [false, true]) {
      const { clock, ran, lines, rt } = scripted();
      const gone: string[] = [];
      offs.push(subscribe('rs:gone', (e) => gone.push(`${e.rs} ${e.why}`)));
      rt.start(parseAs(SCRIPTS(omega ? '  omega\n' : '')).config);
      await clock.advance(0);
      await rt.stop();
      assert.deepEqual(
        gone,
        omega ? ['[192.0.2.11]:tcp:80 shutdown', '[192.0.2.12]:tcp:80 shutdown'] : [],
      );
      assert.deepEqual(
        ran.map((r) => [r.argv.join(' '), r.timeoutS]),
        omega
          ? [
              ['/rs.sh down', 1],
              ['/q.sh down', 1],
            ]
          : [],
      );
      assert.deepEqual(
        lines,
        omega
          ? [
              'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
              'RS [192.0.2.12]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
              'VS [192.0.2.100]:tcp:80 DOWN',
            ]
          : [],
      );
    }
  });

  test('a reload that removes a VS with quorum runs its quorum_down; rs_init_notifies notifies up servers only', async () => {
    const { clock, ran, lines, rt } = scripted();
    // rs_init_notifies with .11 down at start (alpha checker) and .12 up (no checker).
    const conf = SCRIPTS('', '  script_user nobody\n  rs_init_notifies\n').replace(
      '    TCP_CHECK {\n      retry 0',
      '    notify_up "/rs.sh up"\n    TCP_CHECK {\n      alpha\n      retry 0',
    );
    rt.start(
      parseAs(
        conf.replace(
          '  real_server 192.0.2.12 80 {\n',
          '  real_server 192.0.2.12 80 {\n    notify_up "/rs12.sh up"\n',
        ),
      ).config,
    );
    assert.deepEqual(
      ran.map((r) => r.argv.join(' ')),
      ['/rs12.sh up'],
    );
    assert.deepEqual(lines, ['RS [192.0.2.12]:tcp:80 [192.0.2.100]:tcp:80 UP']);
    await clock.advance(0);
    ran.length = 0;
    lines.length = 0;
    // The VS goes: its live servers are notified down, then its quorum.
    rt.reload(parseAs('global_defs {\n  script_user nobody\n}\n').config);
    assert.deepEqual(
      ran.map((r) => r.argv.join(' ')),
      ['/rs.sh down', '/q.sh down'],
    );
    assert.equal(lines.at(-1), 'VS [192.0.2.100]:tcp:80 DOWN');
    await rt.stop();
  });

  test('a reload that gives a VS without quorum a sorry server notifies "Starting with quorum down"', async () => {
    const seen: string[] = [];
    offs.push(subscribe('vs:quorum', (e) => seen.push(`${e.up} init=${e.init}`)));
    const { ran, rt } = scripted();
    // alpha: both servers start down, the VS without quorum and (yet) without a sorry server.
    const conf = SCRIPTS('  alpha\n');
    rt.start(parseAs(conf).config);
    assert.deepEqual(seen, []);
    rt.reload(parseAs(SCRIPTS('  alpha\n  sorry_server 192.0.2.50 80\n')).config);
    assert.deepEqual(seen, ['false init=true']);
    assert.deepEqual(
      ran.map((r) => r.argv.join(' ')),
      ['/q.sh down'],
    );
    await rt.stop();
  });

  test('a reload that removes a live real server notifies it down, and a quorum it moves', async () => {
    const { clock, ran, lines, rt } = scripted();
    const conf = SCRIPTS('');
    rt.start(parseAs(conf).config);
    await clock.advance(0);
    // .11 (weight 3) goes; .13 (weight 5, alpha: down until checked) comes. The live weight is
    // 1, below quorum 4 (which keepalived would cut to the weight sum had .13 not come).
    const without = conf.replace(
      / {2}real_server 192\.0\.2\.11 80 \{[\s\S]*?\n {2}\}\n/,
      '  real_server 192.0.2.13 80 {\n    weight 5\n    alpha\n    TCP_CHECK {\n    }\n  }\n',
    );
    assert.notEqual(without, conf);
    rt.reload(parseAs(without).config);
    assert.deepEqual(
      ran.map((r) => r.argv.join(' ')),
      ['/rs.sh down', '/q.sh down'],
    );
    assert.deepEqual(lines, [
      'RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 DOWN',
      'VS [192.0.2.100]:tcp:80 DOWN',
    ]);
    await rt.stop();
  });
});

describe('quorum with hysteresis (keepalived update_quorum_state)', () => {
  test('starts up only at quorum + hysteresis', () => {
    assert.equal(initialQuorum(5, 5, 1), false);
    assert.equal(initialQuorum(6, 5, 1), true);
  });
  test('down → up at quorum + hysteresis, up → down below quorum − hysteresis', () => {
    assert.equal(nextQuorum(false, 5, 5, 1), false);
    assert.equal(nextQuorum(false, 6, 5, 1), true);
    assert.equal(nextQuorum(true, 4, 5, 1), true);
    assert.equal(nextQuorum(true, 3, 5, 1), false);
  });
  test('up → down when no live weight is left, whatever the quorum (as keepalived)', () => {
    assert.equal(nextQuorum(true, 0, 0, 0), false);
    assert.equal(nextQuorum(false, 0, 0, 0), true);
  });
});

test('canonicalIp compares IPv6 spellings', () => {
  assert.equal(canonicalIp('2001:DB8:0:0::1'), canonicalIp('2001:db8::1'));
  assert.equal(canonicalIp('192.0.2.1'), '192.0.2.1');
});
