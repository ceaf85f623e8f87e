// Fakes for the gateway runtime unit tests: an in-memory rtnetlink with the kernel's duplicate
// and missing-object errors, a prober whose gateways are switched up/down by the test, and a
// virtual clock. Pure (no sockets, no timers of their own).
import type { GatewayRtnl } from '../../../src/gateway/runtime.js';
import type { Prober, ProbeResult, ProbeTarget } from '../../../src/gateway/icmp.js';
import { kernelHops, kernelKey } from '../../../src/gateway/kernel-specs.js';
import type { AddressSpec, RouteInfo, RouteSpec, RuleSpec } from '../../../src/os/rtnl/types.js';

const fail = (code: string, what: string): Error =>
  Object.assign(new Error(`${what}: ${code}`), { code });

export class FakeRtnl implements GatewayRtnl {
  routesTable: RouteInfo[] = [];
  addrs: AddressSpec[] = [];
  ruleList: RuleSpec[] = [];
  /** Every write, as "add|replace|del <key> …". */
  ops: string[] = [];
  closed = false;

  routes(): Promise<RouteInfo[]> {
    return Promise.resolve(this.routesTable.map((r) => ({ ...r })));
  }

  addRoute(spec: RouteSpec, opts: { replace?: boolean } = {}): Promise<void> {
    const info = toInfo(spec);
    const key = kernelKey(info);
    const i = this.routesTable.findIndex((r) => kernelKey(r) === key);
    if (i >= 0 && !opts.replace) return Promise.reject(fail('EEXIST', `add route ${key}`));
    this.ops.push(`${opts.replace ? 'replace' : 'add'} ${key} ${hopText(info)}`);
    if (i >= 0) this.routesTable[i] = info;
    else this.routesTable.push(info);
    return Promise.resolve();
  }

  deleteRoute(spec: RouteSpec): Promise<void> {
    const key = kernelKey(toInfo(spec));
    const i = this.routesTable.findIndex(
      (r) =>
        kernelKey(r) === key &&
        (spec.gateway === undefined || r.gateway === spec.gateway) &&
        (spec.protocol === undefined || r.protocol === spec.protocol),
    );
    if (i < 0) return Promise.reject(fail('ESRCH', `delete route ${key}`));
    this.ops.push(`del ${key}`);
    this.routesTable.splice(i, 1);
    return Promise.resolve();
  }

  addAddress(spec: AddressSpec): Promise<void> {
    if (this.addrs.some((a) => a.address === spec.address))
      return Promise.reject(fail('EEXIST', 'add address'));
    this.ops.push(`add address ${spec.address}/${spec.prefixLength}`);
    this.addrs.push(spec);
    return Promise.resolve();
  }

  deleteAddress(spec: AddressSpec): Promise<void> {
    const i = this.addrs.findIndex((a) => a.address === spec.address);
    if (i < 0) return Promise.reject(fail('EADDRNOTAVAIL', 'delete address'));
    this.ops.push(`del address ${spec.address}/${spec.prefixLength}`);
    this.addrs.splice(i, 1);
    return Promise.resolve();
  }

  addRule(spec: RuleSpec): Promise<void> {
    this.ops.push(`add rule ${spec.priority}`);
    this.ruleList.push(spec);
    return Promise.resolve();
  }

  deleteRule(spec: RuleSpec): Promise<void> {
    const i = this.ruleList.findIndex((r) => r.priority === spec.priority);
    if (i < 0) return Promise.reject(fail('ENOENT', 'delete rule'));
    this.ops.push(`del rule ${spec.priority}`);
    this.ruleList.splice(i, 1);
    return Promise.resolve();
  }

  close(): void {
    this.closed = true;
  }
}

function hopText(r: RouteInfo): string {
  return kernelHops(r)
    .map((h) => `${h.gateway}${h.weight && h.weight > 1 ? '*' + h.weight : ''}`)
    .join(',');
}

export function toInfo(spec: RouteSpec): RouteInfo {
  const family = spec.family ?? (spec.dst.includes(':') ? 6 : 4);
  const info: RouteInfo = {
    family,
    dst: spec.dst,
    prefixLength: spec.prefixLength,
    table: spec.table ?? 254,
    protocol: typeof spec.protocol === 'number' ? spec.protocol : 3,
    scope: 0,
    type: 'unicast',
    metric: spec.metric ?? (family === 6 ? 1024 : undefined),
  };
  if (info.metric === undefined) delete info.metric;
  if (spec.src) info.src = spec.src;
  // The kernel stores a one-hop multipath route as a plain one.
  if (spec.multipath && spec.multipath.length > 1)
    info.multipath = spec.multipath.map((h) => ({
      gateway: h.gateway,
      ifindex: h.ifindex,
      weight: h.weight ?? 1,
      flags: 0,
    }));
  else if (spec.multipath?.length === 1) {
    info.gateway = spec.multipath[0].gateway;
    info.ifindex = spec.multipath[0].ifindex;
  } else {
    if (spec.gateway) info.gateway = spec.gateway;
    info.ifindex = spec.ifindex ?? 2;
  }
  return info;
}

export class FakeProber implements Prober {
  readonly up = new Map<string, boolean>();
  probes: string[] = [];
  closed = false;
  probe(t: ProbeTarget, _timeoutMs: number): Promise<ProbeResult> {
    this.probes.push(t.address);
    const ok = this.up.get(t.address) ?? false;
    return Promise.resolve(
      ok ? { ok, rttUs: 250, reason: 'echo reply' } : { ok, reason: 'no echo reply' },
    );
  }
  close(): void {
    this.closed = true;
  }
}

export { flush, VirtualClock } from '../../helpers/virtual-clock.js';
