/**
 * Config model → rtnetlink requests, and kernel objects → "is this ours / the same one?".
 * Pure apart from the interface-name lookup passed in. Shared by the gateway routes and the
 * static_ipaddress / static_routes / static_rules installer.
 *
 * Gateway routes carry rtm_protocol GATEWAY_RTPROT (90, "stayalive-gw"): at start the runtime
 * lists the routes with that marker and re-adopts those its config still wants, so a restart
 * leaves them untouched. Static routes use keepalived's 18 unless the line says `protocol`.
 */
import type { GatewayRoute } from '../config/gateway/types.js';
import type {
  AddressSpec as CfgAddress,
  RouteSpec as CfgRoute,
  RuleSpec as CfgRule,
} from '../config/vrrp/types.js';
import { RTPROT } from '../os/rtnl/constants.js';
import { canonicalIp } from '../os/rtnl/ip.js';
import type {
  AddressSpec,
  NextHopSpec,
  RouteInfo,
  RouteSpec,
  RuleAction,
  RuleSpec,
} from '../os/rtnl/types.js';

/** rtm_protocol of every route gateway tracking adds (documented in docs/gateways.md). */
export const GATEWAY_RTPROT = 90;

/** Name → ifindex; throws (ENODEV) for an interface the host lacks. */
export type IfIndex = (name: string) => number;

/** The kernel's metric when none is given: 0 for IPv4, 1024 for IPv6. */
export function effectiveMetric(family: 4 | 6, metric: number | null | undefined): number {
  return metric ?? (family === 6 ? 1024 : 0);
}

/** Identity of a kernel route: what RTM_NEWROUTE with NLM_F_EXCL would call a duplicate. */
export function kernelKey(r: {
  family?: 4 | 6;
  dst: string;
  prefixLength: number;
  table?: number;
  metric?: number;
}): string {
  const family = r.family ?? (r.dst.includes(':') ? 6 : 4);
  return `${family} ${canonicalIp(r.dst)}/${r.prefixLength} table ${r.table ?? 254} metric ${effectiveMetric(family, r.metric)}`;
}

/** A plain gateway route as a request. */
export function gatewayRouteSpec(r: GatewayRoute, ifindex: IfIndex): RouteSpec {
  const spec: RouteSpec = {
    family: r.family,
    dst: canonicalIp(r.dst),
    prefixLength: r.prefixLength,
    gateway: canonicalIp(r.via),
    table: r.table,
    metric: effectiveMetric(r.family, r.metric),
    protocol: GATEWAY_RTPROT,
  };
  if (r.dev) spec.ifindex = ifindex(r.dev);
  if (r.src) spec.src = canonicalIp(r.src);
  return spec;
}

/** A multipath route over `hops` (their order is kept; the kernel keeps it too). */
export function multipathSpec(base: GatewayRoute, hops: NextHopSpec[]): RouteSpec {
  const spec: RouteSpec = {
    family: base.family,
    dst: canonicalIp(base.dst),
    prefixLength: base.prefixLength,
    table: base.table,
    metric: effectiveMetric(base.family, base.metric),
    protocol: GATEWAY_RTPROT,
    multipath: hops,
  };
  if (base.src) spec.src = canonicalIp(base.src);
  return spec;
}

/** One member's next hop of a multipath route; a hop needs a device, found by route if unset. */
export function nextHop(r: GatewayRoute, ifindex: IfIndex, lookup: number): NextHopSpec {
  return {
    gateway: canonicalIp(r.via),
    ifindex: r.dev ? ifindex(r.dev) : lookup,
    weight: r.weight,
  };
}

/** The next hops of a kernel route (a one-hop multipath route is reported as a plain one). */
export function kernelHops(k: RouteInfo): NextHopSpec[] {
  if (k.multipath?.length)
    return k.multipath.map((h) => ({ gateway: h.gateway, ifindex: h.ifindex, weight: h.weight }));
  return k.gateway ? [{ gateway: k.gateway, ifindex: k.ifindex ?? 0, weight: 1 }] : [];
}

/** `want.ifindex` 0 means "the device the kernel found by route", so any device matches. */
function sameHop(have: NextHopSpec, want: NextHopSpec): boolean {
  return (
    have.gateway === want.gateway &&
    (want.ifindex === 0 || have.ifindex === want.ifindex) &&
    (have.weight ?? 1) === (want.weight ?? 1)
  );
}

/** True when the kernel route is exactly what `spec` would install (type and scope aside). */
export function sameRoute(k: RouteInfo, spec: RouteSpec): boolean {
  if (kernelKey(k) !== kernelKey(spec) || (k.src ?? null) !== (spec.src ?? null)) return false;
  if (spec.multipath) {
    const have = kernelHops(k);
    // One hop: the kernel drops its weight, so compare gateway and device only.
    if (spec.multipath.length === 1 && have.length === 1) {
      return sameHop({ ...have[0], weight: 1 }, { ...spec.multipath[0], weight: 1 });
    }
    const want = spec.multipath;
    return have.length === want.length && have.every((h, i) => sameHop(h, want[i]));
  }
  if (k.multipath?.length) return false;
  return k.gateway === spec.gateway && (spec.ifindex === undefined || k.ifindex === spec.ifindex);
}

// ---- static_ipaddress / static_routes / static_rules ----

export function staticAddressSpec(a: CfgAddress, ifindex: IfIndex): AddressSpec {
  if (!a.dev) throw new Error(`static address ${a.address}/${a.prefixLength} has no dev`);
  const spec: AddressSpec = {
    ifindex: ifindex(a.dev),
    address: a.address,
    prefixLength: a.prefixLength,
    family: a.family,
  };
  if (a.broadcast) spec.broadcast = a.broadcast;
  if (a.label) spec.label = a.label;
  if (a.scope)
    spec.scope = /^\d+$/.test(a.scope) ? Number(a.scope) : (a.scope as AddressSpec['scope']);
  const flags: NonNullable<AddressSpec['flags']> = [];
  if (a.nodad) flags.push('nodad');
  if (a.noprefixroute) flags.push('noprefixroute');
  if (a.home) flags.push('home');
  if (flags.length) spec.flags = flags;
  return spec;
}

const PROTO_NAMES: Record<string, number> = RTPROT;
const ROUTE_TYPES = new Set(['unicast', 'blackhole', 'unreachable', 'prohibit', 'throw']);

/** A static route as a request; the table must be a number or main/local/default. */
export function staticRouteSpec(r: CfgRoute, ifindex: IfIndex): RouteSpec {
  if (!ROUTE_TYPES.has(r.type)) throw new Error(`route type ${r.type} is not supported`);
  const [dst, len] =
    r.to === 'default' ? [r.family === 4 ? '0.0.0.0' : '::', '0'] : r.to.split('/');
  const table = tableOf(r.table);
  const proto = r.options.protocol;
  const spec: RouteSpec = {
    family: r.family,
    dst: canonicalIp(dst),
    prefixLength: Number(len),
    table,
    type: r.type as RouteSpec['type'],
    protocol:
      proto === undefined
        ? RTPROT.keepalived
        : /^\d+$/.test(proto)
          ? Number(proto)
          : (PROTO_NAMES[proto] ?? RTPROT.keepalived),
  };
  if (r.via) spec.gateway = canonicalIp(r.via);
  if (r.dev) spec.ifindex = ifindex(r.dev);
  if (r.metric !== null) spec.metric = r.metric;
  if (r.src) spec.src = canonicalIp(r.src);
  if (r.options.scope !== undefined) spec.scope = r.options.scope as RouteSpec['scope'];
  return spec;
}

/** Options of a static route line this installer does not apply (reported once at start). */
export function unsupportedRouteOptions(r: CfgRoute): string[] {
  return Object.keys(r.options).filter((k) => !['protocol', 'scope', 'inet6'].includes(k));
}

export function tableOf(t: string | null): number {
  if (t === null || t === 'main') return 254;
  if (t === 'local') return 255;
  if (t === 'default') return 253;
  if (/^\d+$/.test(t)) return Number(t);
  throw new Error(`table ${t}: only numbers and main/local/default are supported`);
}

const RULE_ACTIONS = new Set(['blackhole', 'unreachable', 'prohibit', 'nop']);

export function staticRuleSpec(r: CfgRule): RuleSpec {
  const spec: RuleSpec = { family: r.family, protocol: RTPROT.keepalived };
  if (r.priority !== null) spec.priority = r.priority;
  const type = r.options.type;
  if (type && RULE_ACTIONS.has(type)) spec.action = type as RuleAction;
  else if (r.options.goto === undefined) {
    spec.action = 'table';
    spec.table = tableOf(r.table);
  }
  if (r.from && r.from !== 'all') spec.from = r.from;
  if (r.to && r.to !== 'all') spec.to = r.to;
  if (r.fwmark) {
    const [mark, mask] = r.fwmark.split('/');
    spec.fwmark = Number(mark);
    if (mask !== undefined) spec.fwmask = Number(mask);
    if (!Number.isFinite(spec.fwmark) || (mask !== undefined && !Number.isFinite(spec.fwmask)))
      throw new Error(`bad fwmark ${r.fwmark}`);
  }
  if (r.iif) spec.iif = r.iif;
  if (r.oif) spec.oif = r.oif;
  if (r.options.not !== undefined) spec.invert = true;
  return spec;
}

export function unsupportedRuleOptions(r: CfgRule): string[] {
  return Object.keys(r.options).filter((k) => !['type', 'not'].includes(k));
}
