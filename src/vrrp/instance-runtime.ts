/**
 * One running vrrp_instance: the pure machine (machine.ts) plus its socket, its one timer, its
 * kernel objects, announcer, notifications and trackers. The imperative shell: inputs come from
 * the socket, the timer and the trackers; each `step` returns effects that are carried out here
 * in order (advert first, then VIPs, then GARP/NA, as keepalived), with logs, notifies and
 * events just after in a microtask so they never delay the wire. Kernel changes run on one
 * promise chain per instance so adds and removes never overlap.
 *
 * keepalived differences: VIPs of this instance found on the interface at start (left by a
 * crashed run) are removed before the instance enters BACKUP; `no_accept` VIPs are dropped by the
 * shared nftables filter (no-accept.ts) while held. use_vmac (instance-vmacs.ts): the VIPs and
 * GARPs on the VMAC, the adverts too unless vmac_xmit_base (forced with unicast peers); the
 * VMACs (also those of use_vmac_addr) are removed on stop.
 */
import type { Config } from '../config/model.js';
import type { VrrpInstance } from '../config/vrrp/types.js';
import { publish } from '../core/bus.js';
import type { SendBatch } from '../os/native.js';
import type { Rtnl } from '../os/rtnl/index.js';
import type { InstanceAddresses, Log } from './addresses.js';
import type { AnnouncedVip, Announcer } from './announcer.js';
import { noAcceptFilter } from './no-accept.js';
import { advertEncoder, toExpectations, toMachineConfig } from './config-map.js';
import { createMachine, step } from './machine.js';
import type {
  MachineEffect,
  MachineInput,
  MachineState,
  StepResult,
  VrrpStateName,
} from './machine-types.js';
import type { Notifier } from './notify.js';
import { newChecksumFormCounters, newDropCounters, validateAdvert } from './packet.js';
import { instanceStatus } from './instance-status.js';
import { InstanceTimer } from './instance-timer.js';
import type { Micros } from './timers.js';
import { evaluateTracking } from './track-eval.js';
import type { TrackerHub } from './trackers.js';
import { PreparedTakeover, type TakeoverSent } from './takeover.js';
import type { VrrpTransport } from './transport.js';
import type { AdvertExpectations, DecodeResult, DropReason } from './types.js';
import type { InstanceVmacs } from './instance-vmacs.js';
import { advertGroup, findSource, openWire } from './instance-wire.js';
import { claimIpv4Conf } from '../os/sysctl-claims.js';

export interface InstanceEnv {
  rtnl: Rtnl;
  hub: TrackerHub;
  notifier: Notifier;
  now(): Micros;
  log: Log;
  /** Called after every state change (sync groups listen). */
  onTransition(inst: InstanceRuntime, from: VrrpStateName, to: VrrpStateName, reason: string): void;
  /** A sync-group member's down timer fired; the group answers with `sync(…)`. */
  onWantMaster(inst: InstanceRuntime): void;
  /** Called as soon as this instance becomes or stops being master (stop-batch.ts). */
  onMastership(inst: InstanceRuntime): void;
  /** Priority-0 adverts a stop signal's handler already sent for this instance (0: none). */
  stopAdvertsSent(inst: InstanceRuntime): number;
  /**
   * A stop signal's handler has sent the priority-0 adverts; JavaScript has not stopped yet.
   * No regular advert may follow them: a master's advert timer can run in that gap, and its
   * advert would make the backups wait Master_Down_Interval instead of Skew_Time.
   */
  stopping(): boolean;
  /** vrrp_startup_delay: when it ends (monotonic µs, fixed at the first start), or null. */
  startupUntil: Micros | null;
}

/** Effects carried out inside `input` itself; the others follow in a microtask. */
const IMMEDIATE = new Set<MachineEffect['type']>([
  'send-advert',
  'add-vips',
  'remove-vips',
  'garp',
]);

/** Reason prefix of faults that a sync group puts on its members. */
export const SYNC_FAULT = 'sync group';

export class InstanceRuntime {
  readonly name: string;
  machine: MachineState | null = null;
  private transport: VrrpTransport | null = null;
  private addrs: InstanceAddresses | null = null;
  private announcer: Announcer | null = null;
  private vmacs: InstanceVmacs | null = null;
  private readonly timer: InstanceTimer;
  /**
   * A backup's down timer, about to fire: its outcome computed ahead (step is pure) and, for a
   * takeover, its sends prepared (takeover.ts), so at the deadline only the sends remain. Used
   * only if the machine is still the one it was computed from; any other input in between
   * replaces the machine and so voids it.
   */
  private ahead: { from: MachineState; r: StepResult; takeover: PreparedTakeover | null } | null =
    null;
  /** What a prepared takeover sent, while the effects of its step are applied. */
  private sent: TakeoverSent | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** Kernel changes queued on the chain and not finished. */
  private chainBusy = 0;
  /** An add-vips has not yet sent its VIP requests; GARPs queued meanwhile wait in afterVips. */
  private vipsPending = false;
  private afterVips: (() => void)[] = [];
  private expect: AdvertExpectations;
  private source = '';
  /** Unicast: the source address announced on leaving FAULT (on the base interface). */
  private sourceAnnounce: Omit<AnnouncedVip, 'index'> | null = null;
  private encode: (priority: number, dst: string) => Uint8Array = () => new Uint8Array();
  private trackFaults = new Set<string>();
  private unsubscribe: (() => void) | null = null;
  private stopped = false;
  /** track_src_ip: the configured source address watched for presence. */
  private trackedSrc: string | null = null;
  /** Removed by a reload: the state it was in (its notifies are not STOP). */
  private deletedFrom: VrrpStateName | null = null;
  private restarting = false;
  /** Gives back the interface setting promote_secondaries holds. */
  private releaseConf: (() => void) | null = null;
  /** stop() ran (shutdown() alone leaves the sockets open until stop). */
  private closed = false;
  /** Holds a reference on the shared no_accept nftables filter. */
  private noAccept = false;
  private lastDropLog = new Map<DropReason, number>();
  private readonly counters = {
    advertsIn: 0,
    advertsOut: 0,
    priorityZeroIn: 0,
    priorityZeroOut: 0,
    transitions: 0,
    /** Takeovers whose advert, VIPs and first GARP/NA went out as one prepared batch. */
    preparedTakeovers: 0,
    /** Priority-0 adverts sent by the SIGTERM/SIGINT handler itself (stop-batch.ts). */
    signalStopAdverts: 0,
    drops: newDropCounters(),
    checksumForms: newChecksumFormCounters(),
  };

  constructor(
    readonly spec: VrrpInstance,
    private readonly config: Config,
    private readonly env: InstanceEnv,
  ) {
    this.name = spec.name;
    this.timer = new InstanceTimer(
      () => env.now(),
      () => this.input({ type: 'timer' }),
      (deadline) => this.prepareTimer(deadline),
      () => this.transport?.drain(),
    );
    this.expect = toExpectations(spec, config.global);
  }

  get state(): VrrpStateName {
    return this.machine?.state ?? 'INIT';
  }

  private log(level: 'info' | 'warning' | 'error', msg: string): void {
    this.env.log(level, msg);
  }

  async start(): Promise<void> {
    const v = this.spec;
    const g = this.config.global;
    const ifname = v.interface ?? '';
    const link = await this.env.rtnl.link(ifname);
    const source = await findSource(this.env.rtnl, v, link.index);
    this.source = source ?? (v.family === 4 ? '0.0.0.0' : '::');
    this.encode = advertEncoder(v, this.source);
    if (v.unicastPeers.length > 0 && source && link.mac)
      this.sourceAnnounce = { address: source, family: v.family, ifname, mac: link.mac };
    const group = v.syncGroup ? this.config.vrrp.syncGroups[v.syncGroup] : undefined;
    const inGroup = !!group && group.members.length > 1;
    this.machine = createMachine(
      toMachineConfig(v, g, this.source, inGroup, this.env.startupUntil),
    );
    this.warmUp();
    if (!v.accept) {
      await noAcceptFilter.acquire(this.env.log);
      this.noAccept = true;
    }
    const wire = await openWire({ rtnl: this.env.rtnl, v, g, link, source, log: this.env.log });
    ({ vmacs: this.vmacs, addrs: this.addrs, announcer: this.announcer } = wire);
    // promote_secondaries: while this instance runs, removing its interface's primary address
    // promotes a secondary one instead of flushing them all (held per interface, restored last).
    if (v.promoteSecondaries)
      this.releaseConf = claimIpv4Conf(ifname, 'promote_secondaries', '1', (m) =>
        this.log('warning', `(${v.name}) ${m}`),
      );
    this.transport = wire.transport;
    if (v.unicastFaultNoPeer && v.unicastPeers.length === 0) {
      // unicast_fault_no_peer without peers: FAULT for good instead of falling back to multicast.
      this.log('info', `(${v.name}) Cannot use unicast without any peers - going to fault state`);
      this.input({ type: 'fault', on: true, reason: 'unicast without any peers' });
    } else if (this.transport) {
      this.transport.onPacket((r, rx) => this.onPacket(r, rx));
      // The down timer drains the socket just before a takeover: compile that path now (its
      // first run, at the takeover, cost 0.1–0.6 ms between the deadline and the advert).
      this.transport.drain();
    } else {
      this.log('error', `(${v.name}) interface ${ifname} has no usable IPv${v.family} address`);
      this.input({ type: 'fault', on: true, reason: 'no usable source address' });
    }
    // track_src_ip: a configured source that is missing (or goes) means FAULT.
    this.trackedSrc = v.trackSrcIp ? (v.unicastSrcIp ?? v.mcastSrcIp) : null;
    const unwatch = this.trackedSrc ? await this.env.hub.watchAddress(this.trackedSrc) : null;
    const off = this.env.hub.onChange(() => this.retrack());
    this.unsubscribe = () => {
      off();
      unwatch?.();
    };
    this.retrack();
    this.input({ type: 'start' });
  }

  /** Recompute priority and faults from the trackers and feed the changes to the machine. */
  retrack(): void {
    if (!this.machine || this.stopped) return;
    const v = this.spec;
    const group = v.syncGroup ? this.config.vrrp.syncGroups[v.syncGroup] : undefined;
    const r = evaluateTracking(
      {
        basePriority: this.machine.basePriority,
        ownInterface: v.dontTrackPrimary ? null : v.interface,
        own: v.track,
        group: group?.track ?? null,
        zeroWeights: !!group && !group.trackingWeight,
        srcIp: this.trackedSrc,
      },
      this.env.hub,
    );
    const next = new Set(r.faults);
    for (const f of this.trackFaults)
      if (!next.has(f)) this.input({ type: 'fault', on: false, reason: f });
    for (const f of next)
      if (!this.trackFaults.has(f)) this.input({ type: 'fault', on: true, reason: f });
    this.trackFaults = next;
    if (r.priority !== this.machine.priority)
      this.input({ type: 'priority', priority: r.priority });
  }

  /** Faults from this instance's own trackers (not those a sync group adds). */
  ownFaults(): string[] {
    return (this.machine?.faults ?? []).filter((f) => !f.startsWith(SYNC_FAULT));
  }

  /** `at`: when the input happened, if earlier than now (a received advert's kernel time). */
  input(i: MachineInput, at?: Micros): void {
    if (!this.machine || (this.stopped && i.type !== 'shutdown')) return;
    const now = this.env.now();
    // A kernel timestamp is trusted only if it is plausible: not ahead, at most 1 s behind.
    const t = at !== undefined && at <= now && now - at < 1_000_000 ? at : now;
    const ahead = i.type === 'timer' && this.ahead?.from === this.machine ? this.ahead : null;
    this.ahead = null;
    // The prepared sends go before anything else, if the chain has nothing under way.
    const takeover = this.chainBusy === 0 && !this.env.stopping() ? ahead?.takeover : null;
    this.sent = takeover ? takeover.run() : null;
    if (this.sent) this.counters.preparedTakeovers++;
    const r = ahead ? ahead.r : step(this.machine, i, t);
    const wasMaster = this.machine.state === 'MASTER';
    this.machine = r.state;
    this.arm(r.deadline);
    // The wire and the kernel first: adverts go out now and the VIP changes start on the chain;
    // logs, notifies and events follow in a microtask (a log line or a notify spawn costs
    // milliseconds, which would otherwise sit between the down timer and the first advert).
    const later: MachineEffect[] = [];
    for (const fx of r.effects) {
      if (IMMEDIATE.has(fx.type)) this.apply(fx);
      else later.push(fx);
    }
    this.sent = null;
    if (wasMaster !== (r.state.state === 'MASTER')) this.env.onMastership(this);
    if (later.length > 0) queueMicrotask(() => later.forEach((fx) => this.apply(fx)));
    // A sync-group member whose down timer fired asks its group (machine wantsMaster).
    if (i.type === 'timer' && r.state.state === 'BACKUP' && r.state.wantsMaster) {
      queueMicrotask(() => this.env.onWantMaster(this));
    }
  }

  private prepareTimer(deadline: Micros): void {
    if (!this.machine || this.stopped) return;
    const r = step(this.machine, { type: 'timer' }, deadline);
    const { transport, addrs, announcer } = this;
    const takeover =
      transport && addrs && announcer
        ? PreparedTakeover.build(r.effects, {
            transport,
            encode: this.encode,
            addrs,
            announcer,
            filtered: this.noAccept && !this.spec.accept,
          })
        : null;
    this.ahead = { from: this.machine, r, takeover };
  }

  /** The sync group's decision (machine `sync` input). */
  sync(to: 'MASTER' | 'BACKUP'): void {
    this.input({ type: 'sync', to });
  }

  private arm(deadline: Micros | null): void {
    this.timer.arm(this.stopped ? null : deadline, this.machine?.state === 'BACKUP');
  }

  private enqueue(fn: () => Promise<void>): void {
    this.chainBusy++;
    this.chain = this.chain
      .then(fn)
      .catch((e: unknown) => {
        this.log('error', `(${this.name}) ${(e as Error).message}`);
      })
      .finally(() => void this.chainBusy--);
  }

  private apply(fx: MachineEffect): void {
    const v = this.spec;
    switch (fx.type) {
      case 'send-advert':
        if (fx.priority === 0 && this.stopAdvertsSentBySignal()) break;
        if (fx.priority > 0 && this.env.stopping()) break;
        if (this.sent && this.sent.adverts >= 0) {
          this.counters.advertsOut += this.sent.adverts;
          this.sent.adverts = -1; // accounted for
        } else this.sendAdvert(fx.priority);
        break;
      case 'add-vips': {
        // The fast path, when nothing else is under way and no no_accept filter must come
        // first: the VIP requests go out now, unacked, and the GARP right after them; the
        // acked adds on the chain then confirm them (EEXIST) and add routes and rules.
        const filtered = !fx.accept && this.noAccept;
        const early =
          !!this.sent?.vips || (!filtered && this.chainBusy === 0 && !!this.addrs?.sendVipsEarly());
        this.vipsPending = !early;
        this.enqueue(async () => {
          try {
            // no_accept: filtered before the addresses exist, unfiltered after they are gone.
            if (!fx.accept && this.noAccept) await noAcceptFilter.add(this.vipList(), this.env.log);
            await this.addrs?.addAll(() => this.vipsSentNow());
          } finally {
            this.vipsSentNow();
          }
        });
        break;
      }
      case 'remove-vips':
        this.enqueue(async () => {
          await this.addrs?.removeAll();
          if (!fx.accept && this.noAccept)
            await noAcceptFilter.remove(this.vipList(), this.env.log);
        });
        break;
      case 'garp': {
        if (fx.reason === 'extra-if') {
          if (!this.vipsPending) this.announcer?.extraIfRound();
          break;
        }
        // Sent right after the VIP requests, not after their acks (addresses.ts addAll), and
        // synchronously there, ahead of the logs and notifies of the same step.
        const pre = this.sent;
        const skip = pre ? pre.frames : 0;
        const skipSent = pre ? pre.framesSent : 0;
        if (pre) pre.frames = pre.framesSent = 0; // the next garp effect sends its own
        const announce = (): void => {
          if (this.machine?.state !== 'MASTER') return;
          this.announcer
            ?.burst(fx.repeat, skip, skipSent)
            .catch((e: unknown) => this.log('error', `(${this.name}) ${(e as Error).message}`));
        };
        if (this.vipsPending) this.afterVips.push(announce);
        else announce();
        break;
      }
      case 'notify':
        if (fx.state === 'STOP' && this.deletedFrom !== null) this.deletedNotify(fx.priority);
        // A restart for a changed config sends no STOP: keepalived does not stop an instance
        // on reload. (The restarted one then notifies BACKUP and, when elected, MASTER again;
        // keepalived keeps the state instead: vrrp.md, differences.)
        else if (fx.state === 'STOP' && this.restarting) break;
        else this.env.notifier.notify('INSTANCE', v.name, fx.state, fx.priority, v.notify);
        break;
      case 'notify-master-rx-lower-pri':
        this.env.notifier.event(
          `INSTANCE "${v.name}" MASTER_RX_LOWER_PRI ${fx.priority}`,
          v.notify.masterRxLowerPri,
        );
        break;
      case 'priority-changed':
        if (v.notifyPriorityChanges && (fx.state === 'MASTER' || fx.state === 'BACKUP')) {
          this.env.notifier.line(`INSTANCE "${v.name}" ${fx.state}_PRIORITY ${fx.to}`);
        }
        break;
      case 'transition':
        this.counters.transitions++;
        if (fx.from === 'FAULT' && this.sourceAnnounce)
          this.announcer?.announceOnce(this.sourceAnnounce);
        publish('vrrp:transition', {
          instance: v.name,
          from: fx.from,
          to: fx.to,
          reason: fx.reason,
          priority: this.machine?.priority ?? v.priority,
        });
        queueMicrotask(() => this.env.onTransition(this, fx.from, fx.to, fx.reason));
        break;
      case 'log':
        this.log('info', fx.message);
        break;
      default: {
        const never: never = fx;
        throw new Error(`unknown VRRP effect ${JSON.stringify(never)}`);
      }
    }
  }

  private vipsSentNow(): void {
    if (!this.vipsPending) return;
    this.vipsPending = false;
    for (const fn of this.afterVips.splice(0)) fn();
  }

  private vipList(): string[] {
    return [...this.spec.virtualIpaddress, ...this.spec.virtualIpaddressExcluded].map(
      (a) => a.address,
    );
  }

  /**
   * A backup runs the takeover code for the first time at the takeover, where V8 would compile
   * it (milliseconds on a busy machine) between the down timer and the first advert. Run it
   * once now on a scratch machine and encode one advert, discarding the results.
   */
  private warmUp(): void {
    if (!this.machine) return;
    const cfg = { ...this.machine.config, syncGroup: false, wantMaster: false };
    let r = step(createMachine(cfg), { type: 'start' }, 0);
    r = step(r.state, { type: 'timer' }, r.deadline ?? 0);
    r = step(r.state, { type: 'timer' }, r.deadline ?? 0);
    step(r.state, { type: 'shutdown' }, r.deadline ?? 0);
    PreparedTakeover.warm();
    // The takeover advert's bytes, ready (the encoder keeps them).
    const v = this.spec;
    const group = advertGroup(v, this.config.global);
    const dsts = v.unicastPeers.length > 0 ? v.unicastPeers.map((p) => p.address) : [group];
    // And the priority-0 advert of a SIGTERM, which otherwise runs the encoder cold in the
    // signal's own turn, before the handover can start.
    for (const dst of dsts) {
      this.encode(this.machine.priority, dst);
      this.encode(0, dst);
    }
  }

  /** The stop batch (stop-batch.ts) gets this master's priority-0 advert(s). */
  addStopAdvertsTo(batch: SendBatch): number {
    if (this.stopped || this.machine?.state !== 'MASTER' || !this.transport) return 0;
    return this.transport.addTo(batch, (dst) => this.encode(0, dst));
  }

  /** The signal handler sent them already: count them, do not send them twice. */
  private stopAdvertsSentBySignal(): boolean {
    const n = this.env.stopAdvertsSent(this);
    this.counters.advertsOut += n;
    this.counters.priorityZeroOut += n;
    this.counters.signalStopAdverts += n;
    if (n > 0)
      this.log('info', `(${this.name}) priority-0 advert sent by the stop signal's handler`);
    return n > 0;
  }

  private sendAdvert(priority: number): void {
    if (!this.transport) return;
    const n = this.transport.send((dst) => this.encode(priority, dst));
    this.counters.advertsOut += n;
    if (priority === 0) this.counters.priorityZeroOut += n;
  }

  private onPacket(r: DecodeResult, rxMonoUs?: number): void {
    if (!this.machine || this.stopped) return;
    if (r.ok && r.advert.vrid !== this.expect.vrid) return; // another instance's VRID
    if (!r.ok) {
      this.drop(r.reason, r.detail);
      return;
    }
    const a = r.advert;
    this.counters.checksumForms[a.checksumForm]++;
    const m = this.machine;
    const currentMaster = m.state === 'BACKUP' ? (m.master?.address ?? null) : null;
    const ok = validateAdvert(a, { ...this.expect, currentMaster });
    if (!ok.ok) {
      this.drop(ok.reason, ok.detail);
      return;
    }
    this.counters.advertsIn++;
    if (a.priority === 0) this.counters.priorityZeroIn++;
    this.input(
      {
        type: 'advert',
        priority: a.priority,
        source: a.ip.src,
        advertInt: a.intervalCs * 10_000,
      },
      rxMonoUs === undefined ? undefined : Math.floor(rxMonoUs),
    );
  }

  /** Count every drop; log each reason at most every 10 s (a misconfigured peer floods). */
  private drop(reason: DropReason, detail: string): void {
    this.counters.drops[reason]++;
    const now = Date.now();
    if (now - (this.lastDropLog.get(reason) ?? 0) < 10_000) return;
    this.lastDropLog.set(reason, now);
    this.log('warning', `(${this.name}) dropping advert: ${reason} (${detail})`);
  }

  /**
   * The synchronous start of a stop: a master's priority-0 advert goes out now and the VIP
   * removal starts on the chain. The daemon calls it for every instance as soon as SIGTERM
   * arrives, before anything else is torn down.
   */
  shutdown(): void {
    if (this.stopped) return;
    this.input({ type: 'shutdown' });
    this.stopped = true;
    this.arm(null);
  }

  /**
   * SIGTERM / removal: priority-0 advert if master, VIPs removed, STOP notify; then close.
   * `deleted` (removed by a reload): keepalived's notifies instead of STOP (deletedNotify);
   * `restart` (changed by a reload): no STOP notify.
   */
  async stop(why: 'stop' | 'deleted' | 'restart' = 'stop'): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (why === 'deleted') this.deletedFrom = this.machine?.state ?? 'INIT';
    this.restarting = why === 'restart';
    this.shutdown();
    this.unsubscribe?.();
    await this.chain;
    if (this.noAccept) await noAcceptFilter.release(this.env.log);
    this.noAccept = false;
    this.transport?.close();
    this.announcer?.close();
    await this.vmacs?.remove();
    this.releaseConf?.();
    this.releaseConf = null;
  }

  /**
   * keepalived's notifies for an instance a reload removed: with `notify_deleted`, DELETED (and
   * its script); without, FAULT to `notify` and the FIFOs but no notify_fault script, and
   * nothing at all if it was in FAULT already.
   */
  private deletedNotify(priority: number): void {
    const n = this.spec.notify;
    const scripts = { ...n, master: null, backup: null, fault: null, stop: null };
    if (n.notifyDeleted)
      this.env.notifier.notify('INSTANCE', this.name, 'DELETED', priority, scripts);
    else if (this.deletedFrom !== 'FAULT')
      this.env.notifier.notify('INSTANCE', this.name, 'FAULT', priority, scripts);
  }

  status(): Record<string, unknown> {
    return instanceStatus(this.spec, this.machine, this.source, {
      ...this.counters,
      garpSent: this.announcer?.sent ?? 0,
    });
  }
}
