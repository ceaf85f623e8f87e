// Property tests of the VRRP reducer: random configurations and random input
// sequences (timers delivered on time, as the shell does) must keep the
// machine total and its effects consistent with its state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { MachineConfig, MachineInput, MachineState } from '../../../src/vrrp/machine.js';
import { createMachine, machineConfig, step } from '../../../src/vrrp/machine.js';
import { centis, seconds } from '../../../src/vrrp/timers.js';

const OWN = '10.0.0.5';
const sources = ['10.0.0.1', '10.0.0.5', '10.0.0.9', '10.0.1.0'];

const configArb: fc.Arbitrary<MachineConfig> = fc
  .record({
    version: fc.constantFrom<2 | 3>(2, 3),
    priority: fc.oneof(fc.integer({ min: 1, max: 255 }), fc.constant(255)),
    wantMaster: fc.boolean(),
    cs: fc.integer({ min: 1, max: 300 }),
    downTimerAdverts: fc.integer({ min: 1, max: 5 }),
    nopreempt: fc.boolean(),
    preemptDelay: fc.constantFrom(0, seconds(2), seconds(7)),
    accept: fc.boolean(),
    lowerPrioNoAdvert: fc.boolean(),
    higherPrioSendAdvert: fc.boolean(),
    garpMasterDelay: fc.constantFrom(0, seconds(5)),
    garpMasterRefresh: fc.constantFrom(0, seconds(3)),
    garpLowerPrioRepeat: fc.constantFrom(0, 2),
    garpLowerPrioDelay: fc.constantFrom(0, seconds(1)),
  })
  .map(({ cs, ...o }) =>
    machineConfig('VI_P', OWN, {
      ...o,
      advertInt: o.version === 2 ? seconds(Math.max(1, Math.round(cs / 100))) : centis(cs),
    }),
  );

/** An input plus how long to wait before it (timers due in between are delivered first). */
const inputArb: fc.Arbitrary<MachineInput> = fc.oneof(
  { weight: 1, arbitrary: fc.constant<MachineInput>({ type: 'start' }) },
  { weight: 1, arbitrary: fc.constant<MachineInput>({ type: 'shutdown' }) },
  { weight: 3, arbitrary: fc.constant<MachineInput>({ type: 'timer' }) },
  {
    weight: 6,
    arbitrary: fc.record({
      type: fc.constant('advert' as const),
      priority: fc.oneof(fc.integer({ min: 0, max: 255 }), fc.constantFrom(0, 100, 255)),
      source: fc.constantFrom(...sources),
      advertInt: fc.integer({ min: 1, max: 4095 }).map(centis),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('fault' as const),
      on: fc.boolean(),
      reason: fc.constantFrom('eth0', 'chk'),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      type: fc.constant('priority' as const),
      priority: fc.integer({ min: -300, max: 400 }),
    }),
  },
);

const scenarioArb = fc.record({
  config: configArb,
  steps: fc.array(fc.tuple(fc.integer({ min: 0, max: seconds(4) }), inputArb), {
    maxLength: 120,
  }),
});

type Check = (before: MachineState, input: MachineInput, now: number) => void;

/** Drive a scenario, delivering due timers first, and call `check` after every step. */
function drive(config: MachineConfig, steps: [number, MachineInput][], check: Check): void {
  let s = createMachine(config);
  let deadline: number | null = null;
  let now = 0;
  let held = false;
  const apply = (input: MachineInput, at: number): void => {
    const before = s;
    const r = step(s, input, at);
    for (const e of r.effects) {
      if (e.type === 'add-vips') {
        assert.equal(held, false, 'VIPs added twice');
        held = true;
      } else if (e.type === 'remove-vips') {
        assert.equal(held, true, 'VIPs removed while not held');
        held = false;
      } else if (e.type === 'send-advert') {
        assert.ok(e.priority >= 0 && e.priority <= 255);
        if (e.priority === 0) assert.equal(before.state, 'MASTER', 'priority 0 only from master');
        // higher_prio_send_advert: a master's last advert as it steps down.
        else
          assert.ok(
            before.state === 'MASTER' || r.state.state === 'MASTER',
            'only a master advertises',
          );
      } else if (e.type === 'transition') {
        assert.notEqual(e.from, e.to);
      }
    }
    const trs = r.effects.filter((e) => e.type === 'transition');
    if (trs.length > 0) {
      assert.equal(trs[0].from, before.state);
      assert.equal(trs[trs.length - 1].to, r.state.state);
    } else assert.equal(r.state.state, before.state, 'state changed without a transition');
    s = r.state;
    deadline = r.deadline;
    assert.equal(held, s.state === 'MASTER', `VIPs held=${held} in ${s.state}`);
    assert.equal(s.vips, held);
    check(before, input, at);
  };
  for (const [wait, input] of steps) {
    const target = now + wait;
    while (deadline !== null && deadline <= target) {
      now = Math.max(now, deadline);
      apply({ type: 'timer' }, now);
    }
    now = target;
    apply(input, now);
    const st = s;
    const d: number | null = deadline;
    const wants = st.state === 'MASTER' || st.state === 'BACKUP';
    assert.equal(d !== null, wants, `deadline ${d} in ${st.state}`);
    if (d !== null) assert.ok(d >= now, 'deadline in the past');
    assert.ok(st.priority >= 1 && st.priority <= 255, `priority ${st.priority}`);
    if (st.priority === 255) assert.equal(config.priority, 255);
    if (config.priority !== 255) assert.ok(st.priority <= 254);
    if (st.state === 'FAULT') assert.ok(st.faults.length > 0);
    if (st.faults.length > 0) assert.ok(st.state === 'FAULT' || st.state === 'INIT');
  }
}

test('random input sequences: total, deadlines present, VIPs only in MASTER, priority bounds', () => {
  fc.assert(
    fc.property(scenarioArb, ({ config, steps }) => {
      drive(config, steps, () => {});
    }),
    { numRuns: 1000 },
  );
});

test('a non-owner never leaves BACKUP while adverts of a higher priority keep coming', () => {
  fc.assert(
    fc.property(
      configArb.filter((c) => c.priority < 254),
      fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 60 }),
      (config, gaps) => {
        let r = step(createMachine(config), { type: 'start' }, 0);
        let now = 0;
        for (const pct of gaps) {
          // Adverts arrive within one advert interval of each other: far inside MDI.
          now += Math.max(1, Math.floor((config.advertInt * pct) / 100));
          assert.ok(r.deadline === null || now < r.deadline);
          r = step(
            r.state,
            { type: 'advert', priority: 254, source: '10.0.0.1', advertInt: config.advertInt },
            now,
          );
          assert.equal(r.state.state, 'BACKUP');
        }
      },
    ),
    { numRuns: 300 },
  );
});
