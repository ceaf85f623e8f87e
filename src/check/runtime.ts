/**
 * The checker runtime: one machine (machine.ts) per checker, one timer per machine from its
 * deadline, probes started on the machine's `probe` effect and fed back as results. Results
 * and real-server changes go out on the bus ('check:result', 'rs:state', and 'log' lines in
 * keepalived's wording); notify_up / notify_down run on each real-server change.
 *
 * I/O shell: the clock, the RNG, the probe factory, the FIFO and the local-address view are
 * injected so tests can drive it in virtual time with fake probes.
 *
 * ha_suspend: a virtual server's checkers are parked (their next probe is held) while its
 * address is not on this host, and resume when it comes back; states are kept meanwhile.
 * The notify FIFO gets `RS … UP|DOWN` and `VS … UP|DOWN` (quorum) lines (fifo.ts).
 * Differences: sorry servers, quorum scripts and SMTP alerts are not handled here (the
 * load-balancing side consumes 'rs:state').
 */
import type { Config } from '../config/model.js';
import { publish } from '../core/bus.js';
import type { LogLevel } from '../core/events.js';
import { RtnlAddressWatch } from './address-watch.js';
import './events.js';
import {
  initialQuorum,
  nextQuorum,
  openCheckFifos,
  rsFifoLine,
  vsFifoLine,
  type FifoSink,
} from './fifo.js';
import { HaSuspend } from './ha-suspend.js';
import { downLine, failureLine, rsLine, upLine, weightLine } from './log-words.js';
import { initChecker, rsVerdict, step, type CheckerInput } from './machine.js';
import { runScript } from './misc.js';
import { planChecks, type Skipped } from './plan.js';
import {
  hardCapS,
  isSelfBounded,
  makeProbe,
  type DetailedResult,
  type ProbeFactory,
} from './probes.js';
import {
  realClock,
  type CheckerEntry,
  type Clock,
  type RsEntry,
  type RuntimeOptions,
} from './runtime-types.js';
import type { CheckerStatus } from './status-types.js';

export type { CheckerStatus } from './status-types.js';
export { realClock, type Clock, type RuntimeOptions } from './runtime-types.js';

const SUBSYSTEM = 'checkers';

export class CheckerRuntime {
  private readonly clock: Clock;
  private readonly rng: () => number;
  private readonly probeFactory: ProbeFactory;
  private readonly notifyTimeoutS: number;
  private readonly wall: () => number;
  private rss: RsEntry[] = [];
  private skipped: Skipped[] = [];
  private running = false;
  /** global_defs checker_log_all_failures. */
  private logAllFailures = false;
  private readonly notifies = new Set<Promise<unknown>>();
  private readonly fifoOpt: FifoSink | null | undefined;
  private fifo: FifoSink | null = null;
  private readonly suspend: HaSuspend;
  /** Quorum state per virtual server, for the FIFO's VS lines. */
  private quorum = new Map<string, boolean>();

  constructor(opts: RuntimeOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.rng = opts.rng ?? Math.random;
    this.probeFactory = opts.probeFactory ?? makeProbe;
    this.notifyTimeoutS = opts.notifyTimeoutS ?? 30;
    this.wall = opts.wallClock ?? Date.now;
    this.fifoOpt = opts.fifo;
    this.suspend = new HaSuspend(
      opts.localAddresses ?? (() => new RtnlAddressWatch()),
      (level, message) => this.log(level, message),
      (vs) => this.resume(vs),
    );
  }

  start(config: Config): void {
    this.running = true;
    this.apply(config, new Map());
  }

  /** New configuration: checkers whose configuration is unchanged keep their state. */
  reload(config: Config): void {
    const old = new Map<string, CheckerEntry>();
    const oldRs = new Map<string, RsEntry>();
    for (const r of this.rss) {
      oldRs.set(`${r.plan.vsId}|${r.plan.rsId}`, r);
      for (const c of r.checkers) old.set(c.plan.key, c);
    }
    this.apply(config, old, oldRs);
    for (const c of old.values()) this.kill(c);
  }

  /** Cancels every timer and in-flight probe; waits for running notify scripts. */
  async stop(): Promise<void> {
    this.running = false;
    for (const r of this.rss) for (const c of r.checkers) this.kill(c);
    this.suspend.close();
    this.fifo?.close();
    this.fifo = null;
    await Promise.allSettled([...this.notifies]);
  }

  private apply(
    config: Config,
    old: Map<string, CheckerEntry>,
    oldRs = new Map<string, RsEntry>(),
  ): void {
    const plan = planChecks(config);
    const firstStart = this.rss.length === 0 && oldRs.size === 0;
    if (this.fifoOpt === undefined) {
      this.fifo?.close();
      this.fifo = openCheckFifos(config.global);
    } else this.fifo = this.fifoOpt;
    this.logAllFailures = config.global.checkerLogAllFailures;
    this.skipped = plan.skipped;
    for (const s of plan.skipped) this.log('warning', `Skipping ${s.what}: ${s.why}`);
    const now = this.clock.now();
    const next: RsEntry[] = [];
    for (const rp of plan.realServers) {
      const checkers = rp.checkers.map((cp): CheckerEntry => {
        const kept = old.get(cp.key);
        if (kept) {
          old.delete(cp.key);
          kept.plan = cp;
          kept.run = this.probeFactory(cp, rp, config);
          return kept;
        }
        return {
          plan: cp,
          owner: null,
          state: initChecker(cp.timing, now, this.rng),
          run: this.probeFactory(cp, rp, config),
          cancelTimer: null,
          abort: null,
          spare: null,
          lastResultAt: null,
          dead: false,
          parked: false,
        };
      });
      const prev = oldRs.get(`${rp.vsId}|${rp.rsId}`);
      const v = rsVerdict(
        rp.weight,
        checkers.map((c) => c.state),
      );
      const entry: RsEntry = {
        plan: rp,
        checkers,
        up: v.up,
        weight: v.weight,
        lastChange: prev?.lastChange ?? null,
        changes: prev?.changes ?? 0,
        haAddr: rp.vs.haSuspend && rp.vs.key.kind === 'address' ? rp.vs.key.address : null,
      };
      for (const c of checkers) c.owner = entry;
      next.push(entry);
      if (!prev || prev.up !== v.up || prev.weight !== v.weight) {
        publish('rs:state', {
          vs: rp.vsId,
          rs: rp.rsId,
          up: v.up,
          weight: v.weight,
          reason: 'start',
          cause: 'start',
        });
        if (!prev && firstStart && config.global.rsInitNotifies)
          this.fifo?.write(rsFifoLine(rp.rsId, rp.vsId, v.up));
      }
    }
    this.rss = next;
    const quorum = new Map<string, boolean>();
    for (const r of next) {
      const id = r.plan.vsId;
      if (quorum.has(id)) continue;
      const q = this.quorum.get(id);
      quorum.set(
        id,
        q ?? initialQuorum(this.liveWeight(id), r.plan.vs.quorum, r.plan.vs.hysteresis),
      );
    }
    this.quorum = quorum;
    this.suspend.update(
      new Map(next.flatMap((r) => (r.haAddr ? [[r.plan.vsId, r.haAddr] as const] : []))),
    );
    for (const r of next) {
      for (const c of r.checkers) {
        if (c.abort) continue;
        c.parked = this.isSuspended(r);
        if (!c.parked) this.feed(c, { kind: 'tick' });
      }
    }
  }

  private isSuspended(r: RsEntry): boolean {
    return r.haAddr !== null && this.suspend.isSuspended(r.plan.vsId);
  }

  private resume(vsId: string): void {
    if (!this.running) return;
    for (const r of this.rss) {
      if (r.plan.vsId !== vsId) continue;
      for (const c of r.checkers) {
        if (!c.parked) continue;
        c.parked = false;
        this.feed(c, { kind: 'tick' });
      }
    }
  }

  /** Sum of the effective weights of a virtual server's live real servers. */
  private liveWeight(vsId: string): number {
    let sum = 0;
    for (const r of this.rss) if (r.plan.vsId === vsId && r.up) sum += r.weight;
    return sum;
  }

  private updateQuorum(r: RsEntry): void {
    const id = r.plan.vsId;
    const was = this.quorum.get(id) ?? false;
    const now = nextQuorum(was, this.liveWeight(id), r.plan.vs.quorum, r.plan.vs.hysteresis);
    if (now === was) return;
    this.quorum.set(id, now);
    this.fifo?.write(vsFifoLine(id, now));
  }

  private kill(c: CheckerEntry): void {
    c.dead = true;
    c.cancelTimer?.();
    c.cancelTimer = null;
    c.abort?.abort();
    c.abort = null;
  }

  private feed(c: CheckerEntry, input: CheckerInput, detail?: DetailedResult): void {
    const r = c.owner;
    if (!this.running || c.dead || !r) return;
    const res = step(c.state, input, this.clock.now());
    c.state = res.state;
    const rp = r.plan;
    const cp = c.plan;
    for (const e of res.effects) {
      switch (e.kind) {
        case 'probe':
          this.launch(c);
          break;
        case 'retry':
          if (detail)
            this.log('info', failureLine(cp.checker, cp.target, detail, rp.rsId, rp.vsId));
          break;
        case 'still-down':
          if (detail && (cp.checker.logAllFailures === true || this.logAllFailures)) {
            this.log('info', failureLine(cp.checker, cp.target, detail, rp.rsId, rp.vsId));
          }
          break;
        case 'down':
          if (detail)
            this.log('info', failureLine(cp.checker, cp.target, detail, rp.rsId, rp.vsId));
          this.log('info', downLine(cp.checker, cp.target, e.attempts));
          break;
        case 'up':
          if (detail) this.log('info', upLine(cp.checker, cp.target, detail, rp.rsId, rp.vsId));
          break;
        case 'weight':
          break;
      }
    }
    if (input.kind === 'result') {
      const o = input.outcome;
      publish('check:result', {
        vs: rp.vsId,
        rs: rp.rsId,
        checker: cp.id,
        ok: o.ok,
        reason: o.reason,
        latencyMs: o.latencyMs,
        up: c.state.up,
        retrying: res.effects.some((e) => e.kind === 'retry'),
      });
      this.reconsider(r, o.reason);
    }
    c.cancelTimer?.();
    c.cancelTimer = null;
    if (res.deadline !== null) {
      const ms = res.deadline - this.clock.now();
      c.cancelTimer = this.clock.setTimer(() => {
        c.cancelTimer = null;
        if (this.isSuspended(r)) c.parked = true;
        else this.feed(c, { kind: 'tick' });
      }, ms);
    }
  }

  private launch(c: CheckerEntry): void {
    // One controller per checker until something aborts it: at 10,000 checks/s a fresh
    // AbortController and cap timer per probe are a visible share of the CPU.
    const ac = c.spare && !c.spare.signal.aborted ? c.spare : new AbortController();
    c.spare = ac;
    c.abort = ac;
    // Probes bounded by a kernel deadline (the addon's TcpProber) need no cap timer.
    const cancelCap = isSelfBounded(c.run)
      ? null
      : this.clock.setTimer(() => ac.abort(), hardCapS(c.plan) * 1000);
    const settle = (d: DetailedResult): void => {
      cancelCap?.();
      if (c.abort !== ac) return;
      c.abort = null;
      c.lastResultAt = this.wall();
      this.feed(c, { kind: 'result', outcome: d }, d);
    };
    let p: Promise<DetailedResult>;
    try {
      p = c.run(ac.signal);
    } catch (e) {
      p = Promise.reject(e as Error);
    }
    p.then(settle, (e: unknown) =>
      settle({
        ok: false,
        reason: `probe error: ${e instanceof Error ? e.message : String(e)}`,
        latencyMs: 0,
      }),
    );
  }

  /** Recomputes the real server's verdict; publishes, logs and notifies a change. */
  private reconsider(r: RsEntry, reason: string): void {
    const v = rsVerdict(
      r.plan.weight,
      r.checkers.map((c) => c.state),
    );
    const { vsId, rsId, rs } = r.plan;
    if (v.up !== r.up) {
      r.up = v.up;
      r.weight = v.weight;
      r.lastChange = this.wall();
      r.changes++;
      this.log('info', rsLine(v.up, rs.inhibitOnFailure ?? false, rsId, vsId));
      publish('rs:state', {
        vs: vsId,
        rs: rsId,
        up: v.up,
        weight: v.weight,
        reason,
        cause: 'change',
      });
      const script = v.up ? rs.notifyUp : rs.notifyDown;
      if (script?.argv.length) this.notify(script.argv);
      this.fifo?.write(rsFifoLine(rsId, vsId, v.up));
      this.updateQuorum(r);
    } else if (v.weight !== r.weight) {
      this.log('info', weightLine(r.weight, v.weight, v.up, rsId, vsId));
      r.weight = v.weight;
      publish('rs:state', {
        vs: vsId,
        rs: rsId,
        up: v.up,
        weight: v.weight,
        reason,
        cause: 'weight',
      });
      this.updateQuorum(r);
    }
  }

  private notify(argv: string[]): void {
    const p = runScript(argv, { timeoutS: this.notifyTimeoutS }).then((o) => {
      if (o.error) this.log('warning', `notify script ${argv[0]} failed: ${o.error}`);
      else if (o.timedOut)
        this.log('warning', `notify script ${argv[0]} timed out after ${this.notifyTimeoutS} s`);
    });
    this.notifies.add(p);
    void p.finally(() => this.notifies.delete(p));
  }

  private log(level: LogLevel, message: string): void {
    publish('log', { level, subsystem: SUBSYSTEM, message });
  }

  status(): CheckerStatus {
    const iso = (ms: number | null): string | null =>
      ms === null ? null : new Date(ms).toISOString();
    return {
      realServers: this.rss.map((r) => ({
        vs: r.plan.vsId,
        rs: r.plan.rsId,
        state: r.up ? 'up' : 'down',
        weight: r.weight,
        configuredWeight: r.plan.weight,
        lastChange: iso(r.lastChange),
        changes: r.changes,
        suspended: this.isSuspended(r),
        checkers: r.checkers.map((c) => ({
          id: c.plan.id,
          target: c.plan.target,
          state: c.state.up ? 'up' : 'down',
          inFlight: c.state.inFlight,
          retriesUsed: c.state.retriesUsed,
          probes: c.state.probes,
          failures: c.state.failures,
          last: c.state.last
            ? {
                ok: c.state.last.ok,
                reason: c.state.last.reason,
                latencyMs: c.state.last.latencyMs,
                at: iso(c.lastResultAt),
              }
            : null,
          dynamicWeight: c.state.weight,
        })),
      })),
      skipped: this.skipped,
    };
  }
}
