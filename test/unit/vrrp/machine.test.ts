import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type {
  MachineConfig,
  MachineEffect,
  MachineInput,
  MachineState,
  StepResult,
} from '../../../src/vrrp/machine.js';
import { createMachine, downInterval, machineConfig, step } from '../../../src/vrrp/machine.js';
import { centis, masterDownInterval, seconds, skewTime } from '../../../src/vrrp/timers.js';

const S = seconds(1);
const cfg = (o: Partial<MachineConfig> = {}): MachineConfig => machineConfig('VI_1', '10.0.0.2', o);
const advert = (priority: number, source = '10.0.0.9', advertInt = S): MachineInput => ({
  type: 'advert',
  priority,
  source,
  advertInt,
});
const kinds = (fx: MachineEffect[]): string[] => fx.map((e) => e.type);
const logs = (fx: MachineEffect[]): string[] =>
  fx.flatMap((e) => (e.type === 'log' ? [e.message] : []));
const of = <T extends MachineEffect['type']>(fx: MachineEffect[], t: T) =>
  fx.filter((e): e is Extract<MachineEffect, { type: T }> => e.type === t);

/** Start at t=0 and return the BACKUP result. */
function backup(o: Partial<MachineConfig> = {}): StepResult {
  return step(createMachine(cfg(o)), { type: 'start' }, 0);
}
/** A machine that became master on its down timer. */
function master(o: Partial<MachineConfig> = {}): StepResult {
  const b = backup(o);
  return step(b.state, { type: 'timer' }, b.deadline!);
}
const at = (r: StepResult, input: MachineInput, now: number): StepResult =>
  step(r.state, input, now);

describe('timers (RFC 3768 §6.1, RFC 5798 §6.1)', () => {
  test('v2 priority 100 at 1 s: skew 0.609375 s, MDI 3.609375 s', () => {
    assert.equal(skewTime(2, 100, S), 609_375);
    assert.equal(masterDownInterval(2, 100, S), 3_609_375);
  });
  test('v2 skew does not scale with the interval; v3 skew does', () => {
    assert.equal(skewTime(2, 100, seconds(5)), 609_375);
    assert.equal(skewTime(3, 100, centis(10)), 60_937);
    assert.equal(masterDownInterval(3, 100, centis(10)), 360_937);
  });
  test('priority 254 at 1 s gives MDI 3.0078 s; down_timer_adverts replaces the 3', () => {
    assert.equal(masterDownInterval(2, 254, S), 3_007_812);
    assert.equal(masterDownInterval(2, 100, S, 5), 5_609_375);
  });
});

describe('Initialize', () => {
  test('Init → Backup on start, down timer = MDI, logs "(init)"', () => {
    const r = backup();
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.deadline, 3_609_375);
    assert.deepEqual(logs(r.effects), ['(VI_1) Entering BACKUP STATE (init)']);
    assert.deepEqual(of(r.effects, 'notify'), [{ type: 'notify', state: 'BACKUP', priority: 100 }]);
    assert.ok(!kinds(r.effects).includes('add-vips'));
  });
  test('state MASTER below 255 still starts in Backup and waits the full MDI', () => {
    const r = backup({ priority: 150, wantMaster: true });
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.deadline, masterDownInterval(2, 150, S));
  });
  test('Init → Master for the owner (255): advert before VIPs, GARP, notify', () => {
    const r = step(createMachine(cfg({ priority: 255 })), { type: 'start' }, 0);
    assert.equal(r.state.state, 'MASTER');
    assert.deepEqual(kinds(r.effects).slice(0, 5), [
      'send-advert',
      'log',
      'transition',
      'add-vips',
      'garp',
    ]);
    assert.deepEqual(of(r.effects, 'send-advert')[0], {
      type: 'send-advert',
      priority: 255,
      advertInt: S,
    });
    assert.equal(r.deadline, S);
  });
  test('start with a fault pending enters FAULT (init)', () => {
    let r = step(createMachine(cfg()), { type: 'fault', on: true, reason: 'eth0 down' }, 0);
    assert.deepEqual(r.effects, []);
    r = at(r, { type: 'start' }, 1);
    assert.equal(r.state.state, 'FAULT');
    assert.equal(r.deadline, null);
    assert.deepEqual(logs(r.effects), ['(VI_1) Entering FAULT STATE (init)']);
  });
  test('adverts and timers before start do nothing', () => {
    const m = createMachine(cfg());
    for (const i of [advert(200), { type: 'timer' } as const, { type: 'shutdown' } as const]) {
      const r = step(m, i, 5);
      assert.equal(r.state.state, 'INIT');
      assert.deepEqual(r.effects, []);
    }
  });
});

describe('Backup', () => {
  test('Backup → Master on Master_Down_Timer: "Receive advertisement timeout"', () => {
    const b = backup();
    const early = at(b, { type: 'timer' }, b.deadline! - 1);
    assert.equal(early.state.state, 'BACKUP');
    assert.deepEqual(early.effects, []);
    const r = at(b, { type: 'timer' }, b.deadline!);
    assert.equal(r.state.state, 'MASTER');
    assert.deepEqual(logs(r.effects), [
      '(VI_1) Receive advertisement timeout',
      '(VI_1) Entering MASTER STATE',
    ]);
    const tr = of(r.effects, 'transition')[0];
    assert.deepEqual(tr, {
      type: 'transition',
      from: 'BACKUP',
      to: 'MASTER',
      reason: 'Receive advertisement timeout',
    });
    assert.equal(r.state.vips, true);
    assert.equal(r.deadline, b.deadline! + S);
  });
  test('Backup stays on a higher-priority advert and restarts the down timer', () => {
    const r = at(backup(), advert(150), 2 * S);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.deadline, 2 * S + 3_609_375);
    assert.deepEqual(r.state.master, { address: '10.0.0.9', priority: 150 });
  });
  test('equal priority in Backup just resets the timer (no tie-break between backups)', () => {
    const r = at(backup(), advert(100, '10.0.0.1'), S);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.deadline, S + 3_609_375);
  });
  test('lower-priority master heard: advert discarded, timer runs on, Backup preempts', () => {
    const b = backup({ priority: 150 });
    const first = b.deadline!;
    const r = at(b, advert(100), S);
    assert.equal(r.deadline, first, 'down timer not restarted');
    assert.deepEqual(logs(r.effects), [
      '(VI_1) received lower priority (100) advert from 10.0.0.9 - discarding',
    ]);
    const r2 = at(at(r, advert(100), 2 * S), { type: 'timer' }, first);
    assert.equal(r2.state.state, 'MASTER');
  });
  test('nopreempt: lower-priority adverts reset the timer; no takeover', () => {
    let r = backup({ priority: 150, nopreempt: true });
    for (let t = S; t <= 20 * S; t += S) {
      r = at(r, advert(100), t);
      assert.equal(r.deadline, t + masterDownInterval(2, 150, S));
    }
    assert.equal(r.state.state, 'BACKUP');
  });
  test('preempt_delay: lower-priority adverts accepted until the delay passes, then preempt', () => {
    let r = backup({ priority: 150, preemptDelay: seconds(10) });
    r = at(r, advert(100), S);
    assert.equal(r.state.preemptAt, S + seconds(10));
    assert.equal(r.deadline, S + masterDownInterval(2, 150, S), 'accepted while delaying');
    for (let t = 2 * S; t < 11 * S; t += S) r = at(r, advert(100), t);
    assert.equal(r.state.state, 'BACKUP');
    const armed = r.deadline!;
    r = at(r, advert(100), 11 * S);
    assert.equal(r.deadline, armed, 'discarded once the delay has passed');
    r = at(r, { type: 'timer' }, armed);
    assert.equal(r.state.state, 'MASTER');
  });
  test('preempt_delay resets when a higher-priority master is heard', () => {
    let r = backup({ priority: 150, preemptDelay: seconds(10) });
    r = at(r, advert(100), S);
    assert.notEqual(r.state.preemptAt, null);
    r = at(r, advert(200), 2 * S);
    assert.equal(r.state.preemptAt, null);
  });
  test('priority 0 advert in Backup: down timer = Skew_Time', () => {
    const r = at(backup(), advert(0), 5 * S);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.deadline, 5 * S + 609_375);
    assert.equal(at(r, { type: 'timer' }, r.deadline!).state.state, 'MASTER');
  });
  test('v3 Backup learns the master interval and recomputes skew and MDI', () => {
    const b = backup({ version: 3, advertInt: S });
    const r = at(b, advert(200, '10.0.0.9', centis(50)), S);
    assert.equal(r.state.masterAdverInt, centis(50));
    assert.equal(r.deadline, S + 3 * centis(50) + skewTime(3, 100, centis(50)));
    assert.equal(r.deadline, S + 1_804_687);
  });
  test('v2 Backup keeps its own interval whatever the advert says', () => {
    const r = at(backup(), advert(200, '10.0.0.9', centis(50)), S);
    assert.equal(r.state.masterAdverInt, S);
  });
  test('effective priority change in Backup slides the down timer by the change in skew', () => {
    const b = backup();
    const r = at(b, { type: 'priority', priority: 200 }, S);
    assert.equal(r.state.priority, 200);
    assert.equal(r.deadline, b.deadline! - (skewTime(2, 100, S) - skewTime(2, 200, S)));
    assert.deepEqual(logs(r.effects), ['(VI_1) Changing effective priority from 100 to 200']);
  });
  test('raised priority above a lower master makes its adverts discarded → preemption', () => {
    let r = at(backup(), advert(120), S);
    r = at(r, { type: 'priority', priority: 130 }, S + 1);
    const armed = r.deadline!;
    r = at(r, advert(120), 2 * S);
    assert.equal(r.deadline, armed);
  });
});

describe('Master', () => {
  test('Master sends an advert each interval and keeps VIPs', () => {
    const m = master();
    const r = at(m, { type: 'timer' }, m.deadline!);
    assert.deepEqual(kinds(r.effects), ['send-advert']);
    assert.equal(r.deadline, m.deadline! + S);
  });
  test('Master → Backup on a higher-priority advert: VIPs removed, notify BACKUP', () => {
    const r = at(master(), advert(150), 5 * S);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.state.vips, false);
    assert.deepEqual(logs(r.effects), [
      '(VI_1) Master received advert from 10.0.0.9 with higher priority 150, ours 100',
      '(VI_1) Entering BACKUP STATE',
    ]);
    assert.deepEqual(of(r.effects, 'remove-vips'), [{ type: 'remove-vips', accept: true }]);
    assert.equal(r.deadline, 5 * S + downInterval(r.state));
  });
  test('Master receiving a lower-priority advert answers at once ("forcing new election")', () => {
    const r = at(master(), advert(50), 5 * S);
    assert.equal(r.state.state, 'MASTER');
    assert.deepEqual(of(r.effects, 'send-advert'), [
      { type: 'send-advert', priority: 100, advertInt: S },
    ]);
    assert.match(logs(r.effects)[0], /lower priority 50, ours 100, forcing new election$/);
    assert.equal(of(r.effects, 'notify-master-rx-lower-pri').length, 1);
  });
  test('lower_prio_no_advert: no answer to a lower-priority advert', () => {
    const r = at(master({ lowerPrioNoAdvert: true }), advert(50), 5 * S);
    assert.equal(of(r.effects, 'send-advert').length, 0);
  });
  test('tie-break: equal priority and higher sender address wins', () => {
    const r = at(master(), advert(100, '10.0.0.3'), 5 * S);
    assert.equal(r.state.state, 'BACKUP');
    assert.match(logs(r.effects)[0], /same priority 100 but higher IP address than ours/);
  });
  test('tie-break: equal priority and lower sender address loses', () => {
    const r = at(master(), advert(100, '10.0.0.1'), 5 * S);
    assert.equal(r.state.state, 'MASTER');
    assert.equal(of(r.effects, 'send-advert').length, 1);
  });
  test('tie-break compares IPv6 addresses as unsigned numbers', () => {
    const m = step(
      createMachine(machineConfig('V6', 'fe80::2', { version: 3 })),
      { type: 'start' },
      0,
    );
    const mm = at(m, { type: 'timer' }, m.deadline!);
    assert.equal(at(mm, advert(100, 'fe80::10', S), 9 * S).state.state, 'BACKUP');
    assert.equal(at(mm, advert(100, 'fe80::1', S), 9 * S).state.state, 'MASTER');
  });
  test('priority 0 advert in Master: send an advert now and re-arm', () => {
    const r = at(master(), advert(0), 5 * S);
    assert.equal(r.state.state, 'MASTER');
    assert.equal(of(r.effects, 'send-advert').length, 1);
    assert.equal(r.deadline, 5 * S + S);
  });
  test('shutdown from Master sends priority 0, removes VIPs, notifies STOP', () => {
    const r = at(master(), { type: 'shutdown' }, 9 * S);
    assert.equal(r.state.state, 'INIT');
    assert.deepEqual(kinds(r.effects), [
      'send-advert',
      'log',
      'remove-vips',
      'transition',
      'notify',
    ]);
    assert.deepEqual(of(r.effects, 'send-advert')[0], {
      type: 'send-advert',
      priority: 0,
      advertInt: S,
    });
    assert.equal(r.deadline, null);
  });
  test('shutdown from Backup sends nothing and notifies STOP', () => {
    const r = at(backup(), { type: 'shutdown' }, S);
    assert.equal(r.state.state, 'INIT');
    assert.deepEqual(kinds(r.effects), ['transition', 'notify']);
  });
  test('restart after shutdown enters Backup again', () => {
    const r = at(at(master(), { type: 'shutdown' }, 9 * S), { type: 'start' }, 10 * S);
    assert.equal(r.state.state, 'BACKUP');
  });
  test('v3 Master adopts the interval of the master it yields to', () => {
    const m = master({ version: 3 });
    const r = at(m, advert(200, '10.0.0.9', centis(20)), 9 * S);
    assert.equal(r.state.masterAdverInt, centis(20));
    assert.equal(r.deadline, 9 * S + 3 * centis(20) + skewTime(3, 100, centis(20)));
  });
  test('higher_prio_send_advert sends one advert before stepping down', () => {
    const r = at(master({ higherPrioSendAdvert: true }), advert(150), 5 * S);
    assert.equal(kinds(r.effects)[0], 'send-advert');
    assert.equal(r.state.state, 'BACKUP');
  });
  test('two owners: the local one drops to 254 and yields', () => {
    const m = step(createMachine(cfg({ priority: 255 })), { type: 'start' }, 0);
    const r = at(m, advert(255, '10.0.0.9'), S);
    assert.equal(r.state.priority, 254);
    assert.equal(r.state.state, 'BACKUP');
    assert.match(logs(r.effects)[0], /CONFIGURATION ERROR/);
  });
  test('owner priority never changes with trackers', () => {
    const m = step(createMachine(cfg({ priority: 255 })), { type: 'start' }, 0);
    const r = at(m, { type: 'priority', priority: 10 }, S);
    assert.equal(r.state.priority, 255);
    assert.deepEqual(r.effects, []);
  });
  test('tracked priority is clamped into [1, 254]', () => {
    assert.equal(at(backup(), { type: 'priority', priority: 400 }, S).state.priority, 254);
    assert.equal(at(backup(), { type: 'priority', priority: -40 }, S).state.priority, 1);
  });
  test('lower priority on a Master goes into its next advert', () => {
    const m = at(master(), { type: 'priority', priority: 60 }, 4 * S);
    const r = at(m, { type: 'timer' }, m.deadline!);
    assert.deepEqual(of(r.effects, 'send-advert')[0].priority, 60);
  });
  test('accept/no_accept only shows in the VIP effects', () => {
    const m = master({ accept: false });
    assert.deepEqual(of(m.effects, 'add-vips'), [{ type: 'add-vips', accept: false }]);
  });
});

describe('vrrp_startup_delay', () => {
  test('a BACKUP down timer runs from the end of the delay until it has passed', () => {
    const until = seconds(5);
    const b = backup({ startupUntil: until });
    const mdi = downInterval(b.state);
    assert.equal(b.deadline, until + mdi);
    // An advert inside the delay re-arms from its end, too.
    const r = at(b, advert(200), seconds(1));
    assert.equal(r.deadline, until + mdi);
    // Past the delay, from now as usual.
    const later = at(r, advert(200), seconds(6));
    assert.equal(later.deadline, seconds(6) + mdi);
    // Nothing heard: master only after delay + MDI.
    assert.equal(at(b, { type: 'timer' }, until + mdi - 1).state.state, 'BACKUP');
    assert.equal(at(b, { type: 'timer' }, until + mdi).state.state, 'MASTER');
  });
  test('an address owner waits for the end of the delay, then takes over', () => {
    const until = seconds(3);
    const o = backup({ priority: 255, wantMaster: true, startupUntil: until });
    assert.equal(o.state.state, 'BACKUP');
    assert.equal(o.deadline, until);
    assert.equal(at(o, { type: 'timer' }, until).state.state, 'MASTER');
    // Without the delay (or past it), at once.
    assert.equal(backup({ priority: 255, wantMaster: true }).state.state, 'MASTER');
  });
});

describe('GARP bursts', () => {
  test('garp_master_delay schedules a second burst; refresh rides on adverts', () => {
    const m = master({ garpMasterDelay: seconds(5), garpMasterRefresh: seconds(3) });
    const t0 = m.state.timerAt! - S;
    assert.equal(m.deadline, t0 + S);
    assert.equal(m.state.garpAt, t0 + seconds(5));
    let r: StepResult = m;
    const garps: string[] = [];
    for (let i = 0; i < 6; i++) {
      r = at(r, { type: 'timer' }, r.deadline!);
      for (const g of of(r.effects, 'garp'))
        garps.push(`${(r.state.timerAt! - t0) / S}:${g.reason}`);
    }
    assert.deepEqual(garps, ['5:refresh', '6:master-delay']);
  });
  test('garp_extra_if rides on adverts after its interval; leaving MASTER stops it', () => {
    const m = master({ garpMasterDelay: 0, garpExtraIf: seconds(2) });
    const t0 = m.state.timerAt! - S;
    let r: StepResult = m;
    const rounds: number[] = [];
    for (let i = 0; i < 7; i++) {
      r = at(r, { type: 'timer' }, r.deadline!);
      for (const g of of(r.effects, 'garp')) {
        assert.equal(g.reason, 'extra-if');
        assert.equal(g.repeat, 1);
        rounds.push((r.state.timerAt! - t0) / S);
      }
    }
    // keepalived compares with '>', so the advert at exactly 2 s does not send; the next does.
    assert.deepEqual(rounds, [4, 7]);
    const down = at(r, advert(200), r.deadline! - 1);
    assert.equal(down.state.state, 'BACKUP');
    assert.equal(down.state.extraIfAt, null);
    assert.equal(master({ garpExtraIf: 0 }).state.extraIfAt, null);
  });
  test('garp_master_delay 0 means no second burst', () => {
    assert.equal(master({ garpMasterDelay: 0 }).state.garpAt, null);
  });
  test('garp_lower_prio_repeat re-announces now and after the delay', () => {
    const r = at(
      master({ garpLowerPrioRepeat: 2, garpLowerPrioDelay: seconds(2) }),
      advert(50),
      9 * S,
    );
    assert.deepEqual(of(r.effects, 'garp'), [{ type: 'garp', repeat: 2, reason: 'lower-prio' }]);
    assert.equal(r.state.lowerPrioGarpAt, 11 * S);
  });
});

describe('Fault', () => {
  const faultOn: MachineInput = { type: 'fault', on: true, reason: 'eth0 down' };
  const faultOff: MachineInput = { type: 'fault', on: false, reason: 'eth0 down' };
  test('Backup → Fault: no advert, no deadline', () => {
    const r = at(backup(), faultOn, S);
    assert.equal(r.state.state, 'FAULT');
    assert.equal(r.deadline, null);
    assert.ok(!kinds(r.effects).includes('send-advert'));
    assert.deepEqual(logs(r.effects), ['(VI_1) Entering FAULT STATE']);
  });
  test('Master → Fault: priority 0 advert first, VIPs removed', () => {
    const r = at(master(), faultOn, 9 * S);
    assert.equal(r.state.state, 'FAULT');
    assert.equal(of(r.effects, 'send-advert')[0].priority, 0);
    assert.equal(r.state.vips, false);
    assert.deepEqual(of(r.effects, 'notify'), [{ type: 'notify', state: 'FAULT', priority: 100 }]);
  });
  test('Fault ignores adverts and timers', () => {
    const f = at(backup(), faultOn, S);
    assert.deepEqual(at(f, advert(0), 2 * S).effects, []);
    assert.deepEqual(at(f, { type: 'timer' }, 99 * S).effects, []);
  });
  test('Fault → Backup when the last fault clears, fresh MDI', () => {
    let r = at(backup(), faultOn, S);
    r = at(r, { type: 'fault', on: true, reason: 'chk_nginx' }, 2 * S);
    r = at(r, faultOff, 3 * S);
    assert.equal(r.state.state, 'FAULT', 'one fault still active');
    r = at(r, { type: 'fault', on: false, reason: 'chk_nginx' }, 4 * S);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.deadline, 4 * S + 3_609_375);
  });
  test('Fault → Master at once for an owner', () => {
    const m = step(createMachine(cfg({ priority: 255 })), { type: 'start' }, 0);
    const r = at(at(m, faultOn, S), faultOff, 2 * S);
    assert.equal(r.state.state, 'MASTER');
    assert.equal(r.state.vips, true);
  });
  test('shutdown from Fault notifies STOP', () => {
    const r = at(at(backup(), faultOn, S), { type: 'shutdown' }, 2 * S);
    assert.equal(r.state.state, 'INIT');
    assert.deepEqual(of(r.effects, 'notify')[0].state, 'STOP');
  });
  test('a repeated fault raise is idempotent', () => {
    const f = at(backup(), faultOn, S);
    assert.deepEqual(at(f, faultOn, 2 * S).effects, []);
  });
});

test('step never mutates the state it was given', () => {
  const b = backup();
  const frozen: MachineState = structuredClone(b.state);
  at(b, advert(0), S);
  at(b, { type: 'timer' }, b.deadline!);
  assert.deepEqual(b.state, frozen);
});

describe('Sync group input', () => {
  test('sync MASTER: a BACKUP goes MASTER with the usual effects, reason "sync group"', () => {
    const b = backup();
    const r = at(b, { type: 'sync', to: 'MASTER' }, S);
    assert.equal(r.state.state, 'MASTER');
    assert.deepEqual(kinds(r.effects).slice(0, 2), ['send-advert', 'log']);
    assert.equal(of(r.effects, 'transition')[0].reason, 'sync group');
    assert.equal(of(r.effects, 'add-vips').length, 1);
    assert.equal(of(r.effects, 'garp').length, 1);
    assert.equal(r.deadline, S + S);
  });
  test('sync BACKUP: a MASTER steps down without sending, VIPs removed, fresh down timer', () => {
    const m = master();
    const now = m.deadline! - 1;
    const r = at(m, { type: 'sync', to: 'BACKUP' }, now);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(of(r.effects, 'send-advert').length, 0);
    assert.equal(of(r.effects, 'remove-vips').length, 1);
    assert.equal(of(r.effects, 'transition')[0].reason, 'sync group');
    assert.equal(r.deadline, now + downInterval(r.state));
  });
  test('sync is ignored in INIT and FAULT, to the state it is in, and to BACKUP by an owner', () => {
    const init = createMachine(cfg());
    assert.deepEqual(step(init, { type: 'sync', to: 'MASTER' }, 0).effects, []);
    const f = at(backup(), { type: 'fault', on: true, reason: 'x' }, 1);
    assert.deepEqual(at(f, { type: 'sync', to: 'MASTER' }, 2).effects, []);
    assert.deepEqual(at(backup(), { type: 'sync', to: 'BACKUP' }, 2).effects, []);
    assert.deepEqual(at(master(), { type: 'sync', to: 'MASTER' }, S).effects, []);
    const owner = step(createMachine(cfg({ priority: 255 })), { type: 'start' }, 0);
    assert.equal(owner.state.state, 'MASTER');
    const r = at(owner, { type: 'sync', to: 'BACKUP' }, 1);
    assert.equal(r.state.state, 'MASTER');
    assert.deepEqual(r.effects, []);
  });
  test('sync-group member: down timer expiry only wants MASTER and re-arms the timer', () => {
    const b = backup({ syncGroup: true });
    const r = at(b, { type: 'timer' }, b.deadline!);
    assert.equal(r.state.state, 'BACKUP');
    assert.equal(r.state.wantsMaster, true);
    assert.deepEqual(logs(r.effects), ['(VI_1) Receive advertisement timeout']);
    assert.equal(r.deadline, b.deadline! + downInterval(r.state));
    // The next expiry stays quiet; the group's sync input makes it master.
    const again = at(r, { type: 'timer' }, r.deadline!);
    assert.deepEqual(again.effects, []);
    assert.equal(again.state.wantsMaster, true);
    const go = at(again, { type: 'sync', to: 'MASTER' }, again.deadline! - 5);
    assert.equal(go.state.state, 'MASTER');
    assert.equal(go.state.wantsMaster, false);
  });
  test('sync-group member: an accepted advert withdraws the wish to be master', () => {
    const b = backup({ syncGroup: true });
    const r = at(b, { type: 'timer' }, b.deadline!);
    const heard = at(r, advert(200), b.deadline! + 10);
    assert.equal(heard.state.wantsMaster, false);
    assert.equal(heard.state.state, 'BACKUP');
    // A lower-priority (discarded) advert does not.
    const low = at(r, advert(50), b.deadline! + 10);
    assert.equal(low.state.wantsMaster, true);
  });
});
