/**
 * The kernel side of gateway tracking: the plain routes held (by kernel key) and the multipath
 * groups, with every change of one kernel route serialized and multipath writes coalesced
 * (the route written is the one for the members up when the write runs). I/O through the
 * injected rtnetlink client; events on the bus ('gateway:route', 'log').
 */
import { publish } from '../core/bus.js';
import type { GatewayRoute } from '../config/gateway/types.js';
import type { Rtnl } from '../os/rtnl/index.js';
import type { NextHopSpec, RouteInfo, RouteSpec } from '../os/rtnl/types.js';
import './events.js';
import { GATEWAY_RTPROT, multipathSpec, sameRoute } from './kernel-specs.js';
import { describeRoute } from './route-text.js';

export interface PlainRoute {
  spec: RouteSpec;
  key: string;
}

export interface Group {
  key: string;
  base: GatewayRoute;
  /** Members' next hops in config order. */
  members: Map<string, NextHopSpec>;
  live: Set<string>;
  /** What the kernel holds for this key (ours), or null. */
  installed: RouteSpec | null;
  logs: string[];
}

export type KeeperRtnl = Pick<Rtnl, 'addRoute' | 'deleteRoute'>;

function log(level: 'info' | 'warning' | 'error', message: string): void {
  publish('log', { level, subsystem: 'gateway', message });
}

const errText = (e: unknown): string => (e as Error).message;
const errCode = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

export class RouteKeeper {
  groups = new Map<string, Group>();
  /** Plain routes we hold, by kernel key. */
  installed = new Map<string, { spec: RouteSpec; gateway: string }>();
  private readonly chains = new Map<string, Promise<void>>();

  constructor(private readonly rtnlOf: () => KeeperRtnl | null) {}

  private get rtnl(): KeeperRtnl | null {
    return this.rtnlOf();
  }

  /** Forgets what is held (the kernel keeps it): before adopting again. */
  reset(): void {
    this.groups = new Map();
    this.installed = new Map();
  }

  /** Deletes every route held. */
  async removeAll(): Promise<void> {
    await this.settled();
    for (const [key, r] of this.installed) await this.deletePlain(key, r.spec, r.gateway);
    for (const g of this.groups.values()) {
      if (!g.installed) continue;
      await this.kernelDelete(g.installed, 'multipath');
      g.installed = null;
    }
    this.reset();
  }

  /**
   * Runs `fn` after every earlier change of the same kernel route. With `now`, and nothing queued
   * for the route, `fn` starts at once (its request reaches the kernel before the caller's next
   * statement) instead of on the next microtask turn, after whatever else the caller runs first.
   */
  chain(key: string, fn: () => Promise<void>, now = false): Promise<void> {
    const prev = this.chains.get(key);
    const next = prev ? prev.then(fn, fn) : now ? fn() : Promise.resolve().then(fn);
    this.chains.set(key, next);
    void next.then(() => {
      if (this.chains.get(key) === next) this.chains.delete(key);
    });
    return next;
  }

  /** Resolves once every queued route change has run. */
  async settled(): Promise<void> {
    while (this.chains.size > 0) await Promise.all([...this.chains.values()]);
  }

  addPlain(gw: { name: string; address: string }, r: PlainRoute, line: string | null): void {
    this.chain(
      r.key,
      async () => {
        const rtnl = this.rtnl;
        if (!rtnl || this.installed.has(r.key)) return;
        const route = describeRoute(r.spec);
        try {
          await rtnl.addRoute(r.spec);
          this.installed.set(r.key, { spec: r.spec, gateway: gw.name });
          publish('gateway:route', { gateway: gw.name, action: 'add', route, ok: true });
          if (line) log('info', line);
        } catch (err) {
          publish('gateway:route', {
            gateway: gw.name,
            action: 'add',
            route,
            ok: false,
            error: errText(err),
          });
          log(
            'error',
            `${gw.address} is reachable, but cannot add route ${route}: ${errText(err)}`,
          );
        }
      },
      true,
    ).catch(() => undefined);
  }

  async deletePlain(key: string, spec: RouteSpec, gateway: string, line?: string): Promise<void> {
    if (!this.installed.has(key)) return;
    this.installed.delete(key);
    if (await this.kernelDelete(spec, gateway)) {
      if (line) log('info', line);
    }
  }

  /** Deletes a route we own; an already missing route (ESRCH) counts as deleted. */
  async kernelDelete(spec: RouteSpec, gateway: string): Promise<boolean> {
    const route = describeRoute(spec);
    const action = gateway === 'stale' ? 'stale' : 'delete';
    try {
      await this.rtnl?.deleteRoute(spec);
      publish('gateway:route', { gateway, action, route, ok: true });
      return true;
    } catch (err) {
      if (errCode(err) === 'ESRCH') return true;
      publish('gateway:route', { gateway, action, route, ok: false, error: errText(err) });
      log('error', `cannot delete route ${route}: ${errText(err)}`);
      return false;
    }
  }

  /** Writes the multipath route for the members up now (coalesced: runs once per queue turn). */
  syncGroup(g: Group): void {
    void this.chain(g.key, async () => {
      const rtnl = this.rtnl;
      if (!rtnl) return;
      const hops = [...g.members].filter(([n]) => g.live.has(n)).map(([, h]) => h);
      const logs = g.logs.splice(0);
      const want = hops.length ? multipathSpec(g.base, hops) : null;
      const have = g.installed;
      try {
        if (!want) {
          if (have) {
            g.installed = null;
            await this.kernelDelete(have, 'multipath');
          }
        } else if (!have) {
          await rtnl.addRoute(want);
          g.installed = want;
          publish('gateway:route', {
            gateway: 'multipath',
            action: 'add',
            route: describeRoute(want),
            ok: true,
          });
        } else if (!sameRoute(infoOf(have), want)) {
          await rtnl.addRoute(want, { replace: true });
          g.installed = want;
          publish('gateway:route', {
            gateway: 'multipath',
            action: 'replace',
            route: describeRoute(want),
            ok: true,
          });
        } else if (logs.length === 0) {
          publish('gateway:route', {
            gateway: 'multipath',
            action: 'adopt',
            route: describeRoute(want),
            ok: true,
          });
        }
        for (const l of logs) log('info', l);
      } catch (err) {
        const route = describeRoute(want ?? (have as RouteSpec));
        publish('gateway:route', {
          gateway: 'multipath',
          action: want ? 'replace' : 'delete',
          route,
          ok: false,
          error: errText(err),
        });
        log('error', `cannot write multipath route ${route}: ${errText(err)}`);
      }
    });
  }
}

/** What sameRoute needs from a spec we wrote, in the kernel's shape. */
function infoOf(s: RouteSpec): RouteInfo {
  const info: RouteInfo = {
    family: s.family ?? (s.dst.includes(':') ? 6 : 4),
    dst: s.dst,
    prefixLength: s.prefixLength,
    table: s.table ?? 254,
    protocol: GATEWAY_RTPROT,
    scope: 0,
    type: 'unicast',
  };
  if (s.metric !== undefined) info.metric = s.metric;
  if (s.src) info.src = s.src;
  if (s.multipath)
    info.multipath = s.multipath.map((h) => ({
      gateway: h.gateway,
      ifindex: h.ifindex,
      weight: h.weight ?? 1,
      flags: 0,
    }));
  else if (s.gateway) info.gateway = s.gateway;
  return info;
}
