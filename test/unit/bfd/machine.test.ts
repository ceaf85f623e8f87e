// The BFD session reducer, one named test per transition and timer rule (RFC 5880 §6.8).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createSession,
  detectionTime,
  ms,
  sessionConfig,
  step,
  txInterval,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
} from '../../../src/bfd/machine.js';
import type { BfdControl, BfdStateName } from '../../../src/bfd/packet.js';

const cfg = (over: Partial<SessionConfig> = {}): SessionConfig =>
  sessionConfig('B4', { desiredMinTx: ms(50), requiredMinRx: ms(50), detectMult: 3, ...over });

/** A peer's packet, BIRD-like. */
function peer(state: BfdStateName, over: Partial<BfdControl> = {}): BfdControl {
  return {
    diag: 0,
    state,
    poll: false,
    final: false,
    cpi: false,
    demand: false,
    detectMult: 3,
    myDisc: 0xabcdef01,
    yourDisc: state === 'Down' || state === 'AdminDown' ? 0 : 0x1111,
    desiredMinTx: state === 'Up' ? ms(100) : ms(1000),
    requiredMinRx: ms(100),
    requiredMinEchoRx: 0,
    ...over,
  };
}

class Harness {
  s: SessionState;
  now = 0;
  fx: SessionEffect[] = [];
  constructor(c: SessionConfig = cfg(), seed = 7) {
    this.s = createSession(c, 0x1111, seed);
  }
  in(input: SessionInput, at = this.now): SessionEffect[] {
    this.now = at;
    const r = step(this.s, input, at);
    this.s = r.state;
    this.fx = r.effects;
    return r.effects;
  }
  /** Runs timer inputs until `until`, returning every effect. */
  run(until: number): SessionEffect[] {
    const all: SessionEffect[] = [];
    for (;;) {
      const d = step(this.s, { type: 'timer' }, this.now).deadline;
      if (d === null || d > until) break;
      all.push(...this.in({ type: 'timer' }, Math.max(d, this.now)));
    }
    this.now = until;
    return all;
  }
  sends(fx = this.fx): BfdControl[] {
    return fx.flatMap((e) => (e.type === 'send' ? [e.packet] : []));
  }
  states(fx = this.fx): string[] {
    return fx.flatMap((e) => (e.type === 'state' ? [`${e.from}>${e.to}:${e.diag}`] : []));
  }
  /** Drives the session to Up against a BIRD-like peer. */
  up(): void {
    this.in({ type: 'start' });
    this.in({ type: 'timer' });
    this.in({ type: 'packet', packet: peer('Init') }, this.now + 1000);
    assert.equal(this.s.state, 'Up');
  }
}

describe('BFD state transitions', () => {
  test('start: Down, sends at once at the 1 s slow rate, Your Discriminator 0, no echo', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    const [p] = h.sends(h.in({ type: 'timer' }));
    assert.equal(p.state, 'Down');
    assert.equal(p.yourDisc, 0);
    assert.equal(p.myDisc, 0x1111);
    assert.equal(p.desiredMinTx, 1_000_000);
    assert.equal(p.requiredMinRx, 50_000);
    assert.equal(p.requiredMinEchoRx, 0);
    assert.equal(p.poll, false);
  });
  test('Down + peer Down → Init, answered at once with the learned discriminator', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    const fx = h.in({ type: 'packet', packet: peer('Down') });
    assert.deepEqual(h.states(fx), ['Down>Init:0']);
    const [p] = h.sends(fx);
    assert.equal(p.state, 'Init');
    assert.equal(p.yourDisc, 0xabcdef01);
  });
  test('Down + peer Init → Up, first Up packet carries Poll with the fast TX', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    const fx = h.in({ type: 'packet', packet: peer('Init') });
    assert.deepEqual(h.states(fx), ['Down>Up:0']);
    const [p] = h.sends(fx);
    assert.deepEqual([p.state, p.poll, p.final, p.desiredMinTx], ['Up', true, false, 50_000]);
    assert.ok(fx.some((e) => e.type === 'log' && e.message === '(B4) Entering Up state'));
  });
  test('Down + peer Up → stays Down (peer must first see us)', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    assert.deepEqual(h.states(h.in({ type: 'packet', packet: peer('Up') })), []);
    assert.equal(h.s.state, 'Down');
  });
  test('Init + peer Init → Up; Init + peer Up → Up', () => {
    for (const st of ['Init', 'Up'] as const) {
      const h = new Harness();
      h.in({ type: 'start' });
      h.in({ type: 'packet', packet: peer('Down') });
      assert.deepEqual(h.states(h.in({ type: 'packet', packet: peer(st) })), ['Init>Up:0']);
    }
  });
  test('Init + peer Down → stays Init', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    h.in({ type: 'packet', packet: peer('Down') });
    assert.deepEqual(h.states(h.in({ type: 'packet', packet: peer('Down') })), []);
    assert.equal(h.s.state, 'Init');
  });
  test('Up + peer Down → Down with diag 3 (neighbor signaled down), logged as keepalived', () => {
    const h = new Harness();
    h.up();
    const fx = h.in({ type: 'packet', packet: peer('Down', { diag: 1 }) });
    assert.deepEqual(h.states(fx), ['Up>Down:3']);
    assert.ok(
      fx.some(
        (e) =>
          e.type === 'log' &&
          e.level === 'warning' &&
          e.message ===
            '(B4) Entering Down state (Local diagnostic - Neighbor Signaled Session Down, ' +
              'Remote diagnostic - Control Detection Time Expired)',
      ),
    );
    const [p] = h.sends(fx);
    assert.deepEqual([p.state, p.diag, p.desiredMinTx], ['Down', 3, 1_000_000]);
  });
  test('peer AdminDown: Up → Down diag 3, Init → Down diag 3, Down stays Down', () => {
    const h = new Harness();
    h.up();
    assert.deepEqual(h.states(h.in({ type: 'packet', packet: peer('AdminDown', { diag: 7 }) })), [
      'Up>Down:3',
    ]);
    const i = new Harness();
    i.in({ type: 'start' });
    i.in({ type: 'packet', packet: peer('Down') });
    assert.deepEqual(i.states(i.in({ type: 'packet', packet: peer('AdminDown') })), [
      'Init>Down:3',
    ]);
    assert.deepEqual(i.states(i.in({ type: 'packet', packet: peer('AdminDown') })), []);
  });
  test('detection timer in Up → Down diag 1, remote discriminator reset, "Expired after"', () => {
    const h = new Harness();
    h.up();
    assert.equal(detectionTime(h.s), 3_000_000); // peer still at its 1 s Init rate
    h.in({ type: 'packet', packet: peer('Up', { final: true }) });
    const t0 = h.now;
    // Peer at 100 ms TX, mult 3; our RX 50 ms → detection 300 ms.
    assert.equal(detectionTime(h.s), 300_000);
    const fx = h.run(t0 + 400_000);
    assert.deepEqual(h.states(fx), ['Up>Down:1']);
    const down = fx.find((e) => e.type === 'state');
    assert.ok(down);
    assert.equal(h.s.remoteDisc, 0);
    const sent = h.sends(fx).find((p) => p.state === 'Down');
    assert.ok(sent);
    assert.deepEqual([sent.diag, sent.yourDisc], [1, 0]);
    assert.ok(fx.some((e) => e.type === 'log' && /^\(B4\) Expired after 300 ms/.test(e.message)));
  });
  test('detection timer in Init → Down diag 1', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    h.in({ type: 'packet', packet: peer('Down') });
    const fx = h.run(h.now + 3_000_001);
    assert.deepEqual(h.states(fx), ['Init>Down:1']);
  });
  test('detection timer in Down forgets the peer without a transition', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    h.in({ type: 'packet', packet: peer('AdminDown') });
    assert.equal(h.s.remoteDisc, 0xabcdef01);
    const fx = h.run(h.now + 3_000_001);
    assert.deepEqual(h.states(fx), []);
    assert.equal(h.s.remoteDisc, 0);
  });
  test('each packet restarts detection: a peer at its interval keeps the session Up', () => {
    const h = new Harness();
    h.up();
    for (let i = 1; i <= 30; i++) {
      h.run(h.now + 95_000);
      h.in({ type: 'packet', packet: peer('Up', { desiredMinTx: ms(100) }) });
    }
    assert.equal(h.s.state, 'Up');
  });
});

describe('BFD poll / final', () => {
  test('a Poll is answered at once with Final and no Poll', () => {
    const h = new Harness();
    h.up();
    h.in({ type: 'packet', packet: peer('Up', { final: true }) }); // ends our own poll
    const [p, ...rest] = h.sends(h.in({ type: 'packet', packet: peer('Up', { poll: true }) }));
    assert.deepEqual([p.final, p.poll, rest.length], [true, false, 0]);
  });
  test('going Up starts a poll: P on every packet until the Final, then the fast TX is used', () => {
    const h = new Harness();
    h.up();
    assert.equal(h.s.polling, true);
    assert.equal(h.s.useTx, 50_000); // faster TX applies at once
    const sent = h.sends(h.run(h.now + 500_000));
    assert.ok(sent.length >= 2 && sent.every((p) => p.poll));
    h.in({ type: 'packet', packet: peer('Up', { final: true }) });
    assert.equal(h.s.polling, false);
    const after = h.sends(h.run(h.now + 500_000));
    assert.ok(after.every((p) => !p.poll));
  });
  test('peer Init with P while we go Up: Final first, then our own Poll', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    const sent = h.sends(h.in({ type: 'packet', packet: peer('Init', { poll: true }) }));
    assert.deepEqual(
      sent.map((p) => [p.state, p.poll, p.final]),
      [
        ['Up', false, true],
        ['Up', true, false],
      ],
    );
  });
  test('a larger TX while Up is not used until the Final', () => {
    const h = new Harness();
    h.up();
    h.in({ type: 'packet', packet: peer('Up', { final: true, requiredMinRx: ms(10) }) });
    const fx = h.in({ type: 'params', desiredMinTx: ms(300) });
    assert.equal(h.sends(fx)[0]?.poll, true);
    assert.equal(h.sends(fx)[0]?.desiredMinTx, 300_000);
    assert.equal(txInterval(h.s), 50_000);
    h.in({ type: 'packet', packet: peer('Up', { final: true, requiredMinRx: ms(10) }) });
    assert.equal(txInterval(h.s), 300_000);
  });
  test('a smaller RX while Up does not shorten the Detection Time until the Final', () => {
    const h = new Harness(cfg({ requiredMinRx: ms(200) }));
    h.up();
    h.in({ type: 'packet', packet: peer('Up', { final: true }) });
    assert.equal(detectionTime(h.s), 600_000);
    h.in({ type: 'params', requiredMinRx: ms(20) });
    assert.equal(h.s.advRx, 20_000);
    assert.equal(detectionTime(h.s), 600_000);
    h.in({ type: 'packet', packet: peer('Up', { final: true }) });
    assert.equal(detectionTime(h.s), 300_000); // now max(20 ms, peer's 100 ms) × 3
  });
  test('a Final without a running poll changes nothing', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    h.in({ type: 'packet', packet: peer('Down', { final: true }) });
    assert.equal(h.s.polling, false);
    assert.equal(h.s.useTx, 1_000_000);
  });
});

describe('BFD timers', () => {
  test('TX interval = max(our Desired Min TX, peer Required Min RX): FRR Init asks 1 s', () => {
    const h = new Harness();
    h.up();
    h.in({ type: 'packet', packet: peer('Up', { final: true, requiredMinRx: ms(1000) }) });
    assert.equal(txInterval(h.s), 1_000_000);
  });
  test('Detection Time = peer mult × max(our RX, peer TX)', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    h.in({ type: 'packet', packet: peer('Down', { detectMult: 5, desiredMinTx: ms(1000) }) });
    assert.equal(detectionTime(h.s), 5_000_000);
  });
  test('slow TX while not Up: periodic packets 750 ms..1 s apart', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      const d = step(h.s, { type: 'timer' }, h.now).deadline;
      assert.ok(d !== null);
      h.in({ type: 'timer' }, d);
      times.push(d);
    }
    for (let i = 1; i < times.length; i++) {
      const gap = times[i] - times[i - 1];
      assert.ok(gap >= 750_000 && gap < 1_000_000, `gap ${gap}`);
    }
  });
  test('jitter with Detect Mult 1 stays within 75–90 %', () => {
    const h = new Harness(cfg({ detectMult: 1, idleTx: ms(1000) }), 99);
    h.in({ type: 'start' });
    let last = 0;
    for (let i = 0; i < 50; i++) {
      const d = step(h.s, { type: 'timer' }, h.now).deadline;
      assert.ok(d !== null);
      h.in({ type: 'timer' }, d);
      if (i > 0) assert.ok(d - last >= 750_000 && d - last < 900_000, `gap ${d - last}`);
      last = d;
    }
  });
  test('peer Required Min RX 0: we send nothing', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    h.in({ type: 'packet', packet: peer('Down', { requiredMinRx: 0 }) });
    assert.deepEqual(h.sends(h.run(h.now + 5_000_000)), []);
  });
  test('peer Required Min RX drops from 1 s to 100 ms: the next packet is brought forward', () => {
    const h = new Harness();
    h.up();
    h.in({ type: 'packet', packet: peer('Up', { final: true, requiredMinRx: ms(1000) }) });
    h.run(h.now + 10); // schedule at ~1 s
    h.in({ type: 'packet', packet: peer('Up', { requiredMinRx: ms(100) }) });
    assert.ok(h.s.txAt !== null && h.s.txAt - h.now <= 100_000);
  });
});

describe('BFD roles and administration', () => {
  test('passive: silent until the peer is heard', () => {
    const h = new Harness(cfg({ passive: true }));
    h.in({ type: 'start' });
    assert.deepEqual(h.sends(h.run(5_000_000)), []);
    const fx = h.in({ type: 'packet', packet: peer('Down') });
    assert.equal(h.sends(fx)[0]?.state, 'Init');
  });
  test('admin down: AdminDown diag 7 sent, packets ignored, quiet after a while; admin up → Down', () => {
    const h = new Harness();
    h.up();
    const fx = h.in({ type: 'admin-down' });
    assert.deepEqual(h.states(fx), ['Up>AdminDown:7']);
    assert.deepEqual([h.sends(fx)[0]?.state, h.sends(fx)[0]?.diag], ['AdminDown', 7]);
    const d = h.in({ type: 'packet', packet: peer('Up') });
    assert.ok(d.some((e) => e.type === 'drop' && e.reason === 'admin-down'));
    assert.equal(h.s.state, 'AdminDown');
    h.run(h.now + 10_000_000);
    assert.deepEqual(h.sends(h.run(h.now + 10_000_000)), []);
    assert.deepEqual(h.states(h.in({ type: 'admin-up' })), ['AdminDown>Down:0']);
  });
  test('Your Discriminator that is not ours → drop no-session', () => {
    const h = new Harness();
    h.in({ type: 'start' });
    const fx = h.in({ type: 'packet', packet: peer('Init', { yourDisc: 0x2222 }) });
    assert.ok(fx.some((e) => e.type === 'drop' && e.reason === 'no-session'));
    assert.equal(h.s.state, 'Down');
  });
  test('shutdown: one AdminDown packet, then no deadline', () => {
    const h = new Harness();
    h.up();
    const r = step(h.s, { type: 'shutdown' }, h.now + 1);
    const sent = h.sends(r.effects);
    assert.deepEqual([sent.length, sent[0]?.state, sent[0]?.diag], [1, 'AdminDown', 7]);
    assert.equal(r.deadline, null);
  });
  test('createSession rejects a zero discriminator', () => {
    assert.throws(() => createSession(cfg(), 0), RangeError);
  });
});
