/**
 * The gateway-tracking runtime: one machine (machine.ts) per gateway_track with one timer from
 * its deadline, ICMP probes through a shared Prober, and routes through rtnetlink. Also the
 * static_ipaddress / static_routes / static_rules installer (statics.ts).
 *
 * Kernel ownership: every gateway route carries rtm_protocol GATEWAY_RTPROT. At start the
 * routes with that marker are listed: one the config still wants is re-adopted untouched and
 * its gateway starts 'up' (it must then fail `fall` probes to lose it), a multipath route is
 * kept when its next hops are already right, and any other marked route is stale and removed.
 * Stop removes exactly the routes held (added or adopted); a reload keeps the kernel as it is
 * and re-runs the adoption with the new config, so unchanged routes never flap.
 *
 * Route changes for one kernel route are serialized; multipath changes are coalesced (the
 * route written is always the one for the members up at that moment). I/O shell: the Rtnl,
 * the prober, the clock and the interface lookup are injected so unit tests use fakes.
 */
import { publish } from '../core/bus.js';
import type { GatewayStateEvent } from './events.js';
import { clearGatewayStates, recordGatewayState } from './state-board.js';
import type { GatewayRoute, GatewaySection, GatewayTrack } from '../config/gateway/types.js';
import type { Config } from '../config/model.js';
import { ifNameToIndex } from '../os/native.js';
import { Rtnl } from '../os/rtnl/index.js';
import type { RouteInfo, RouteSpec } from '../os/rtnl/types.js';
import './events.js';
import { describeRoute } from './route-text.js';
import type { BfdSessions } from '../bfd/sessions.js';
import { BfdProber } from './bfd-prober.js';
import { IcmpProber, type ProbeResult, type ProbeTarget, type Prober } from './icmp.js';
import {
  GATEWAY_RTPROT,
  gatewayRouteSpec,
  kernelHops,
  kernelKey,
  multipathSpec,
  nextHop,
  sameRoute,
  type IfIndex,
} from './kernel-specs.js';
import {
  createGateway,
  step,
  type GatewayEffect,
  type GatewayInput,
  type GatewayState,
} from './machine.js';
export { describeRoute } from './route-text.js';
import { RouteKeeper, type PlainRoute } from './route-keeper.js';
import { StaticInstaller, staticObjects, type StaticRtnl } from './statics.js';

export interface GatewayClock {
  /** Monotonic milliseconds (fractional). */
  now(): number;
  setTimer(fn: () => void, ms: number): () => void;
}

export const realClock: GatewayClock = {
  now: () => performance.now(),
  setTimer(fn, ms) {
    const t = setTimeout(fn, Math.max(0, ms));
    return () => clearTimeout(t);
  },
};

export type GatewayRtnl = StaticRtnl & Pick<Rtnl, 'routes' | 'close'>;

export interface GatewayRuntimeOptions {
  rtnl?: GatewayRtnl;
  prober?: Prober;
  clock?: GatewayClock;
  ifindex?: IfIndex;
  /** Spread the gateways' first probes over one interval (default true). */
  stagger?: boolean;
  /**
   * The shared BFD registry, for `method bfd` (createBfdSubsystem().registry). Without it, or
   * while it returns null, bfd gateways are probed with ICMP.
   */
  bfd?: () => BfdSessions | null;
}

interface GwEntry {
  cfg: GatewayTrack;
  target: ProbeTarget;
  state: GatewayState;
  cancel: (() => void) | null;
  /** The deadline the running timer is for. */
  deadline: number | null;
  routes: PlainRoute[];
  /** Multipath group keys, by index of cfg.multipath. */
  groups: string[];
  ok: number;
  failed: number;
  stopped: boolean;
}

/** config.gateway once the lead wires it into the model; absent means no gateways. */
function sectionOf(config: Config): GatewaySection {
  return (config as Config & { gateway?: GatewaySection }).gateway ?? { gateways: {} };
}

function log(level: 'info' | 'warning' | 'error', message: string): void {
  publish('log', { level, subsystem: 'gateway', message });
}

function publishState(e: GatewayStateEvent): void {
  recordGatewayState(e);
  publish('gateway:state', e);
}

const errText = (e: unknown): string => (e as Error).message;

export class GatewayRuntime {
  private readonly clock: GatewayClock;
  private readonly ifindex: IfIndex;
  private readonly stagger: boolean;
  private rtnl: GatewayRtnl | null = null;
  private prober: Prober | null = null;
  private bfdProber: BfdProber | null = null;
  private bfdFallbackLogged = new Set<string>();
  private statics: StaticInstaller | null = null;
  private entries = new Map<string, GwEntry>();
  private readonly keeper = new RouteKeeper(() => this.rtnl);

  constructor(private readonly opts: GatewayRuntimeOptions = {}) {
    this.clock = opts.clock ?? realClock;
    this.ifindex = opts.ifindex ?? ifNameToIndex;
    this.stagger = opts.stagger ?? true;
  }

  async start(config: Config): Promise<void> {
    this.rtnl = this.opts.rtnl ?? Rtnl.open();
    this.prober = this.opts.prober ?? new IcmpProber();
    if (this.opts.bfd) {
      this.bfdProber ??= new BfdProber(this.opts.bfd, (address, res) =>
        this.bfdChanged(address, res),
      );
    }
    this.statics = new StaticInstaller(this.rtnl);
    await this.statics.apply(staticObjects(config.vrrp, this.ifindex));
    await this.startGateways(sectionOf(config));
  }

  /** Keeps the kernel as it is and adopts it again under the new config. */
  async reload(config: Config): Promise<void> {
    if (!this.rtnl || !this.statics) return this.start(config);
    // A gateway that was up stays up under the new config (same name and address).
    const wasUp = new Set(
      [...this.entries.values()]
        .filter((e) => e.state.status === 'up')
        .map((e) => `${e.cfg.name} ${e.cfg.address}`),
    );
    await this.stopMachines();
    await this.statics.apply(staticObjects(config.vrrp, this.ifindex));
    await this.startGateways(sectionOf(config), wasUp);
  }

  /** Removes every route held and every static object, then lets go of the sockets. */
  async stop(): Promise<void> {
    await this.stopMachines();
    clearGatewayStates();
    await this.keeper.removeAll();
    await this.statics?.removeAll();
    this.prober?.close();
    this.bfdProber?.close();
    this.bfdProber = null;
    this.rtnl?.close();
    this.rtnl = null;
    this.prober = null;
    this.statics = null;
  }

  status(): unknown {
    return {
      gateways: [...this.entries.values()].map((e) => ({
        name: e.cfg.name,
        address: e.cfg.address,
        up: e.state.status === 'up',
        since: e.state.since,
        transitions: e.state.transitions,
        rttMs: e.state.lastRttUs === null ? null : e.state.lastRttUs / 1000,
        lastReason: e.state.lastReason,
        probes: { ok: e.ok, failed: e.failed },
        routes: e.routes.map((r) => describeRoute(r.spec)),
      })),
      multipath: [...this.keeper.groups.values()].map((g) => ({
        route: g.key,
        live: [...g.live],
        installed: g.installed ? describeRoute(g.installed) : null,
      })),
      heldRoutes: this.keeper.installed.size,
      statics: this.statics?.count ?? { address: 0, route: 0, rule: 0 },
    };
  }

  // ---- start / adoption ----

  private async startGateways(sec: GatewaySection, wasUp = new Set<string>()): Promise<void> {
    const rtnl = this.rtnl as GatewayRtnl;
    const kernel = (await rtnl.routes()).filter((r) => r.protocol === GATEWAY_RTPROT);
    const byKey = new Map<string, RouteInfo[]>();
    for (const k of kernel) byKey.set(kernelKey(k), [...(byKey.get(kernelKey(k)) ?? []), k]);

    this.entries = new Map();
    this.keeper.reset();
    for (const gw of Object.values(sec.gateways)) {
      const e = this.buildEntry(gw);
      if (e) this.entries.set(gw.name, e);
    }

    // Which gateways come back 'up': those whose routes (or next hops) are already there.
    const initial = new Map<string, boolean>();
    for (const e of this.entries.values()) {
      const plain = e.routes.some((r) => byKey.get(r.key)?.some((k) => sameRoute(k, r.spec)));
      const hop = e.groups.some((gk) => {
        const mine = this.keeper.groups.get(gk)?.members.get(e.cfg.name);
        return byKey
          .get(gk)
          ?.some((k) =>
            kernelHops(k).some(
              (h) =>
                mine &&
                h.gateway === mine.gateway &&
                (mine.ifindex === 0 || h.ifindex === mine.ifindex),
            ),
          );
      });
      initial.set(e.cfg.name, plain || !!hop || wasUp.has(`${e.cfg.name} ${e.cfg.address}`));
    }

    // Adopt what is wanted and right; delete the rest of our marked routes.
    const plainWanted = new Map<string, { e: GwEntry; r: PlainRoute }>();
    for (const e of this.entries.values())
      for (const r of e.routes) plainWanted.set(r.key, { e, r });
    for (const [key, ks] of byKey) {
      for (const k of ks) {
        const w = plainWanted.get(key);
        const g = this.keeper.groups.get(key);
        if (
          w &&
          initial.get(w.e.cfg.name) &&
          sameRoute(k, w.r.spec) &&
          !this.keeper.installed.has(key)
        ) {
          this.keeper.installed.set(key, { spec: w.r.spec, gateway: w.e.cfg.name });
          publish('gateway:route', {
            gateway: w.e.cfg.name,
            action: 'adopt',
            route: describeRoute(w.r.spec),
            ok: true,
          });
        } else if (g && !g.installed) {
          g.installed = { ...multipathSpec(g.base, kernelHops(k)), src: k.src };
          if (k.src === undefined) delete g.installed.src;
        } else {
          const spec: RouteSpec = { ...routeOf(k), protocol: GATEWAY_RTPROT };
          log('info', `removing stale gateway route ${describeRoute(spec)}`);
          await this.keeper.kernelDelete(spec, 'stale');
        }
      }
    }

    for (const e of this.entries.values()) {
      const up = initial.get(e.cfg.name) ?? false;
      publishState({
        gateway: e.cfg.name,
        address: e.cfg.address,
        up,
        reason: up ? 'adopted' : 'start',
        weight: e.cfg.weight,
      });
      if (!up) continue;
      for (const r of e.routes)
        if (!this.keeper.installed.has(r.key)) this.keeper.addPlain(e.cfg, r, null);
      for (const gk of e.groups) this.keeper.groups.get(gk)?.live.add(e.cfg.name);
    }
    for (const g of this.keeper.groups.values()) this.keeper.syncGroup(g);

    // BFD sessions of gateways still tracked carry on across a reload.
    this.bfdProber?.retain(
      new Set(
        [...this.entries.values()]
          .filter((e) => e.cfg.method === 'bfd')
          .map((e) => e.target.address),
      ),
    );
    const list = [...this.entries.values()];
    list.forEach((e, i) => {
      const phaseUs = this.stagger ? Math.floor((e.cfg.interval * 1e6 * i) / list.length) : 0;
      this.feed(e, { type: 'start', initial: initial.get(e.cfg.name) ? 'up' : 'down', phaseUs });
    });
    await this.keeper.settled();
  }

  private buildEntry(gw: GatewayTrack): GwEntry | null {
    try {
      const target: ProbeTarget = { address: gw.address, name: gw.name };
      if (gw.interface) target.ifindex = this.ifindex(gw.interface);
      const routes = gw.routes.map((r) => {
        const spec = gatewayRouteSpec(r, this.ifindex);
        return { spec, key: kernelKey(spec) };
      });
      const groups = gw.multipath.map((r) => {
        const key = kernelKey(multipathSpec(r, []));
        let g = this.keeper.groups.get(key);
        if (!g) {
          g = { key, base: r, members: new Map(), live: new Set(), installed: null, logs: [] };
          this.keeper.groups.set(key, g);
        }
        g.members.set(gw.name, nextHop(r, this.ifindex, target.ifindex ?? 0));
        return key;
      });
      const state = createGateway({
        name: gw.name,
        address: gw.address,
        intervalUs: Math.round(gw.interval * 1e6),
        rise: gw.rise,
        fall: gw.fall,
        routes: gw.routes.map(routeWords),
        multipath: gw.multipath.map(routeWords),
      });
      return {
        cfg: gw,
        target,
        state,
        cancel: null,
        deadline: null,
        routes,
        groups,
        ok: 0,
        failed: 0,
        stopped: false,
      };
    } catch (e) {
      log('error', `gateway_track ${gw.name}: ${errText(e)} - not tracked`);
      return null;
    }
  }

  private async stopMachines(): Promise<void> {
    for (const e of this.entries.values()) {
      e.stopped = true;
      e.cancel?.();
      e.cancel = null;
      e.state = step(e.state, { type: 'stop' }, this.nowUs()).state;
    }
    await this.keeper.settled();
  }

  // ---- machines ----

  private nowUs(): number {
    return Math.round(this.clock.now() * 1000);
  }

  private feed(e: GwEntry, input: GatewayInput): void {
    if (e.stopped) return;
    const r = step(e.state, input, this.nowUs());
    e.state = r.state;
    // Most inputs (results) leave the deadline where it was: keep that timer.
    if (r.deadline !== e.deadline || e.cancel === null) this.arm(e, r.deadline);
    // Route changes go to the kernel first: the state event's subscribers (VRRP priorities and
    // adverts, logs, metrics) run synchronously and would otherwise delay the route by their work.
    const kernelFirst = (fx: GatewayEffect): boolean =>
      fx.type === 'route' || fx.type === 'nexthop';
    for (const fx of r.effects) if (kernelFirst(fx)) this.effect(e, fx);
    for (const fx of r.effects) if (!kernelFirst(fx)) this.effect(e, fx);
  }

  private arm(e: GwEntry, deadline: number | null): void {
    e.cancel?.();
    e.cancel = null;
    e.deadline = deadline;
    if (deadline !== null) {
      const ms = deadline / 1000 - this.clock.now();
      e.cancel = this.clock.setTimer(() => {
        e.cancel = null;
        this.feed(e, { type: 'timer' });
      }, ms);
    }
  }

  private effect(e: GwEntry, fx: GatewayEffect): void {
    switch (fx.type) {
      case 'probe':
        this.probe(e, fx.seq);
        break;
      case 'state':
        publishState({
          gateway: e.cfg.name,
          address: e.cfg.address,
          up: fx.up,
          reason: fx.reason,
          weight: e.cfg.weight,
        });
        break;
      case 'route':
        if (fx.action === 'add') this.keeper.addPlain(e.cfg, e.routes[fx.index], fx.log);
        else {
          const r = e.routes[fx.index];
          void this.keeper.chain(
            r.key,
            () => this.keeper.deletePlain(r.key, r.spec, e.cfg.name, fx.log),
            true,
          );
        }
        break;
      case 'nexthop': {
        const g = this.keeper.groups.get(e.groups[fx.index]);
        if (!g) break;
        if (fx.action === 'join') g.live.add(e.cfg.name);
        else g.live.delete(e.cfg.name);
        g.logs.push(fx.log);
        this.keeper.syncGroup(g);
        break;
      }
      case 'log':
        log('info', fx.message);
        break;
      default: {
        const never: never = fx;
        throw new Error(`unknown gateway effect ${JSON.stringify(never)}`);
      }
    }
  }

  /** The BFD prober for `method bfd` while a registry is there; ICMP otherwise. */
  private proberFor(e: GwEntry): Prober {
    if (e.cfg.method !== 'bfd') return this.prober as Prober;
    if (this.bfdProber?.available()) {
      this.bfdFallbackLogged.delete(e.cfg.name);
      return this.bfdProber;
    }
    if (!this.bfdFallbackLogged.has(e.cfg.name)) {
      this.bfdFallbackLogged.add(e.cfg.name);
      log('warning', `gateway_track ${e.cfg.name}: BFD is not running - probing with icmp`);
    }
    return this.prober as Prober;
  }

  /** A BFD session changed: one sample at once for every bfd gateway following it. */
  private bfdChanged(address: string, res: ProbeResult): void {
    for (const e of this.entries.values()) {
      if (e.stopped || e.cfg.method !== 'bfd' || e.target.address !== address) continue;
      if (this.proberFor(e) !== this.bfdProber) continue;
      this.sample(e, e.state.seq, res);
    }
  }

  private probe(e: GwEntry, seq: number): void {
    const prober = this.proberFor(e);
    void prober.probe(e.target, e.cfg.timeout * 1000).then((res) => this.sample(e, seq, res));
  }

  private sample(e: GwEntry, seq: number, res: ProbeResult): void {
    if (e.stopped) return;
    if (res.ok) e.ok++;
    else e.failed++;
    const rttMs = res.rttUs === undefined ? null : res.rttUs / 1000;
    publish('gateway:probe', {
      gateway: e.cfg.name,
      address: e.cfg.address,
      ok: res.ok,
      rttMs,
      reason: res.reason,
    });
    this.feed(e, { type: 'result', seq, ok: res.ok, rttUs: res.rttUs, reason: res.reason });
  }
}

function routeWords(r: GatewayRoute): string {
  return r.table === 254 ? r.text : `${r.text} table ${r.table}`;
}

/** A kernel route as a delete request. */
function routeOf(k: RouteInfo): RouteSpec {
  const s: RouteSpec = {
    family: k.family,
    dst: k.dst,
    prefixLength: k.prefixLength,
    table: k.table,
  };
  if (k.metric !== undefined) s.metric = k.metric;
  if (k.gateway) s.gateway = k.gateway;
  if (k.ifindex !== undefined && !k.multipath) s.ifindex = k.ifindex;
  return s;
}
