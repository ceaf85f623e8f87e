/**
 * The kernel objects a VRRP master holds: virtual_ipaddress (+ _excluded), virtual_routes and
 * virtual_rules, added through rtnetlink. I/O module. It records exactly what it added, so
 * `removeAll` takes away that and nothing else (an address that was already there is not
 * recorded and stays).
 *
 * keepalived differences: route options beyond dst/via/dev/src/table/metric/type/scope/protocol
 * and rule options beyond from/to/table/priority/fwmark/iif/oif are logged as not yet applied.
 * Failures are logged and do not stop the other objects (keepalived does the same).
 */
import type {
  AddressSpec as VipSpec,
  RouteSpec as VRouteSpec,
  RuleSpec as VRuleSpec,
} from '../config/vrrp/types.js';
import { ifNameToIndex, SendBatch } from '../os/native.js';
import {
  RT_SCOPE,
  RT_TABLE,
  type AddressSpec,
  type Rtnl,
  type RouteSpec,
  type RuleSpec,
  unackedAddAddress,
} from '../os/rtnl/index.js';

export type Log = (level: 'info' | 'warning' | 'error', message: string) => void;

const ROUTE_OPTS = new Set(['src', 'via', 'gw', 'dev', 'table', 'metric', 'scope', 'protocol']);
const RULE_OPTS = new Set(['from', 'to', 'table', 'lookup', 'priority', 'preference', 'order']);

function tableNumber(t: string | null): number | undefined {
  if (t === null) return undefined;
  if (t in RT_TABLE) return RT_TABLE[t as keyof typeof RT_TABLE];
  const n = Number(t);
  return Number.isInteger(n) ? n : undefined;
}

function scopeOf(s: string | null | undefined): number | undefined {
  if (!s) return undefined;
  if (s in RT_SCOPE) return RT_SCOPE[s as keyof typeof RT_SCOPE];
  const n = Number(s);
  return Number.isInteger(n) ? n : undefined;
}

/** config VIP → rtnl address spec on `defaultIf` unless the line names `dev`. */
export function vipToSpec(v: VipSpec, defaultIf: string): AddressSpec {
  const ifindex = ifNameToIndex(v.dev ?? defaultIf);
  const spec: AddressSpec = {
    ifindex,
    address: v.address,
    prefixLength: v.prefixLength,
    family: v.family,
  };
  if (v.broadcast && v.broadcast !== '-' && v.broadcast !== '+') spec.broadcast = v.broadcast;
  const sc = scopeOf(v.scope);
  if (sc !== undefined) spec.scope = sc;
  if (v.label && v.family === 4) spec.label = v.label;
  if (v.peer) spec.peer = v.peer;
  // keepalived sets a preferred lifetime on IPv6 VIPs unless it is forever (the default for a
  // /128 is 0: deprecated, so not picked as a source address, e.g. by health checks).
  if (v.family === 6 && v.preferredLft !== null && v.preferredLft !== 0xffffffff)
    spec.preferredLft = v.preferredLft;
  const flags: NonNullable<AddressSpec['flags']> = [];
  // keepalived adds IPv6 VIPs with IFA_F_NODAD unless the line says `-nodad`.
  if (v.family === 6 && !v.nodad) flags.push('nodad');
  if (v.noprefixroute) flags.push('noprefixroute');
  if (v.home) flags.push('home');
  if (v.mngtmpaddr) flags.push('mngtmpaddr');
  if (v.autojoin) flags.push('autojoin');
  if (flags.length) spec.flags = flags;
  return spec;
}

function splitPrefix(p: string, family: 4 | 6): { dst: string; len: number } {
  if (p === 'default') return { dst: family === 4 ? '0.0.0.0' : '::', len: 0 };
  const [dst, len] = p.split('/');
  return { dst, len: len === undefined ? (family === 4 ? 32 : 128) : Number(len) };
}

export function routeToSpec(r: VRouteSpec, defaultIf: string, log: Log): RouteSpec {
  const { dst, len } = splitPrefix(r.to, r.family);
  const spec: RouteSpec = { dst, prefixLength: len, family: r.family };
  if (r.via) spec.gateway = r.via;
  spec.ifindex = ifNameToIndex(r.dev ?? defaultIf);
  if (r.src) spec.src = r.src;
  const table = tableNumber(r.table);
  if (table !== undefined) spec.table = table;
  if (r.metric !== null) spec.metric = r.metric;
  const sc = scopeOf(r.options.scope);
  if (sc !== undefined) spec.scope = sc;
  const types = ['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw'] as const;
  const t = types.find((x) => x === r.type);
  if (t) spec.type = t;
  if (t && t !== 'unicast') delete spec.ifindex;
  const extra = Object.keys(r.options).filter((k) => !ROUTE_OPTS.has(k));
  if (extra.length) log('warning', `virtual route ${r.to}: options not applied yet: ${extra}`);
  return spec;
}

export function ruleToSpec(r: VRuleSpec, log: Log): RuleSpec {
  const spec: RuleSpec = { family: r.family, action: 'table' };
  if (r.from) spec.from = r.from;
  if (r.to) spec.to = r.to;
  const table = tableNumber(r.table);
  if (table !== undefined) spec.table = table;
  if (r.priority !== null) spec.priority = r.priority;
  if (r.fwmark) {
    const [mark, mask] = r.fwmark.split('/');
    spec.fwmark = Number(mark);
    if (mask !== undefined) spec.fwmask = Number(mask);
  }
  if (r.iif) spec.iif = r.iif;
  if (r.oif) spec.oif = r.oif;
  const extra = Object.keys(r.options).filter((k) => !RULE_OPTS.has(k) && k !== 'fwmark');
  if (extra.length) log('warning', `virtual rule: options not applied yet: ${extra}`);
  return spec;
}

const codeOf = (e: unknown): string | undefined => (e as { code?: string }).code;

export interface MasterObjects {
  vips: VipSpec[];
  routes: VRouteSpec[];
  rules: VRuleSpec[];
}

/** Adds and removes one instance's VIPs, routes and rules, remembering what it added. */
export class InstanceAddresses {
  private addedAddrs: AddressSpec[] = [];
  private addedRoutes: RouteSpec[] = [];
  private addedRules: RuleSpec[] = [];
  private vipSpecs: AddressSpec[] | null = null;
  /** The VIP requests as bytes, for `sendVipsEarly` (built by `warm`). */
  private early: Buffer[] | null = null;

  constructor(
    private readonly rtnl: Rtnl,
    private readonly ifname: string,
    private readonly objs: MasterObjects,
    private readonly log: Log,
  ) {}

  /**
   * The VIPs as address requests, resolved once (interface names to indexes, a syscall each):
   * the instance is bound to its interface for its lifetime, as its sockets are.
   */
  private specs(): AddressSpec[] {
    if (this.vipSpecs) return this.vipSpecs;
    const out: AddressSpec[] = [];
    let complete = true;
    for (const v of this.objs.vips) {
      try {
        out.push(vipToSpec(v, this.ifname));
      } catch (e) {
        // A `dev` that does not exist (yet): that VIP is skipped now and looked up again later.
        complete = false;
        this.log('error', `cannot add VIP ${v.address}: ${(e as Error).message}`);
      }
    }
    if (complete) this.vipSpecs = out;
    return out;
  }

  get holding(): boolean {
    return this.addedAddrs.length + this.addedRoutes.length + this.addedRules.length > 0;
  }

  /**
   * Adds the VIPs (all requests sent at once), then the routes and rules. rtnetlink applies a
   * request inside the sending sendmsg(), so every VIP exists once its request is sent:
   * `onVipsSent` runs then, before the acks come back, and the GARP goes out without waiting
   * for them (nor for the routes and rules).
   */
  async addAll(onVipsSent?: () => void): Promise<void> {
    const adds = this.specs().map((spec) => {
      return this.rtnl.addAddress(spec).then(
        () => void this.addedAddrs.push(spec),
        (e: unknown) => {
          // Left behind by a killed run: it is ours now, so a stop removes it.
          if (codeOf(e) === 'EEXIST') this.addedAddrs.push(spec);
          else this.log('error', `cannot add VIP ${spec.address}: ${(e as Error).message}`);
        },
      );
    });
    // Past the client's window some requests wait unsent: then only the acks prove them added.
    let told = false;
    const tell = (): void => {
      if (!told) onVipsSent?.();
      told = true;
    };
    if (this.rtnl.unsent === 0) tell();
    await Promise.all(adds);
    tell();
    for (const r of this.objs.routes) {
      try {
        const spec = routeToSpec(r, this.ifname, this.log);
        await this.rtnl.addRoute(spec);
        this.addedRoutes.push(spec);
      } catch (e) {
        if (codeOf(e) !== 'EEXIST')
          this.log('error', `cannot add virtual route ${r.to}: ${(e as Error).message}`);
      }
    }
    for (const r of this.objs.rules) {
      try {
        const spec = ruleToSpec(r, this.log);
        await this.rtnl.addRule(spec);
        this.addedRules.push(spec);
      } catch (e) {
        if (codeOf(e) !== 'EEXIST')
          this.log('error', `cannot add virtual rule: ${(e as Error).message}`);
      }
    }
  }

  /**
   * The takeover's fast path: every VIP request sent now, unacked, so the VIPs exist when this
   * returns and the GARP can follow at once. addAll still runs after it and takes the EEXIST
   * answers as "added". False (nothing to rely on) when the VIP list is not complete yet or a
   * request could not be sent.
   */
  sendVipsEarly(): boolean {
    try {
      const batch = new SendBatch();
      return this.addVipsTo(batch) !== null && batch.run().every((e) => e === 0);
    } catch {
      return false; // the socket would not open: the acked path reports it
    }
  }

  /** The same requests added to `batch` (sent by batch.run()): how many, null when not ready. */
  addVipsTo(batch: SendBatch): number | null {
    if (!this.early) return null;
    this.rtnl.addUnackedTo(batch, this.early);
    return this.early.length;
  }

  /**
   * Builds the early requests (only once every VIP's interface is known), and runs both
   * request paths once against interface index 0, which the kernel refuses (ENODEV) without
   * touching anything: a backup's first real add is at its takeover, where V8 would otherwise
   * spend most of a millisecond on cold code.
   */
  async warm(): Promise<void> {
    const specs = this.specs();
    this.early = this.vipSpecs ? specs.map(unackedAddAddress) : null;
    const first = specs[0];
    if (!first) return;
    const spec = { ...first, ifindex: 0 };
    try {
      const batch = new SendBatch();
      this.rtnl.addUnackedTo(batch, [unackedAddAddress(spec)]);
      batch.run();
    } catch {
      // no socket now: the takeover falls back to the acked path
    }
    for (let i = 0; i < 2; i++) await this.rtnl.addAddress(spec).catch(() => undefined);
  }

  /** Removes what addAll added (rules, then routes, then addresses: the reverse order). */
  async removeAll(): Promise<void> {
    const rules = this.addedRules.splice(0);
    const routes = this.addedRoutes.splice(0);
    const addrs = this.addedAddrs.splice(0);
    for (const r of rules) await this.rtnl.deleteRule(r).catch(() => undefined);
    for (const r of routes) await this.rtnl.deleteRoute(r).catch(() => undefined);
    for (const a of addrs) {
      await this.rtnl.deleteAddress(a).catch((e: unknown) => {
        if (codeOf(e) !== 'EADDRNOTAVAIL')
          this.log('warning', `cannot remove VIP ${a.address}: ${(e as Error).message}`);
      });
    }
  }

  /**
   * At start an instance holds nothing: VIPs still configured from a crashed run are taken away
   * so a backup does not answer for them (keepalived removes them the same way on start-up).
   */
  async removeStale(): Promise<number> {
    const present = await this.rtnl.addresses();
    let n = 0;
    for (const spec of this.specs()) {
      const hit = present.some(
        (p) =>
          p.ifindex === spec.ifindex &&
          p.address === spec.address &&
          p.prefixLength === spec.prefixLength,
      );
      if (!hit) continue;
      await this.rtnl.deleteAddress(spec).catch(() => undefined);
      n++;
    }
    return n;
  }
}
