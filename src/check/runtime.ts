/**
 * The checker runtime: one machine (machine.ts) per checker, every machine's deadline in one
 * heap on one timer (deadline-queue.ts), probes started on the machine's `probe` effect and
 * fed back as results. TCP_CHECK on the addon is a callback probe bound once per checker (no
 * promise, AbortSignal or timer per probe). Real-server changes go out on the bus
 * ('rs:state', 'log' lines in keepalived's wording); 'check:result' goes out only when a
 * result differs from the checker's previous one (ok, reason) or moves its state — an
 * unchanged result is only counted (counters()). notify_up / notify_down run on each
 * real-server change.
 *
 * I/O shell: the clock, the RNG, the probe factory, the FIFO and the local-address view are
 * injected so tests can drive it in virtual time with fake probes.
 *
 * ha_suspend: a virtual server's checkers are parked (their next probe is held) while its
 * address is not on this host, and resume when it comes back; states are kept meanwhile.
 * Real-server and quorum changes go out through notifier.ts: notify_up/down and
 * quorum_up/down scripts, the notify FIFO's `RS`/`VS` lines, and 'rs:gone' / 'vs:quorum'
 * events for the mails. The sorry server and the pool are the load-balancing side's, which
 * consumes 'rs:state'.
 */
import type { Config } from '../config/model.js';
import '../bfd/events.js';
import { publish, subscribe } from '../core/bus.js';
import type { LogLevel } from '../core/events.js';
import { RtnlAddressWatch } from './address-watch.js';
import './events.js';
import { initialQuorum, nextQuorum } from './fifo.js';
import { HaSuspend } from './ha-suspend.js';
import { downLine, failureLine, rsLine, upLine, weightLine } from './log-words.js';
import { initChecker, rsVerdict, step, type CheckerInput } from './machine.js';
import { runScript, scriptsSettled } from '../os/run-script.js';
import { CheckNotifier } from './notifier.js';
import { planChecks, type Skipped } from './plan.js';
import { DeadlineQueue } from './deadline-queue.js';
import { launchPromise } from './probe-launch.js';
import {
  directProbeOf,
  makeProbe,
  type DetailedResult,
  type DirectProbe,
  type ProbeFactory,
} from './probes.js';
import {
  realClock,
  type CheckerEntry,
  type Clock,
  type RsEntry,
  type RuntimeOptions,
} from './runtime-types.js';
import { statusOf } from './runtime-status.js';
import type { CheckerStatus } from './status-types.js';

export type { CheckerStatus } from './status-types.js';
export { realClock, type Clock, type RuntimeOptions } from './runtime-types.js';

const SUBSYSTEM = 'checkers';
const LATENCY_BUCKETS = 10_001;

export class CheckerRuntime {
  private readonly clock: Clock;
  private readonly rng: () => number;
  private readonly probeFactory: ProbeFactory;
  /** Scripts, FIFO lines and bus events about real servers and quorums. */
  private readonly notifier: CheckNotifier;
  private readonly wall: () => number;
  private rss: RsEntry[] = [];
  private skipped: Skipped[] = [];
  private running = false;
  private offBfd: (() => void) | null = null;
  /** global_defs checker_log_all_failures. */
  private logAllFailures = false;
  private readonly suspend: HaSuspend;
  /** Quorum state per virtual server, for the quorum scripts, FIFO lines and mails. */
  private quorum = new Map<string, boolean>();
  /** Every checker's next tick, on one clock timer. */
  private readonly queue: DeadlineQueue<CheckerEntry>;
  /** Totals since start, for benches and metrics (cheap: counters only). */
  private readonly totals = { results: 0, failures: 0, published: 0 };
  /** Probe latencies since start: 1 ms buckets, the last one collects the rest. */
  private readonly latencyHist = new Uint32Array(LATENCY_BUCKETS);

  constructor(opts: RuntimeOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.rng = opts.rng ?? Math.random;
    this.probeFactory = opts.probeFactory ?? makeProbe;
    this.notifier = new CheckNotifier(
      opts.runNotify ?? runScript,
      opts.notifyTimeoutS ?? 30,
      (level, message) => this.log(level, message),
      opts.fifo,
    );
    this.wall = opts.wallClock ?? Date.now;
    this.queue = new DeadlineQueue(this.clock, (c) => this.onDue(c));
    this.suspend = new HaSuspend(
      opts.localAddresses ?? (() => new RtnlAddressWatch()),
      (level, message) => this.log(level, message),
      (vs) => this.resume(vs),
    );
  }

  start(config: Config): void {
    this.running = true;
    this.apply(config, new Map());
    // BFD_CHECK reads the session's state at once when it changes, not at its next poll.
    this.offBfd = subscribe('bfd:state', (ev) => this.onBfdState(ev.name));
  }

  private onBfdState(name: string): void {
    for (const r of this.rss)
      for (const c of r.checkers)
        if (c.plan.checker.type === 'BFD_CHECK' && c.plan.checker.bfd === name)
          this.feed(c, { kind: 'reschedule', timing: c.plan.timing });
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
    this.omegaNotifies();
    this.offBfd?.();
    this.offBfd = null;
    for (const r of this.rss) for (const c of r.checkers) this.kill(c);
    this.queue.clear();
    this.suspend.close();
    await this.notifier.close();
    // The aborted MISC_CHECK scripts: their groups are killed when each leader exits.
    await scriptsSettled();
  }

  private apply(
    config: Config,
    old: Map<string, CheckerEntry>,
    oldRs = new Map<string, RsEntry>(),
  ): void {
    const plan = planChecks(config);
    this.notifier.configure(config);
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
          kept.direct = this.bindDirect(kept);
          return kept;
        }
        const c: CheckerEntry = {
          plan: cp,
          owner: null,
          state: initChecker(cp.timing, now, this.rng),
          run: this.probeFactory(cp, rp, config),
          direct: null,
          directHandle: -1,
          qGen: 0,
          abort: null,
          spare: null,
          lastResultAt: null,
          dead: false,
          parked: false,
        };
        c.direct = this.bindDirect(c);
        return c;
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
        // rs_init_notifies: a server that starts up (at start, or new at a reload) is notified
        // as keepalived's init_service_rs does it (notify_up and the FIFO line); down ones not.
        if (!prev && v.up && config.global.rsInitNotifies) this.notifier.rsChange(rp, true);
      }
    }
    // A live real server the reload removed is notified down, as keepalived's clear_diff_rs does;
    // a removed virtual server that had quorum loses it (its servers are gone).
    const kept = new Set(next.map((r) => `${r.plan.vsId}|${r.plan.rsId}`));
    const keptVs = new Set(next.map((r) => r.plan.vsId));
    const lostVs = new Set<string>();
    for (const [key, r] of oldRs)
      if (!kept.has(key) && r.up) this.notifier.rsGone(r.plan, 'removed');
    for (const r of oldRs.values()) {
      const id = r.plan.vsId;
      if (keptVs.has(id) || lostVs.has(id) || this.quorum.get(id) !== true) continue;
      lostVs.add(id);
      this.notifier.quorum(id, r.plan.vs, { was: true, up: false, init: false, weight: 0 });
    }
    this.rss = next;
    const oldSorry = new Set(
      [...oldRs.values()].filter((r) => r.plan.vs.sorryServer).map((r) => r.plan.vsId),
    );
    const quorum = new Map<string, boolean>();
    for (const r of next) {
      const id = r.plan.vsId;
      if (quorum.has(id)) continue;
      const q = this.quorum.get(id);
      const vs = r.plan.vs;
      const live = this.liveWeight(id);
      const up =
        q === undefined
          ? initialQuorum(live, vs.quorum, vs.hysteresis)
          : nextQuorum(q, live, vs.quorum, vs.hysteresis);
      quorum.set(id, up);
      // A new VS notifies only when it starts down with a sorry server to put in; a kept one
      // when a reload moved its quorum, or gave it a sorry server while down. keepalived
      // reports a loss there as "Lost quorum" (clear_diff_rs) and the rest as "Starting with
      // quorum …" (init_service_vs).
      const newSorry = q === false && !!vs.sorryServer && !oldSorry.has(id);
      if (q === undefined ? !up && vs.sorryServer : up !== q || (!up && newSorry))
        this.notifier.quorum(id, vs, {
          was: q ?? false,
          up,
          init: up || q === undefined || newSorry,
          weight: live,
        });
    }
    this.quorum = quorum;
    this.suspend.update(
      new Map(next.flatMap((r) => (r.haAddr ? [[r.plan.vsId, r.haAddr] as const] : []))),
    );
    for (const r of next) {
      for (const c of r.checkers) {
        if (c.abort || c.directHandle !== -1) continue;
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
    this.notifier.quorum(id, r.plan.vs, { was, up: now, init: false, weight: this.liveWeight(id) });
  }

  /**
   * `omega`: at shutdown each live real server of the VS is notified gone, then the VS itself
   * (quorum_down, `VS … DOWN`, "Shutting down" mail) whatever its quorum was: keepalived's
   * clear_service_rs_list ends with update_vs_notifies, which notifies whenever it stops.
   */
  private omegaNotifies(): void {
    const omega = this.rss.filter((r) => r.plan.vs.omega);
    for (const r of omega) {
      if (!r.up) continue;
      r.up = false;
      this.notifier.rsGone(r.plan, 'shutdown');
    }
    for (const [id, vs] of new Map(omega.map((r) => [r.plan.vsId, r.plan.vs]))) {
      const was = this.quorum.get(id) ?? false;
      this.quorum.set(id, false);
      this.notifier.quorum(id, vs, { was, up: false, init: false, weight: 0, stopping: true });
    }
  }

  private kill(c: CheckerEntry): void {
    c.dead = true;
    this.queue.cancel(c);
    c.abort?.abort();
    c.abort = null;
    if (c.directHandle !== -1) c.direct?.cancel(c.directHandle);
    c.directHandle = -1;
  }

  /** The entry's callback-form probe, when its probe has one (bound once, not per probe). */
  private bindDirect(c: CheckerEntry): DirectProbe | null {
    const make = directProbeOf(c.run);
    if (!make) return null;
    return make((d) => {
      if (c.directHandle === -1) return;
      c.directHandle = -1;
      c.lastResultAt = this.wall();
      this.feed(c, { kind: 'result', outcome: d }, d);
    });
  }

  /** A checker's deadline came: probe, or hold it while its virtual server is suspended. */
  private onDue(c: CheckerEntry): void {
    const r = c.owner;
    if (!r) return;
    if (this.isSuspended(r)) c.parked = true;
    else this.feed(c, { kind: 'tick' });
  }

  /**
   * Totals since start over every probe, published or not: results, failures, events
   * published, and latencies (count per 1 ms bucket; the last bucket holds the rest).
   */
  counters(): { results: number; failures: number; published: number; latencyMs: Uint32Array } {
    return { ...this.totals, latencyMs: this.latencyHist.slice() };
  }

  private feed(c: CheckerEntry, input: CheckerInput, detail?: DetailedResult): void {
    const r = c.owner;
    if (!this.running || c.dead || !r) return;
    const prevLast = c.state.last;
    const res = step(c.state, input, this.clock.now());
    c.state = res.state;
    const rp = r.plan;
    const cp = c.plan;
    // The real server's verdict can move only on up / down / weight effects.
    let verdict = false;
    let retrying = false;
    for (const e of res.effects) {
      if (e.kind === 'up' || e.kind === 'down' || e.kind === 'weight') verdict = true;
      else if (e.kind === 'retry') retrying = true;
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
      this.totals.results++;
      if (!o.ok) this.totals.failures++;
      this.latencyHist[Math.min(LATENCY_BUCKETS - 1, Math.floor(o.latencyMs))]!++;
      // A result that repeats the previous one (same ok and reason) and changes nothing is
      // only counted: at 10,000 checks/s an event per probe was most of the JS cost.
      if (
        verdict ||
        retrying ||
        !prevLast ||
        prevLast.ok !== o.ok ||
        prevLast.reason !== o.reason
      ) {
        this.totals.published++;
        publish('check:result', {
          vs: rp.vsId,
          rs: rp.rsId,
          checker: cp.id,
          ok: o.ok,
          reason: o.reason,
          latencyMs: o.latencyMs,
          up: c.state.up,
          retrying,
        });
      }
      if (verdict) this.reconsider(r, o.reason);
    }
    if (res.deadline !== null) this.queue.schedule(c, res.deadline);
    else this.queue.cancel(c);
  }

  private launch(c: CheckerEntry): void {
    if (c.direct) {
      c.directHandle = 0;
      c.directHandle = c.direct.start();
      return;
    }
    launchPromise(c, this.clock, (d) => {
      c.lastResultAt = this.wall();
      this.feed(c, { kind: 'result', outcome: d }, d);
    });
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
      this.notifier.rsChange(r.plan, v.up);
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

  private log(level: LogLevel, message: string): void {
    publish('log', { level, subsystem: SUBSYSTEM, message });
  }

  status(): CheckerStatus {
    return statusOf(this.rss, this.skipped, (r) => this.isSuspended(r));
  }
}
