/**
 * The VRRP runtime: every vrrp_instance of the configuration running on the real wire, their
 * sync groups, the shared trackers, rtnetlink client and notify FIFO. I/O module (the imperative
 * shell around machine.ts; see instance-runtime.ts for one instance).
 *
 * Reload: an instance whose fingerprint (its block, its group, the scripts and files it tracks,
 * the relevant global keywords — config-map.ts) is unchanged keeps running untouched; a new one
 * starts; a removed one stops (priority-0 advert when master, VIPs removed); a changed one is
 * stopped and started again (simple, and what keepalived does for most changes). Sync groups
 * are rebuilt on every reload (they hold no state of their own beyond the last group state).
 */
import type { Config } from '../config/model.js';
import type { VrrpInstance } from '../config/vrrp/types.js';
import { publish } from '../core/bus.js';
import type { LogLevel } from '../core/events.js';
import { setTimerSlack } from '../os/native.js';
import { Rtnl } from '../os/rtnl/index.js';
import { instanceFingerprint, unsupportedReason } from './config-map.js';
import { InstanceRuntime, type InstanceEnv } from './instance-runtime.js';
import type { VrrpStateName } from './machine-types.js';
import { Notifier, NotifyFifo, ScriptUsers } from './notify.js';
import { StopBatch } from './stop-batch.js';
import { SyncGroupRuntime } from './sync-group.js';
import type { Micros } from './timers.js';
import { TrackerHub } from './trackers.js';
import { logUnknownVrids } from './transport.js';
import { fifoSettingsKey } from '../os/fifo.js';

const log = (level: LogLevel, message: string): void =>
  publish('log', { level, subsystem: 'vrrp', message });

/** Monotonic microseconds. */
export const monotonicMicros = (): Micros => Number(process.hrtime.bigint() / 1000n);

interface Running {
  inst: InstanceRuntime;
  fingerprint: string;
}

export class VrrpRuntime {
  private rtnl: Rtnl | null = null;
  private hub: TrackerHub | null = null;
  private notifier = new Notifier([]);
  private readonly running = new Map<string, Running>();
  private groups: SyncGroupRuntime[] = [];
  private config: Config | null = null;
  private startupUntil: Micros | null = null;
  private offGroupSync: (() => void) | null = null;
  private readonly stopBatch = new StopBatch(() => [...this.running.values()].map((r) => r.inst));

  async start(c: Config): Promise<void> {
    // The down timer's last stretch is a futex sleep (instance-timer.ts): let it wake on time.
    setTimerSlack(1_000);
    // keepalived applies vrrp_startup_delay at the first start only, not on reload.
    const delay = c.global.vrrpStartupDelay;
    if (delay > 0) {
      this.startupUntil = monotonicMicros() + Math.round(delay * 1e6);
      log('info', `Delaying startup for ${delay} seconds`);
    }
    this.rtnl = Rtnl.open();
    this.hub = new TrackerHub(this.rtnl, log);
    await this.hub.startLinks();
    this.offGroupSync = this.hub.onChange(() => this.groups.forEach((g) => g.syncFaults()));
    this.config = c;
    logUnknownVrids(c.global.logUnknownVrids ? (m) => log('info', m) : null);
    this.notifier.log = (m) => log('warning', m);
    this.notifier.users = ScriptUsers.of(c.global);
    this.notifier.replaceFifos(() => this.makeFifos(c));
    this.syncTrackers(c);
    this.rebuildGroups(c);
    for (const v of this.usable(c)) await this.startInstance(v, c);
  }

  private makeFifos(c: Config): NotifyFifo[] {
    const g = c.global;
    const fifos: NotifyFifo[] = [];
    const users = this.notifier.users ?? undefined;
    if (g.vrrpNotifyFifo)
      fifos.push(new NotifyFifo(g.vrrpNotifyFifo, g.vrrpNotifyFifoScript, users));
    if (g.notifyFifo && g.notifyFifo.path !== g.vrrpNotifyFifo?.path) {
      fifos.push(new NotifyFifo(g.notifyFifo, g.notifyFifoScript, users));
    }
    return fifos;
  }

  /** Instances the runtime can run; the others are logged once. */
  private usable(c: Config): VrrpInstance[] {
    const out: VrrpInstance[] = [];
    for (const v of Object.values(c.vrrp.instances)) {
      const why = unsupportedReason(v);
      if (why) log('warning', `(${v.name}) not started: ${why}`);
      else out.push(v);
    }
    return out;
  }

  private syncTrackers(c: Config): void {
    const scripts = new Set<string>();
    const files = new Set<string>();
    const processes = new Set<string>();
    for (const x of [...Object.values(c.vrrp.instances), ...Object.values(c.vrrp.syncGroups)]) {
      x.track.scripts.forEach((t) => scripts.add(t.name));
      x.track.files.forEach((t) => files.add(t.name));
      x.track.processes.forEach((t) => processes.add(t.name));
    }
    this.hub?.sync(c, { scripts, files, processes }, this.notifier.users ?? undefined);
  }

  private rebuildGroups(c: Config): void {
    this.groups = Object.values(c.vrrp.syncGroups).map(
      (g) => new SyncGroupRuntime(g, this.notifier),
    );
    this.attachMembers();
  }

  private attachMembers(): void {
    for (const g of this.groups) {
      const members = g.spec.members
        .map((n) => this.running.get(n)?.inst)
        .filter((i): i is InstanceRuntime => i !== undefined);
      g.setMembers(members);
    }
  }

  private env(): InstanceEnv {
    if (!this.rtnl || !this.hub) throw new Error('VRRP runtime not started');
    return {
      rtnl: this.rtnl,
      hub: this.hub,
      notifier: this.notifier,
      now: monotonicMicros,
      startupUntil: this.startupUntil,
      log,
      onTransition: (inst, from, to, reason) => this.onTransition(inst, from, to, reason),
      onWantMaster: (inst) => {
        const g = this.groups.find((x) => x.has(inst));
        // Not (or no longer) in a running group: nothing to wait for.
        if (g) g.onWantMaster(inst);
        else inst.sync('MASTER');
      },
      onMastership: () => this.stopBatch.invalidate(),
      stopAdvertsSent: (inst) => this.stopBatch.takeSent(inst),
      stopping: () => this.stopBatch.fired,
    };
  }

  private onTransition(
    inst: InstanceRuntime,
    from: VrrpStateName,
    to: VrrpStateName,
    reason: string,
  ): void {
    for (const g of this.groups) if (g.has(inst)) g.onTransition(inst, from, to, reason);
  }

  private async startInstance(v: VrrpInstance, c: Config): Promise<void> {
    const inst = new InstanceRuntime(v, c, this.env());
    this.running.set(v.name, { inst, fingerprint: instanceFingerprint(v, c) });
    this.attachMembers();
    try {
      await inst.start();
    } catch (e) {
      log('error', `(${v.name}) cannot start: ${(e as Error).message}`);
      await inst.stop().catch(() => undefined);
      this.running.delete(v.name);
      this.attachMembers();
    }
  }

  private async stopInstance(
    name: string,
    why: 'stop' | 'deleted' | 'restart' = 'stop',
  ): Promise<void> {
    const r = this.running.get(name);
    if (!r) return;
    this.running.delete(name);
    await r.inst.stop(why);
  }

  async reload(c: Config): Promise<void> {
    const old = this.config;
    this.config = c;
    logUnknownVrids(c.global.logUnknownVrids ? (m) => log('info', m) : null);
    const wanted = new Map(this.usable(c).map((v) => [v.name, v]));
    let kept = 0;
    for (const [name, r] of [...this.running]) {
      const v = wanted.get(name);
      if (!v) {
        log('info', `(${name}) removed by reload: stopping`);
        await this.stopInstance(name, 'deleted');
      } else if (instanceFingerprint(v, c) !== r.fingerprint) {
        log('info', `(${name}) configuration changed: restarting`);
        await this.stopInstance(name, 'restart');
      } else kept++;
    }
    // Removed and changed instances stopped with the old config's script users; now the new.
    this.notifier.users = ScriptUsers.of(c.global);
    const fifoKeys = ({ global: g }: Config): string =>
      fifoSettingsKey(
        [g.vrrpNotifyFifo, g.notifyFifo],
        [g.vrrpNotifyFifoScript, g.notifyFifoScript],
        g.scriptUser,
      );
    if (!old || fifoKeys(old) !== fifoKeys(c)) this.notifier.replaceFifos(() => this.makeFifos(c));
    this.syncTrackers(c);
    // Groups are kept by name, with their state: no STOP, and no repeat of a state they are in.
    const before = new Map(this.groups.map((g) => [g.spec.name, g.state]));
    this.rebuildGroups(c);
    const same = this.groups.filter((g) => g.adopt(before.get(g.spec.name) ?? null));
    const keptNames = new Set([...this.running.keys()]);
    for (const [name, v] of wanted) if (!this.running.has(name)) await this.startInstance(v, c);
    if (c.global.fifoWriteVrrpStatesOnReload) {
      // keepalived's fifo_write_vrrp_states_on_reload: the FIFO hears the states nothing
      // notified. (keepalived restarts its FIFO scripts on every reload, so they need this;
      // ours keep running unless their settings change.)
      for (const g of same) this.notifier.line(`GROUP "${g.spec.name}" ${g.state} 0`);
      for (const name of keptNames) {
        const inst = this.running.get(name)?.inst;
        if (!inst || inst.state === 'INIT') continue;
        const prio = inst.machine?.priority ?? inst.spec.priority;
        this.notifier.line(`INSTANCE "${name}" ${inst.state} ${prio}`);
      }
    }
    log('info', `reload: ${kept} instance(s) kept, ${this.running.size - kept} (re)started`);
  }

  /** Every master sends its priority-0 advert now; stop() finishes the job. */
  shutdown(): void {
    // A batch the signal already sent keeps its record (takeSent); any other is disarmed.
    this.stopBatch.close();
    for (const r of this.running.values()) r.inst.shutdown();
  }

  async stop(): Promise<void> {
    this.stopBatch.close();
    logUnknownVrids(null);
    // Stop every instance at once: each master sends its priority-0 advert immediately.
    const all = [...this.running.keys()];
    await Promise.all(all.map((n) => this.stopInstance(n)));
    this.groups.forEach((g) => g.stopped());
    this.offGroupSync?.();
    this.hub?.stop();
    // STOP scripts get 1 s, as keepalived's; then the shutdown script may run.
    await this.notifier.settle(1000);
    this.notifier.close();
    this.rtnl?.close();
    this.rtnl = null;
  }

  status(): Record<string, unknown> {
    return {
      instances: [...this.running.values()].map((r) => r.inst.status()),
      syncGroups: this.groups.map((g) => ({ name: g.spec.name, members: g.spec.members })),
    };
  }
}
