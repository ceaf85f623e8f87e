/**
 * One BFD session (RFC 5880 asynchronous mode, RFC 5881 single hop) as a pure reducer:
 * `step(state, input, now) → { state, effects, deadline }`. No I/O and no clock: `now` is
 * integer microseconds from the caller; jitter comes from a PRNG kept in the state.
 *
 * Implements the state machine (AdminDown, Down, Init, Up) with diagnostics, discriminators,
 * the TX interval max(DesiredMinTx, RemoteMinRx) jittered to 75–100 % (75–90 % when Detect
 * Mult is 1), the 1 s slow rate while not Up, Detection Time = remote Detect Mult ×
 * max(RequiredMinRx, remote DesiredMinTx), poll/final sequences when our intervals change
 * while Up (a larger TX or smaller RX only takes effect at the Final), immediate Final
 * replies, passive role and admin down.
 *
 * Not implemented (as keepalived 2.2.7): echo (we send Required Min Echo RX 0), demand mode,
 * authentication. Differences from keepalived: the local discriminator is kept when leaving
 * Up (keepalived draws a new one); Init is logged at debug level, Up and Down at keepalived's.
 */
import type {
  Micros,
  SendReason,
  SessionConfig,
  SessionEffect,
  SessionInput,
  SessionState,
  SessionStep,
} from './machine-types.js';
import type { BfdControl, BfdStateName } from './packet.js';
import { Diag, diagText } from './packet.js';

export type * from './machine-types.js';

type Draft = { -readonly [K in keyof SessionState]: SessionState[K] };
type Fx = SessionEffect[];

export const US_PER_MS = 1000;
export const ms = (n: number): Micros => Math.round(n * US_PER_MS);

/** keepalived's bfd_instance defaults: min_rx/min_tx 10 ms, idle_tx 1 s, multiplier 5. */
export function sessionConfig(name: string, over: Partial<SessionConfig> = {}): SessionConfig {
  return {
    name,
    desiredMinTx: ms(10),
    requiredMinRx: ms(10),
    idleTx: ms(1000),
    detectMult: 5,
    passive: false,
    ...over,
  };
}

/** A session in Down, not yet started (no timers). `localDisc` must be non-zero and unique. */
export function createSession(config: SessionConfig, localDisc: number, seed = 1): SessionState {
  if (!Number.isInteger(localDisc) || localDisc < 1 || localDisc > 0xffffffff) {
    throw new RangeError(`BFD local discriminator ${localDisc} must be in 1..2^32-1`);
  }
  const tx = slowTx(config);
  return {
    config,
    state: 'Down',
    remoteState: 'Down',
    localDisc,
    remoteDisc: 0,
    diag: Diag.NONE,
    remoteDiag: Diag.NONE,
    remoteMinRx: 1,
    remoteMinTx: 0,
    remoteDetectMult: 0,
    advTx: tx,
    advRx: config.requiredMinRx,
    useTx: tx,
    useRx: config.requiredMinRx,
    polling: false,
    txAt: null,
    detectAt: null,
    adminStopAt: null,
    rng: seed >>> 0,
    lastRxAt: null,
  };
}

/** The Desired Min TX advertised while not Up. */
function slowTx(c: SessionConfig): Micros {
  return Math.max(c.desiredMinTx, c.idleTx);
}

/** Detection Time (asynchronous mode); null until the peer's Detect Mult is known. */
export function detectionTime(s: SessionState): Micros | null {
  if (s.remoteDetectMult === 0) return null;
  return s.remoteDetectMult * Math.max(s.useRx, s.remoteMinTx);
}

/** The un-jittered periodic TX interval; null when the peer asked for no packets. */
export function txInterval(s: SessionState): Micros | null {
  if (s.remoteMinRx === 0) return null;
  return Math.max(s.useTx, s.remoteMinRx);
}

/** mulberry32 step: a uniform value in [0, 1) and the next PRNG state. */
export function nextRandom(seed: number): [number, number] {
  const a = (seed + 0x6d2b79f5) >>> 0;
  let t = a;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return [((t ^ (t >>> 14)) >>> 0) / 4294967296, a];
}

/** RFC 5880 §6.8.7: reduce by 0–25 %, or to 75–90 % with Detect Mult 1. */
export function jitter(interval: Micros, detectMult: number, r: number): Micros {
  const span = detectMult === 1 ? 0.15 : 0.25;
  return Math.max(1, Math.floor(interval * (0.75 + span * r)));
}

export function nextDeadline(s: SessionState): Micros | null {
  if (s.txAt === null) return s.detectAt;
  if (s.detectAt === null) return s.txAt;
  return Math.min(s.txAt, s.detectAt);
}

export function step(state: SessionState, input: SessionInput, now: Micros): SessionStep {
  const s: Draft = { ...state };
  const fx: Fx = [];
  switch (input.type) {
    case 'start':
      if (s.txAt === null && s.state !== 'AdminDown') s.txAt = now;
      break;
    case 'timer':
      onTimer(s, fx, now);
      break;
    case 'packet':
      onPacket(s, fx, input.packet, now);
      break;
    case 'admin-down':
      if (s.state !== 'AdminDown') {
        transition(s, fx, 'AdminDown', Diag.ADMIN_DOWN, now);
        s.adminStopAt = now + Math.max(detectionTime(s) ?? 0, s.config.idleTx);
        send(s, fx, 'state', now);
      }
      break;
    case 'admin-up':
      if (s.state === 'AdminDown') {
        s.adminStopAt = null;
        transition(s, fx, 'Down', Diag.NONE, now);
        send(s, fx, 'state', now);
      }
      break;
    case 'params':
      onParams(s, fx, input, now);
      break;
    case 'shutdown':
      if (s.state !== 'AdminDown') transition(s, fx, 'AdminDown', Diag.ADMIN_DOWN, now);
      if (s.remoteMinRx !== 0 && !(s.config.passive && s.remoteDisc === 0)) {
        fx.push({ type: 'send', packet: control(s, false, false), reason: 'shutdown' });
      }
      s.txAt = null;
      s.detectAt = null;
      s.adminStopAt = null;
      break;
    default: {
      const never: never = input;
      throw new Error(`unknown BFD input ${JSON.stringify(never)}`);
    }
  }
  return { state: s, effects: fx, deadline: nextDeadline(s) };
}

/** The packet we would send now. */
export function control(s: SessionState, poll: boolean, final: boolean): BfdControl {
  return {
    diag: s.diag,
    state: s.state,
    poll,
    final,
    cpi: false,
    demand: false,
    detectMult: s.config.detectMult,
    myDisc: s.localDisc,
    yourDisc: s.remoteDisc,
    desiredMinTx: s.advTx,
    requiredMinRx: s.advRx,
    requiredMinEchoRx: 0,
  };
}

function canSend(s: Draft, now: Micros): boolean {
  if (s.remoteMinRx === 0) return false;
  if (s.config.passive && s.remoteDisc === 0) return false;
  if (s.state === 'AdminDown') return s.adminStopAt !== null && now < s.adminStopAt;
  return true;
}

/** Sends one packet (P while polling, unless it is a Final) and re-arms the TX timer. */
function send(s: Draft, fx: Fx, reason: SendReason, now: Micros): void {
  if (!canSend(s, now)) {
    s.txAt = s.state === 'AdminDown' ? null : s.txAt;
    return;
  }
  const final = reason === 'final';
  fx.push({ type: 'send', packet: control(s, s.polling && !final, final), reason });
  if (!final) armTx(s, now);
}

function armTx(s: Draft, now: Micros): void {
  const base = txInterval(s);
  if (base === null) {
    s.txAt = null;
    return;
  }
  const [r, next] = nextRandom(s.rng);
  s.rng = next;
  s.txAt = now + jitter(base, s.config.detectMult, r);
}

/** After the TX interval shrank: bring the next packet forward if it is now too far away. */
function tightenTx(s: Draft, now: Micros): void {
  const base = txInterval(s);
  if (base === null) {
    s.txAt = null;
    return;
  }
  if (s.txAt === null) {
    if (canSend(s, now)) s.txAt = now;
    return;
  }
  if (s.txAt - now > base) armTx(s, now);
}

function armDetect(s: Draft, now: Micros): void {
  const t = detectionTime(s);
  s.detectAt = t === null ? null : now + t;
}

function transition(s: Draft, fx: Fx, to: BfdStateName, diag: number, now: Micros): void {
  const from = s.state;
  s.state = to;
  s.diag = diag;
  fx.push({ type: 'state', from, to, diag, remoteDiag: s.remoteDiag });
  const name = s.config.name;
  if (to === 'Up') fx.push({ type: 'log', level: 'info', message: `(${name}) Entering Up state` });
  else if (to === 'Init') {
    fx.push({ type: 'log', level: 'debug', message: `(${name}) Entering Init state` });
  } else if (to === 'AdminDown') {
    fx.push({ type: 'log', level: 'warning', message: `(${name}) Entering AdminDown state` });
  } else {
    fx.push({
      type: 'log',
      level: from === 'Up' ? 'warning' : 'debug',
      message:
        `(${name}) Entering Down state (Local diagnostic - ${diagText(diag)}, ` +
        `Remote diagnostic - ${diagText(s.remoteDiag)})`,
    });
  }
  retime(s, now);
}

/**
 * Recomputes what we advertise after a state change or new config. Leaving or not being Up:
 * the slow rate applies at once. Up: a poll sequence runs; until its Final a larger TX is not
 * used for sending and a smaller RX does not shorten the Detection Time.
 */
function retime(s: Draft, now: Micros): void {
  const c = s.config;
  const tx = s.state === 'Up' ? c.desiredMinTx : slowTx(c);
  const rx = c.requiredMinRx;
  if (tx === s.advTx && rx === s.advRx) return;
  s.advTx = tx;
  s.advRx = rx;
  if (s.state === 'Up') {
    s.polling = true;
    s.useTx = Math.min(s.useTx, tx);
    s.useRx = Math.max(s.useRx, rx);
  } else {
    s.polling = false;
    s.useTx = tx;
    s.useRx = rx;
  }
  if (s.detectAt !== null) armDetect(s, now);
}

function onTimer(s: Draft, fx: Fx, now: Micros): void {
  if (s.detectAt !== null && s.detectAt <= now) {
    s.detectAt = null;
    if (s.state === 'Init' || s.state === 'Up') {
      const silent = s.lastRxAt === null ? 0 : now - s.lastRxAt;
      if (s.state === 'Up') {
        const over = silent - (detectionTime(s) ?? 0);
        fx.push({
          type: 'log',
          level: 'warning',
          message: `(${s.config.name}) Expired after ${Math.floor(silent / 1000)} ms (${over} usec overdue)`,
        });
      }
      s.remoteDisc = 0;
      s.remoteState = 'Down';
      transition(s, fx, 'Down', Diag.DETECTION_EXPIRED, now);
      send(s, fx, 'state', now);
    } else {
      // RFC 5880 §6.8.1: a Detection Time of silence forgets the peer.
      s.remoteDisc = 0;
      s.remoteState = 'Down';
    }
  }
  if (s.txAt !== null && s.txAt <= now) {
    if (canSend(s, now)) send(s, fx, 'periodic', now);
    else s.txAt = null;
  }
}

function onPacket(s: Draft, fx: Fx, p: BfdControl, now: Micros): void {
  if (p.yourDisc !== 0 && p.yourDisc !== s.localDisc) {
    fx.push({
      type: 'drop',
      reason: 'no-session',
      message: `your discriminator 0x${p.yourDisc.toString(16)} is not ours`,
    });
    return;
  }
  if (p.yourDisc === 0 && p.state !== 'Down' && p.state !== 'AdminDown') {
    fx.push({
      type: 'drop',
      reason: 'your-disc-zero',
      message: `your discriminator 0 in ${p.state}`,
    });
    return;
  }
  s.remoteDisc = p.myDisc;
  s.remoteState = p.state;
  s.remoteDiag = p.diag;
  s.remoteDetectMult = p.detectMult;
  s.remoteMinTx = p.desiredMinTx;
  const oldRemoteRx = s.remoteMinRx;
  s.remoteMinRx = p.requiredMinRx;
  s.lastRxAt = now;
  if (p.final && s.polling) {
    s.polling = false;
    s.useTx = s.advTx;
    s.useRx = s.advRx;
  }
  if (s.state === 'AdminDown') {
    fx.push({ type: 'drop', reason: 'admin-down', message: 'session is AdminDown' });
    return;
  }
  armDetect(s, now);
  const before = s.state;
  if (p.state === 'AdminDown') {
    if (s.state !== 'Down') transition(s, fx, 'Down', Diag.NEIGHBOR_DOWN, now);
  } else if (s.state === 'Down') {
    if (p.state === 'Down') transition(s, fx, 'Init', Diag.NONE, now);
    else if (p.state === 'Init') transition(s, fx, 'Up', Diag.NONE, now);
  } else if (s.state === 'Init') {
    if (p.state === 'Init' || p.state === 'Up') transition(s, fx, 'Up', Diag.NONE, now);
  } else if (p.state === 'Down') {
    transition(s, fx, 'Down', Diag.NEIGHBOR_DOWN, now);
  }
  // The Final answers at once, whatever the TX timer says (RFC 5880 §6.8.6).
  if (p.poll) send(s, fx, 'final', now);
  if (s.state !== before) send(s, fx, 'state', now);
  else if (s.remoteMinRx < oldRemoteRx || (s.txAt === null && oldRemoteRx === 0)) {
    tightenTx(s, now);
  }
}

function onParams(
  s: Draft,
  fx: Fx,
  p: Extract<SessionInput, { type: 'params' }>,
  now: Micros,
): void {
  s.config = {
    ...s.config,
    ...(p.desiredMinTx !== undefined ? { desiredMinTx: p.desiredMinTx } : {}),
    ...(p.requiredMinRx !== undefined ? { requiredMinRx: p.requiredMinRx } : {}),
    ...(p.idleTx !== undefined ? { idleTx: p.idleTx } : {}),
    ...(p.detectMult !== undefined ? { detectMult: p.detectMult } : {}),
  };
  const wasPolling = s.polling;
  retime(s, now);
  if (s.polling && !wasPolling) {
    fx.push({ type: 'log', level: 'info', message: `(${s.config.name}) Starting poll sequence` });
    send(s, fx, 'poll', now);
  } else tightenTx(s, now);
}
