/**
 * The VRRP state machine for one instance: a pure reducer
 * `step(state, input, now) → { state, effects, deadline }` (house rule 2).
 * No I/O and no clock: `now` is integer microseconds from the caller's Clock.
 *
 * Implements RFC 5798 §6.4 (v3) and RFC 3768 §6.4 (v2) with keepalived 2.2.7's
 * extensions: FAULT, nopreempt, preempt_delay, down_timer_adverts, the
 * immediate answer to a lower-priority advert (RFC 9568), GARP bursts.
 *
 * Deliberate differences from keepalived:
 * - An owner (255, state MASTER) enters MASTER inside `start`, not through a
 *   1 µs BACKUP timer; the effects are the same apart from no BACKUP notify.
 * - A priority change in BACKUP moves the running down timer by the change
 *   in Master_Down_Interval; keepalived moves it by new MDI − its stored
 *   down timer, which after a discarded advert is the remaining time.
 * - A master hearing priority 0 re-arms its advert timer (RFC 5798 §6.4.3).
 * - Sync groups (config `syncGroup`): a timed-out member only sets `wantsMaster` and waits for
 *   the group's `sync` input, which is how keepalived's wantstate works, as an explicit input.
 */
import type {
  AdvertInput,
  MachineConfig,
  MachineEffect,
  MachineInput,
  MachineState,
  StepResult,
  VrrpStateName,
} from './machine-types.js';
import { clampPriority, compareAddresses, PRIORITY_OWNER, PRIORITY_STOP } from './priority.js';
import type { Micros } from './timers.js';
import { due, earliest, masterDownInterval, seconds, skewTime } from './timers.js';

export type * from './machine-types.js';

type Draft = { -readonly [K in keyof MachineState]: MachineState[K] };

/** keepalived's defaults for everything but name and address. */
export function machineConfig(
  name: string,
  primaryAddress: string,
  overrides: Partial<MachineConfig> = {},
): MachineConfig {
  const priority = overrides.priority ?? 100;
  return {
    name,
    primaryAddress,
    version: 2,
    priority,
    wantMaster: priority === PRIORITY_OWNER,
    advertInt: seconds(1),
    downTimerAdverts: 3,
    nopreempt: false,
    preemptDelay: 0,
    accept: true,
    lowerPrioNoAdvert: false,
    higherPrioSendAdvert: false,
    garpMasterRepeat: 5,
    garpMasterDelay: seconds(5),
    garpMasterRefresh: 0,
    garpMasterRefreshRepeat: 1,
    garpExtraIf: 0,
    garpLowerPrioRepeat: 0,
    garpLowerPrioDelay: 0,
    syncGroup: false,
    startupUntil: null,
    ...overrides,
  };
}

export function createMachine(config: MachineConfig): MachineState {
  return {
    config,
    state: 'INIT',
    priority: config.priority,
    basePriority: config.priority,
    faults: [],
    masterAdverInt: config.advertInt,
    timerAt: null,
    preemptAt: null,
    garpAt: null,
    lowerPrioGarpAt: null,
    refreshAt: null,
    extraIfAt: null,
    master: null,
    vips: false,
    wantsMaster: false,
  };
}

/** The next time the machine needs a `timer` input. */
export function nextDeadline(s: MachineState): Micros | null {
  if (s.state === 'MASTER') return earliest(s.timerAt, s.garpAt, s.lowerPrioGarpAt);
  if (s.state === 'BACKUP') return s.timerAt;
  return null;
}

/** Master_Down_Interval with the machine's current priority and learned interval. */
export function downInterval(s: MachineState): Micros {
  const c = s.config;
  return masterDownInterval(c.version, s.priority, s.masterAdverInt, c.downTimerAdverts);
}

export function step(state: MachineState, input: MachineInput, now: Micros): StepResult {
  const s: Draft = { ...state };
  const fx: MachineEffect[] = [];
  switch (input.type) {
    case 'start':
      onStart(s, fx, now);
      break;
    case 'shutdown':
      onShutdown(s, fx);
      break;
    case 'timer':
      onTimer(s, fx, now);
      break;
    case 'advert':
      onAdvert(s, fx, input, now);
      break;
    case 'fault':
      onFault(s, fx, input.on, input.reason, now);
      break;
    case 'priority':
      onPriority(s, fx, input.priority, now);
      break;
    case 'sync':
      onSync(s, fx, input.to, now);
      break;
    default: {
      const never: never = input;
      throw new Error(`unknown VRRP input ${JSON.stringify(never)}`);
    }
  }
  return { state: s, effects: fx, deadline: nextDeadline(s) };
}

const log = (s: Draft, fx: MachineEffect[], text: string): void => {
  fx.push({ type: 'log', message: `(${s.config.name}) ${text}` });
};

function transition(s: Draft, fx: MachineEffect[], to: VrrpStateName, reason: string): void {
  fx.push({ type: 'transition', from: s.state, to, reason });
  s.state = to;
  s.wantsMaster = false;
}

function sendAdvert(s: Draft, fx: MachineEffect[], priority = s.priority): void {
  fx.push({ type: 'send-advert', priority, advertInt: s.config.advertInt });
}

function clearMasterTimers(s: Draft): void {
  s.garpAt = null;
  s.lowerPrioGarpAt = null;
  s.refreshAt = null;
  s.extraIfAt = null;
}

function removeVips(s: Draft, fx: MachineEffect[]): void {
  if (!s.vips) return;
  fx.push({ type: 'remove-vips', accept: s.config.accept });
  s.vips = false;
}

const isOwner = (s: Draft): boolean => s.basePriority === PRIORITY_OWNER && s.config.wantMaster;

/** keepalived vrrp_state_master_tx on the way in: advert first, so the old master lets go before our GARPs. */
function becomeMaster(s: Draft, fx: MachineEffect[], now: Micros, reason: string): void {
  const c = s.config;
  s.masterAdverInt = c.advertInt;
  sendAdvert(s, fx);
  log(s, fx, 'Entering MASTER STATE');
  transition(s, fx, 'MASTER', reason);
  fx.push({ type: 'add-vips', accept: c.accept });
  s.vips = true;
  if (c.garpMasterRepeat > 0)
    fx.push({ type: 'garp', repeat: c.garpMasterRepeat, reason: 'master' });
  fx.push({ type: 'notify', state: 'MASTER', priority: s.priority });
  s.timerAt = now + c.advertInt;
  s.garpAt = c.garpMasterDelay > 0 && c.garpMasterRepeat > 0 ? now + c.garpMasterDelay : null;
  s.lowerPrioGarpAt = null;
  s.refreshAt = c.garpMasterRefresh > 0 ? now + c.garpMasterRefresh : null;
  s.extraIfAt = c.garpExtraIf > 0 ? now + c.garpExtraIf : null;
  s.master = { address: c.primaryAddress, priority: s.priority };
}

/** BACKUP with a fresh Master_Down_Timer (from INIT, MASTER or FAULT). */
/** Still inside vrrp_startup_delay. */
const startupDelayed = (s: Draft, now: Micros): boolean =>
  s.config.startupUntil !== null && now < s.config.startupUntil;

/** A BACKUP down timer of `interval` from now, or from the end of vrrp_startup_delay. */
function downFrom(s: Draft, now: Micros, interval: Micros): Micros {
  const until = s.config.startupUntil;
  return (until !== null && now < until ? until : now) + interval;
}

function enterBackup(
  s: Draft,
  fx: MachineEffect[],
  now: Micros,
  reason: string,
  line: string,
): void {
  log(s, fx, line);
  removeVips(s, fx);
  clearMasterTimers(s);
  transition(s, fx, 'BACKUP', reason);
  fx.push({ type: 'notify', state: 'BACKUP', priority: s.priority });
  s.preemptAt = null;
  s.timerAt = downFrom(s, now, downInterval(s));
}

function enterFault(s: Draft, fx: MachineEffect[], reason: string, line: string): void {
  log(s, fx, line);
  // A master warns the others first so they take over after Skew_Time.
  if (s.state === 'MASTER') sendAdvert(s, fx, PRIORITY_STOP);
  removeVips(s, fx);
  clearMasterTimers(s);
  transition(s, fx, 'FAULT', reason);
  fx.push({ type: 'notify', state: 'FAULT', priority: s.priority });
  s.timerAt = null;
  s.preemptAt = null;
  s.masterAdverInt = s.config.advertInt;
}

function onStart(s: Draft, fx: MachineEffect[], now: Micros): void {
  if (s.state !== 'INIT') return;
  s.masterAdverInt = s.config.advertInt;
  s.master = null;
  if (s.faults.length > 0) {
    enterFault(s, fx, `fault: ${s.faults[0]}`, 'Entering FAULT STATE (init)');
  } else if (isOwner(s) && !startupDelayed(s, now)) {
    becomeMaster(s, fx, now, 'address owner');
  } else {
    enterBackup(s, fx, now, 'init', 'Entering BACKUP STATE (init)');
    // An owner within vrrp_startup_delay waits for its end, then takes over (keepalived: a
    // down timer of 1 µs from the delayed start).
    if (isOwner(s)) s.timerAt = s.config.startupUntil;
  }
}

function onShutdown(s: Draft, fx: MachineEffect[]): void {
  if (s.state === 'INIT') return;
  if (s.state === 'MASTER') {
    sendAdvert(s, fx, PRIORITY_STOP);
    log(s, fx, 'sent 0 priority');
  }
  removeVips(s, fx);
  clearMasterTimers(s);
  transition(s, fx, 'INIT', 'shutdown');
  fx.push({ type: 'notify', state: 'STOP', priority: s.priority });
  s.timerAt = null;
  s.preemptAt = null;
}

function onTimer(s: Draft, fx: MachineEffect[], now: Micros): void {
  const c = s.config;
  if (s.state === 'BACKUP') {
    if (!due(s.timerAt, now)) return;
    if (c.syncGroup) {
      // keepalived vrrp_sync_can_goto_master: wait (re-armed) until the whole group wants it.
      if (!s.wantsMaster) log(s, fx, 'Receive advertisement timeout');
      s.wantsMaster = true;
      s.timerAt = downFrom(s, now, downInterval(s));
      return;
    }
    log(s, fx, 'Receive advertisement timeout');
    becomeMaster(s, fx, now, 'Receive advertisement timeout');
    return;
  }
  if (s.state !== 'MASTER') return;
  if (due(s.garpAt, now)) {
    fx.push({ type: 'garp', repeat: c.garpMasterRepeat, reason: 'master-delay' });
    s.garpAt = null;
  }
  if (due(s.lowerPrioGarpAt, now)) {
    fx.push({ type: 'garp', repeat: c.garpLowerPrioRepeat, reason: 'lower-prio-delay' });
    s.lowerPrioGarpAt = null;
  }
  if (due(s.timerAt, now)) {
    sendAdvert(s, fx);
    // keepalived only looks at the refresh timer when it sends an advert.
    if (s.refreshAt !== null && now > s.refreshAt) {
      fx.push({ type: 'garp', repeat: c.garpMasterRefreshRepeat, reason: 'refresh' });
      s.refreshAt = now + c.garpMasterRefresh;
    }
    if (s.extraIfAt !== null && now > s.extraIfAt) {
      fx.push({ type: 'garp', repeat: 1, reason: 'extra-if' });
      s.extraIfAt = now + c.garpExtraIf;
    }
    s.timerAt = now + c.advertInt;
  }
}

function onAdvert(s: Draft, fx: MachineEffect[], a: AdvertInput, now: Micros): void {
  if (s.state === 'BACKUP') backupRx(s, fx, a, now);
  else if (s.state === 'MASTER') masterRx(s, fx, a, now);
  // INIT and FAULT listen to nothing.
}

/** keepalived vrrp_state_backup. */
function backupRx(s: Draft, fx: MachineEffect[], a: AdvertInput, now: Micros): void {
  const c = s.config;
  if (a.priority === PRIORITY_STOP) {
    log(s, fx, 'Backup received priority 0 advertisement');
    s.timerAt = downFrom(s, now, skewTime(c.version, s.priority, s.masterAdverInt));
    return;
  }
  const holdingOff = c.preemptDelay > 0 && (s.preemptAt === null || s.preemptAt > now);
  if (c.nopreempt || a.priority >= s.priority || holdingOff) {
    if (c.version === 3 && a.advertInt > 0 && a.advertInt !== s.masterAdverInt) {
      s.masterAdverInt = a.advertInt;
    }
    s.timerAt = downFrom(s, now, downInterval(s));
    s.master = { address: a.source, priority: a.priority };
    s.wantsMaster = false;
    if (c.preemptDelay > 0) {
      if (a.priority >= s.priority) s.preemptAt = null;
      else if (s.preemptAt === null) {
        log(s, fx, `start preempt delay (${(c.preemptDelay / 1e6).toFixed(6)})`);
        s.preemptAt = now + c.preemptDelay;
      }
    }
    return;
  }
  // Discarded: the down timer runs on, so we preempt when it fires.
  log(s, fx, `received lower priority (${a.priority}) advert from ${a.source} - discarding`);
  s.master = { address: a.source, priority: a.priority };
}

/** keepalived vrrp_state_master_rx. */
function masterRx(s: Draft, fx: MachineEffect[], a: AdvertInput, now: Micros): void {
  const c = s.config;
  const cmp = compareAddresses(a.source, c.primaryAddress);
  const higher = (): boolean => a.priority > s.priority || (a.priority === s.priority && cmp > 0);
  if (a.priority === PRIORITY_STOP) {
    log(s, fx, 'Master received priority 0 message');
    sendAdvert(s, fx);
    s.timerAt = now + c.advertInt;
    return;
  }
  if (c.higherPrioSendAdvert && higher()) sendAdvert(s, fx);
  if (a.priority === s.priority) {
    if (cmp === 0) {
      log(s, fx, 'WARNING - equal priority advert received from remote host with our IP address.');
    } else if (s.priority === PRIORITY_OWNER) {
      log(
        s,
        fx,
        'CONFIGURATION ERROR: local instance and a remote instance are both configured as address owner, please fix - reducing local priority',
      );
      fx.push({
        type: 'priority-changed',
        from: s.priority,
        to: PRIORITY_OWNER - 1,
        state: s.state,
      });
      s.priority = PRIORITY_OWNER - 1;
      s.basePriority = PRIORITY_OWNER - 1;
    }
  }
  if (a.priority < s.priority || (a.priority === s.priority && cmp < 0)) {
    const force = c.lowerPrioNoAdvert ? '' : ', forcing new election';
    log(
      s,
      fx,
      `Received advert from ${a.source} with lower priority ${a.priority}, ours ${s.priority}${force}`,
    );
    if (!c.lowerPrioNoAdvert) sendAdvert(s, fx);
    if (c.garpLowerPrioRepeat > 0) {
      fx.push({ type: 'garp', repeat: c.garpLowerPrioRepeat, reason: 'lower-prio' });
      if (c.garpLowerPrioDelay > 0) s.lowerPrioGarpAt = now + c.garpLowerPrioDelay;
    }
    fx.push({ type: 'notify-master-rx-lower-pri', priority: s.priority });
    return;
  }
  if (!higher()) return; // same priority and our own address: only warned
  const higherPrio = a.priority > s.priority;
  log(
    s,
    fx,
    higherPrio
      ? `Master received advert from ${a.source} with higher priority ${a.priority}, ours ${s.priority}`
      : `Master received advert from ${a.source} with same priority ${a.priority} but higher IP address than ours`,
  );
  if (c.version === 3 && a.advertInt > 0) s.masterAdverInt = a.advertInt;
  s.master = { address: a.source, priority: a.priority };
  const reason = higherPrio
    ? 'Received advert with higher priority'
    : 'Received advert with same priority and higher IP address';
  enterBackup(s, fx, now, reason, 'Entering BACKUP STATE');
}

function onFault(s: Draft, fx: MachineEffect[], on: boolean, reason: string, now: Micros): void {
  const had = s.faults.includes(reason);
  if (on === had) return;
  s.faults = on ? [...s.faults, reason] : s.faults.filter((f) => f !== reason);
  if (s.state === 'INIT') return; // remembered for start
  if (on && s.state !== 'FAULT') {
    enterFault(s, fx, `fault: ${reason}`, 'Entering FAULT STATE');
  } else if (!on && s.state === 'FAULT' && s.faults.length === 0) {
    s.masterAdverInt = s.config.advertInt;
    if (isOwner(s)) becomeMaster(s, fx, now, 'fault cleared (address owner)');
    else enterBackup(s, fx, now, 'fault cleared', 'Entering BACKUP STATE');
  }
}

function onPriority(s: Draft, fx: MachineEffect[], wanted: number, now: Micros): void {
  if (s.basePriority === PRIORITY_OWNER) return;
  const next = clampPriority(s.basePriority, wanted);
  if (next === s.priority) return;
  const before = s.state === 'BACKUP' ? downInterval(s) : 0;
  log(s, fx, `Changing effective priority from ${s.priority} to ${next}`);
  fx.push({ type: 'priority-changed', from: s.priority, to: next, state: s.state });
  s.priority = next;
  if (s.state === 'BACKUP' && s.timerAt !== null) {
    // Slide the running timer by the change in Skew_Time (vrrp_set_effective_priority).
    s.timerAt = Math.max(now, s.timerAt + downInterval(s) - before);
  }
}

/** The sync group moves a member: BACKUP → MASTER, or MASTER → BACKUP (not an owner). */
function onSync(s: Draft, fx: MachineEffect[], to: 'MASTER' | 'BACKUP', now: Micros): void {
  if (to === 'MASTER' && s.state === 'BACKUP') {
    becomeMaster(s, fx, now, 'sync group');
  } else if (to === 'BACKUP' && s.state === 'MASTER' && s.priority !== PRIORITY_OWNER) {
    enterBackup(s, fx, now, 'sync group', 'Entering BACKUP STATE');
  }
}
