/**
 * static_ipaddress, static_routes and static_rules (the VRRP-side model's staticIpaddress,
 * staticRoutes, staticRules): installed through rtnetlink at start, removed on stop, and on a
 * reload only the objects that changed are touched. I/O through the injected Rtnl.
 *
 * An object already in the kernel (EEXIST) is adopted: it counts as ours and is removed on
 * stop, as keepalived removes its static objects when it exits. Options the rtnl client cannot
 * express (a route's mtu or encap, a rule's goto…) are reported once and the rest applied.
 */
import { publish } from '../core/bus.js';
import type { VrrpSection } from '../config/vrrp/types.js';
import type { Rtnl } from '../os/rtnl/index.js';
import type { AddressSpec, RouteSpec, RuleSpec } from '../os/rtnl/types.js';
import './events.js';
import { describeRoute } from './route-text.js';
import {
  staticAddressSpec,
  staticRouteSpec,
  staticRuleSpec,
  unsupportedRouteOptions,
  unsupportedRuleOptions,
  type IfIndex,
} from './kernel-specs.js';

export type StaticRtnl = Pick<
  Rtnl,
  'addAddress' | 'deleteAddress' | 'addRoute' | 'deleteRoute' | 'addRule' | 'deleteRule'
>;

type Obj =
  | { kind: 'address'; key: string; spec: AddressSpec }
  | { kind: 'route'; key: string; spec: RouteSpec }
  | { kind: 'rule'; key: string; spec: RuleSpec };

const SUB = 'gateway';

function log(level: 'info' | 'warning' | 'error', message: string): void {
  publish('log', { level, subsystem: SUB, message });
}

function describe(o: Obj): string {
  switch (o.kind) {
    case 'address':
      return `${o.spec.address}/${o.spec.prefixLength} ifindex ${o.spec.ifindex}`;
    case 'route':
      return describeRoute(o.spec);
    case 'rule': {
      const r = o.spec;
      const parts = [`priority ${r.priority ?? 'auto'}`];
      if (r.from) parts.push(`from ${r.from}`);
      if (r.to) parts.push(`to ${r.to}`);
      if (r.fwmark !== undefined) parts.push(`fwmark ${r.fwmark}`);
      parts.push(r.action && r.action !== 'table' ? r.action : `table ${r.table}`);
      return parts.join(' ');
    }
  }
}

/** Converts the model's static lists; what cannot be converted is logged and left out. */
export function staticObjects(v: VrrpSection, ifindex: IfIndex): Obj[] {
  const out: Obj[] = [];
  const tryAdd = (what: string, f: () => Obj): void => {
    try {
      out.push(f());
    } catch (e) {
      log('error', `cannot install ${what}: ${(e as Error).message}`);
    }
  };
  for (const a of v.staticIpaddress) {
    tryAdd(`static address ${a.address}/${a.prefixLength}`, () => {
      const spec = staticAddressSpec(a, ifindex);
      return { kind: 'address', key: JSON.stringify(spec), spec };
    });
  }
  for (const r of v.staticRoutes) {
    const extra = unsupportedRouteOptions(r);
    if (extra.length) log('warning', `static route ${r.to}: ignoring ${extra.join(', ')}`);
    tryAdd(`static route ${r.to}`, () => {
      const spec = staticRouteSpec(r, ifindex);
      return { kind: 'route', key: JSON.stringify(spec), spec };
    });
  }
  for (const r of v.staticRules) {
    const extra = unsupportedRuleOptions(r);
    if (extra.length)
      log('warning', `static rule ${r.priority ?? ''}: ignoring ${extra.join(', ')}`);
    tryAdd(`static rule ${r.priority ?? ''}`, () => {
      const spec = staticRuleSpec(r);
      return { kind: 'rule', key: JSON.stringify(spec), spec };
    });
  }
  return out;
}

export class StaticInstaller {
  /** Objects in the kernel that we own, in install order. */
  private owned: Obj[] = [];

  constructor(private readonly rtnl: StaticRtnl) {}

  get count(): Record<'address' | 'route' | 'rule', number> {
    const c = { address: 0, route: 0, rule: 0 };
    for (const o of this.owned) c[o.kind]++;
    return c;
  }

  /** Brings the kernel to `wanted`: removes owned objects no longer wanted, adds the new ones. */
  async apply(wanted: Obj[]): Promise<void> {
    const want = new Set(wanted.map((o) => `${o.kind} ${o.key}`));
    const keep: Obj[] = [];
    for (const o of [...this.owned].reverse()) {
      if (want.has(`${o.kind} ${o.key}`)) keep.unshift(o);
      else await this.remove(o);
    }
    const have = new Set(keep.map((o) => `${o.kind} ${o.key}`));
    // Addresses first: a route's src or gateway may need them.
    const order = { address: 0, route: 1, rule: 2 };
    for (const o of [...wanted].sort((a, b) => order[a.kind] - order[b.kind])) {
      if (have.has(`${o.kind} ${o.key}`)) continue;
      if (await this.add(o)) {
        keep.push(o);
        have.add(`${o.kind} ${o.key}`);
      }
    }
    this.owned = keep;
  }

  /** Removes everything owned, rules first (reverse of install). */
  async removeAll(): Promise<void> {
    const all = [...this.owned].sort(
      (a, b) =>
        ({ rule: 0, route: 1, address: 2 })[a.kind] - { rule: 0, route: 1, address: 2 }[b.kind],
    );
    for (const o of all) await this.remove(o);
    this.owned = [];
  }

  private async add(o: Obj): Promise<boolean> {
    const object = describe(o);
    try {
      if (o.kind === 'address') await this.rtnl.addAddress(o.spec);
      else if (o.kind === 'route') await this.rtnl.addRoute(o.spec);
      else await this.rtnl.addRule(o.spec);
      publish('gateway:static', { kind: o.kind, action: 'add', object, ok: true });
      return true;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') {
        publish('gateway:static', { kind: o.kind, action: 'adopt', object, ok: true });
        return true;
      }
      const error = (e as Error).message;
      publish('gateway:static', { kind: o.kind, action: 'add', object, ok: false, error });
      log('error', `cannot add static ${o.kind}: ${error}`);
      return false;
    }
  }

  private async remove(o: Obj): Promise<void> {
    const object = describe(o);
    try {
      if (o.kind === 'address') await this.rtnl.deleteAddress(o.spec);
      else if (o.kind === 'route') await this.rtnl.deleteRoute(o.spec);
      else await this.rtnl.deleteRule(o.spec);
      publish('gateway:static', { kind: o.kind, action: 'delete', object, ok: true });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // Already gone (someone removed it, or the interface went away): nothing left to undo.
      if (code === 'ESRCH' || code === 'ENOENT' || code === 'EADDRNOTAVAIL' || code === 'ENODEV')
        return;
      const error = (e as Error).message;
      publish('gateway:static', { kind: o.kind, action: 'delete', object, ok: false, error });
      log('error', `cannot delete static ${o.kind}: ${error}`);
    }
  }
}
