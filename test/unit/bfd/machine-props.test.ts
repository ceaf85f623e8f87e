// BFD session properties: random inputs never break the invariants, and two sessions on a
// simulated link (virtual time, random intervals and seeds) come Up, detect a cut within the
// Detection Time plus one timer tick, and come back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  createSession,
  detectionTime,
  ms,
  sessionConfig,
  step,
  type SessionInput,
  type SessionState,
} from '../../../src/bfd/machine.js';
import { STATE_NAMES, decodeBfd, encodeBfd, type BfdControl } from '../../../src/bfd/packet.js';

const packetArb: fc.Arbitrary<BfdControl> = fc
  .record({
    diag: fc.integer({ min: 0, max: 8 }),
    state: fc.constantFrom(...STATE_NAMES),
    poll: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 10 }),
    yourDisc: fc.constantFrom(0, 0x1111, 0x2222),
    desiredMinTx: fc.integer({ min: 0, max: 2_000_000 }),
    requiredMinRx: fc.integer({ min: 0, max: 2_000_000 }),
  })
  .map((r) => ({
    ...r,
    final: !r.poll && r.diag % 2 === 0,
    cpi: false,
    demand: false,
    myDisc: 0xabc,
    requiredMinEchoRx: 0,
  }));

const inputArb: fc.Arbitrary<[SessionInput, number]> = fc.tuple(
  fc.oneof(
    { weight: 6, arbitrary: packetArb.map((packet): SessionInput => ({ type: 'packet', packet })) },
    { weight: 6, arbitrary: fc.constant<SessionInput>({ type: 'timer' }) },
    { weight: 1, arbitrary: fc.constant<SessionInput>({ type: 'admin-down' }) },
    { weight: 1, arbitrary: fc.constant<SessionInput>({ type: 'admin-up' }) },
    { weight: 1, arbitrary: fc.constant<SessionInput>({ type: 'start' }) },
    {
      weight: 1,
      arbitrary: fc
        .record({
          tx: fc.integer({ min: 1000, max: 2_000_000 }),
          rx: fc.integer({ min: 1000, max: 2_000_000 }),
        })
        .map((p): SessionInput => ({ type: 'params', desiredMinTx: p.tx, requiredMinRx: p.rx })),
    },
  ),
  fc.integer({ min: 0, max: 3_000_000 }),
);

test('random inputs: no throw, packets encode, invariants hold', () => {
  fc.assert(
    fc.property(fc.array(inputArb, { maxLength: 60 }), fc.integer(), (inputs, seed) => {
      let s = createSession(sessionConfig('P', { detectMult: 3 }), 0x1111, seed);
      let now = 0;
      s = step(s, { type: 'start' }, now).state;
      for (const [input, dt] of inputs) {
        now += dt;
        const r = step(s, input, now);
        for (const e of r.effects) {
          if (e.type !== 'send') continue;
          const back = decodeBfd(encodeBfd(e.packet));
          assert.ok(back.ok || back.reason === 'your-disc-zero', 'sent packet must decode');
          assert.ok(!(e.packet.poll && e.packet.final));
          assert.equal(e.packet.myDisc, 0x1111);
          if (e.packet.state !== 'Up') assert.ok(e.packet.desiredMinTx >= 1_000_000);
        }
        s = r.state;
        assert.equal(s.localDisc, 0x1111);
        if (s.state === 'Up' || s.state === 'Init') assert.notEqual(s.remoteDisc, 0);
        if (input.type === 'timer') assert.ok(r.deadline === null || r.deadline > now);
        if (!s.polling) assert.deepEqual([s.useTx, s.useRx], [s.advTx, s.advRx]);
      }
    }),
    { numRuns: 2000 },
  );
});

interface Side {
  s: SessionState;
  inbox: { at: number; p: BfdControl }[];
}

/** Two sessions on a link with `delay` µs; `cut(now)` says whether packets are lost. */
function simulate(
  a: SessionState,
  b: SessionState,
  until: number,
  cut: (now: number) => boolean,
  onState: (who: 'a' | 'b', to: string, now: number) => void,
  delay = 100,
): void {
  const sides: Record<'a' | 'b', Side> = { a: { s: a, inbox: [] }, b: { s: b, inbox: [] } };
  const apply = (who: 'a' | 'b', input: SessionInput, now: number): void => {
    const me = sides[who];
    const other = sides[who === 'a' ? 'b' : 'a'];
    const r = step(me.s, input, now);
    me.s = r.state;
    for (const e of r.effects) {
      if (e.type === 'send' && !cut(now)) other.inbox.push({ at: now + delay, p: e.packet });
      if (e.type === 'state') onState(who, e.to, now);
    }
  };
  apply('a', { type: 'start' }, 0);
  apply('b', { type: 'start' }, 0);
  for (let guard = 0; guard < 1_000_000; guard++) {
    let best: { at: number; who: 'a' | 'b'; kind: 'timer' | 'packet' } | null = null;
    for (const who of ['a', 'b'] as const) {
      const side = sides[who];
      const d = step(side.s, { type: 'timer' }, 0).deadline;
      if (d !== null && (!best || d < best.at)) best = { at: d, who, kind: 'timer' };
      const m = side.inbox[0];
      if (m && (!best || m.at < best.at)) best = { at: m.at, who, kind: 'packet' };
    }
    if (!best || best.at > until) return;
    if (best.kind === 'timer') apply(best.who, { type: 'timer' }, best.at);
    else {
      const m = sides[best.who].inbox.shift();
      if (m) apply(best.who, { type: 'packet', packet: m.p }, best.at);
    }
  }
  assert.fail('simulation did not finish');
}

test('two sessions come Up, detect a cut within Detection Time, and recover', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 10, max: 300 }),
      fc.integer({ min: 10, max: 300 }),
      fc.integer({ min: 1, max: 5 }),
      fc.integer(),
      (txMs, rxMs, mult, seed) => {
        const c = (n: string) =>
          sessionConfig(n, { desiredMinTx: ms(txMs), requiredMinRx: ms(rxMs), detectMult: mult });
        const a = createSession(c('A'), 0xa, seed);
        const b = createSession(c('B'), 0xb, seed ^ 0x5555);
        const cutAt = 5_000_000;
        const healAt = 8_000_000;
        const events: { who: string; to: string; now: number }[] = [];
        simulate(
          a,
          b,
          14_000_000,
          (now) => now >= cutAt && now < healAt,
          (who, to, now) => events.push({ who, to, now }),
        );
        for (const who of ['a', 'b']) {
          const mine = events.filter((e) => e.who === who);
          const firstUp = mine.find((e) => e.to === 'Up');
          assert.ok(firstUp && firstUp.now < 2_100_000, `${who} Up late: ${JSON.stringify(mine)}`);
          const down = mine.find((e) => e.to === 'Down' && e.now >= cutAt);
          assert.ok(down, `${who} never went Down`);
          // Detection = mult × max(rx, peer tx); the last packet left up to one jittered TX
          // interval before the cut.
          const detect = mult * Math.max(ms(rxMs), ms(txMs));
          assert.ok(
            down.now - cutAt <= detect + 200,
            `${who} late: ${down.now - cutAt} > ${detect}`,
          );
          assert.ok(down.now - cutAt >= detect - Math.max(ms(txMs), ms(rxMs)) - 200);
          const back = mine.find((e) => e.to === 'Up' && e.now >= healAt);
          assert.ok(back && back.now < healAt + 2_500_000, `${who} did not come back`);
        }
      },
    ),
    { numRuns: 60 },
  );
  assert.equal(detectionTime(createSession(sessionConfig('x'), 1)), null);
});
