/**
 * The gateway tracker for one next hop: a pure reducer `step(state, input, now)` → { state,
 * effects, deadline } (house rule 2). No I/O and no clock: `now` is integer microseconds.
 *
 * Probes go out every `interval` (the machine asks for them with `probe` effects); results come
 * back as inputs. `rise` consecutive successes make a down gateway up, `fall` consecutive
 * failures make an up gateway down; anything in between changes nothing (no flapping on a
 * mixed input shorter than rise/fall). Going up or down yields one route effect per route the
 * gateway holds, with the administrator's log line ("192.0.2.1 is reachable, default route
 * added"), which the runtime prints once the kernel has accepted the change.
 *
 * A machine may start 'up' when its routes were already in the kernel (re-adopted after a
 * restart): then it needs `fall` failures to drop them, and no route effect is emitted at start.
 */

/** Integer microseconds on the caller's monotonic clock. */
export type Micros = number;

export interface GatewayMachineConfig {
  name: string;
  /** The next hop, as written in log lines. */
  address: string;
  intervalUs: Micros;
  rise: number;
  fall: number;
  /** Plain routes, described for log lines ("default", "203.0.113.0/24 table 100"). */
  routes: readonly string[];
  /** Multipath routes this gateway adds a next hop to. */
  multipath: readonly string[];
}

export type GatewayStatus = 'up' | 'down';

export interface GatewayState {
  readonly config: GatewayMachineConfig;
  readonly running: boolean;
  readonly status: GatewayStatus;
  readonly okStreak: number;
  readonly failStreak: number;
  readonly nextProbeAt: Micros | null;
  /** Sequence number of the last probe asked for. */
  readonly seq: number;
  readonly lastRttUs: number | null;
  readonly lastReason: string;
  readonly since: Micros;
  readonly transitions: number;
}

export type GatewayInput =
  | { type: 'start'; initial: GatewayStatus; /** delay of the first probe */ phaseUs?: Micros }
  | { type: 'timer' }
  | { type: 'result'; seq: number; ok: boolean; rttUs?: number; reason: string }
  | { type: 'stop' };

export type GatewayEffect =
  | { type: 'probe'; seq: number }
  | { type: 'state'; up: boolean; reason: string }
  /** A plain route (index into config.routes) to add or delete. */
  | { type: 'route'; action: 'add' | 'delete'; index: number; log: string }
  /** This gateway's next hop joins or leaves a multipath route (index into config.multipath). */
  | { type: 'nexthop'; action: 'join' | 'leave'; index: number; log: string }
  /** A line with nothing to wait for (a gateway that holds no routes). */
  | { type: 'log'; message: string };

export interface StepResult {
  state: GatewayState;
  effects: GatewayEffect[];
  deadline: Micros | null;
}

type Draft = { -readonly [K in keyof GatewayState]: GatewayState[K] };

export function createGateway(config: GatewayMachineConfig): GatewayState {
  if (!(config.intervalUs > 0) || config.rise < 1 || config.fall < 1) {
    throw new RangeError(`gateway ${config.name}: interval, rise and fall must be positive`);
  }
  return {
    config,
    running: false,
    status: 'down',
    okStreak: 0,
    failStreak: 0,
    nextProbeAt: null,
    seq: 0,
    lastRttUs: null,
    lastReason: 'not started',
    since: 0,
    transitions: 0,
  };
}

export function step(state: GatewayState, input: GatewayInput, now: Micros): StepResult {
  const s: Draft = { ...state };
  const fx: GatewayEffect[] = [];
  switch (input.type) {
    case 'start':
      if (!s.running) {
        s.running = true;
        s.status = input.initial;
        s.okStreak = 0;
        s.failStreak = 0;
        s.since = now;
        s.lastReason = input.initial === 'up' ? 'routes found in the kernel' : 'starting';
        s.nextProbeAt = now + Math.max(0, input.phaseUs ?? 0);
      }
      break;
    case 'timer':
      if (s.running && s.nextProbeAt !== null && now >= s.nextProbeAt) {
        s.seq = (s.seq + 1) >>> 0;
        fx.push({ type: 'probe', seq: s.seq });
        // Keep the cadence; after a stall (suspended process) restart it from now, no burst.
        const next = s.nextProbeAt + s.config.intervalUs;
        s.nextProbeAt = next > now ? next : now + s.config.intervalUs;
      }
      break;
    case 'result':
      if (s.running) onResult(s, fx, input, now);
      break;
    case 'stop':
      s.running = false;
      s.nextProbeAt = null;
      break;
    default: {
      const never: never = input;
      throw new Error(`unknown gateway input ${JSON.stringify(never)}`);
    }
  }
  return { state: s, effects: fx, deadline: s.running ? s.nextProbeAt : null };
}

function onResult(
  s: Draft,
  fx: GatewayEffect[],
  r: { ok: boolean; rttUs?: number; reason: string },
  now: Micros,
): void {
  s.lastReason = r.reason;
  if (r.ok) {
    s.lastRttUs = r.rttUs ?? null;
    s.okStreak++;
    s.failStreak = 0;
    if (s.status === 'down' && s.okStreak >= s.config.rise) transition(s, fx, 'up', now);
  } else {
    s.failStreak++;
    s.okStreak = 0;
    if (s.status === 'up' && s.failStreak >= s.config.fall) transition(s, fx, 'down', now);
  }
}

function transition(s: Draft, fx: GatewayEffect[], to: GatewayStatus, now: Micros): void {
  s.status = to;
  s.since = now;
  s.transitions++;
  const up = to === 'up';
  const c = s.config;
  const reason = up
    ? `${s.okStreak} successful probe(s): ${s.lastReason}`
    : `${s.failStreak} failed probe(s): ${s.lastReason}`;
  fx.push({ type: 'state', up, reason });
  const head = `${c.address} is ${up ? '' : 'not '}reachable`;
  c.routes.forEach((text, index) => {
    const log = `${head}, ${text} route ${up ? 'added' : 'deleted'}`;
    fx.push({ type: 'route', action: up ? 'add' : 'delete', index, log });
  });
  c.multipath.forEach((text, index) => {
    const log = `${head}, next hop ${up ? 'added to' : 'removed from'} ${text} route`;
    fx.push({ type: 'nexthop', action: up ? 'join' : 'leave', index, log });
  });
  if (c.routes.length === 0 && c.multipath.length === 0) fx.push({ type: 'log', message: head });
}
