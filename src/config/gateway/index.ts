/**
 * gateway_track: next hops probed with ICMP echo, and the routes held while they answer.
 * Pure. A stayalive extension (keepalived has no gateway tracker; docs/gateways.md):
 *
 *   gateway_track UPLINK1 {
 *       address 192.0.2.1     interface eth1     method icmp
 *       interval 1  timeout 0.5  rise 2  fall 3  weight -50
 *       route { default metric 10 }              # held while UPLINK1 is up
 *       route_multipath { 198.51.100.0/24 }      # one ECMP route over every member that is up
 *   }
 *
 * Route lines use the static_routes grammar; see route.ts. `finalizeGateway` applies defaults
 * and the cross-gateway checks (conflicting routes, multipath groups that disagree).
 */
import { ErrorCodes } from '../../core/errors.js';
import { isIP } from '../ip.js';
import type { Config } from '../model.js';
import { walkBlock, type BlockSpec, type Handler, type ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { arg, parseEnum, parseInteger, parseTimer } from '../values.js';
import { interfaceKnown } from '../vrrp/common.js';
import { parseGatewayRoute, routeKey } from './route.js';
import type { GatewayRoute, GatewaySection, GatewayTrack } from './types.js';

export type * from './types.js';
export { routeKey, tableNumber } from './route.js';
export { checkTrackGateway, parseTrackGateway, type TrackGatewayRef } from './track.js';

/** The model once the lead wires the section in as `config.gateway`. */
type WithGateway = Config & { gateway?: GatewaySection };

export function emptyGatewaySection(): GatewaySection {
  return { gateways: {} };
}

/** The section of `config`, created on first use (works before and after model.ts has it). */
export function gatewaySection(config: Config): GatewaySection {
  const c = config as WithGateway;
  return (c.gateway ??= emptyGatewaySection());
}

/** A gateway while its block is walked: route lines wait until `address` is known. */
interface Draft {
  gw: GatewayTrack;
  timeoutSet: boolean;
  addressSet: boolean;
  routeNodes: { node: ConfNode; multipath: boolean }[];
}

const routeBlock =
  (multipath: boolean): Handler<Draft> =>
  (node, d, ctx) => {
    if (!node.children) {
      ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `${node.keyword} requires a '{' block`, node.pos);
      return;
    }
    for (const line of node.children) d.routeNodes.push({ node: line, multipath });
  };

const gatewaySpec: BlockSpec<Draft> = {
  name: 'gateway_track',
  keywords: {
    address: (node, d, ctx) => {
      const tok = arg(node, ctx);
      if (!tok) return;
      const fam = isIP(tok.text);
      if (!fam || tok.text.includes('%')) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          `invalid gateway address '${tok.text}'`,
          tok.pos,
        );
        return;
      }
      d.gw.address = tok.text;
      d.gw.family = fam;
      d.addressSet = true;
    },
    interface: (node, d, ctx) => {
      const tok = arg(node, ctx);
      if (!tok) return;
      if (!interfaceKnown(ctx, tok.text, tok.pos)) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_INTERFACE,
          `gateway_track ${d.gw.name}: interface ${tok.text} doesn't exist`,
          tok.pos,
        );
      }
      d.gw.interface = tok.text;
    },
    method: (node, d, ctx) => {
      const m = parseEnum(arg(node, ctx), ctx, ['icmp', 'bfd'] as const, 'method');
      if (m) d.gw.method = m;
    },
    interval: (node, d, ctx) => {
      const v = parseTimer(arg(node, ctx), ctx, 0.01, 3600);
      if (v !== undefined) d.gw.interval = v;
    },
    timeout: (node, d, ctx) => {
      const v = parseTimer(arg(node, ctx), ctx, 0.001, 3600);
      if (v === undefined) return;
      d.gw.timeout = v;
      d.timeoutSet = true;
    },
    rise: (node, d, ctx) => {
      const v = parseInteger(arg(node, ctx), ctx, 1, 1000);
      if (v !== undefined) d.gw.rise = v;
    },
    fall: (node, d, ctx) => {
      const v = parseInteger(arg(node, ctx), ctx, 1, 1000);
      if (v !== undefined) d.gw.fall = v;
    },
    weight: (node, d, ctx) => {
      const v = parseInteger(arg(node, ctx), ctx, -253, 253);
      if (v !== undefined) d.gw.weight = v;
    },
    route: routeBlock(false),
    route_multipath: routeBlock(true),
  },
};

function newGateway(name: string, node: ConfNode): GatewayTrack {
  return {
    name,
    pos: node.pos,
    address: '',
    family: 4,
    interface: null,
    method: 'icmp',
    interval: 1,
    timeout: 1,
    rise: 2,
    fall: 3,
    weight: 0,
    routes: [],
    multipath: [],
  };
}

const gatewayTrack: Handler<Config> = (node, config, ctx) => {
  const sec = gatewaySection(config);
  if (node.args.length !== 1) {
    ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, 'gateway_track must have a name - skipping', node.pos);
    return;
  }
  const name = node.args[0].text;
  if (Object.prototype.hasOwnProperty.call(sec.gateways, name)) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_DUPLICATE,
      `gateway_track ${name} already defined`,
      node.args[0].pos,
    );
    return;
  }
  if (!node.children) {
    ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `gateway_track ${name} requires a '{' block`, node.pos);
    return;
  }
  const d: Draft = {
    gw: newGateway(name, node),
    timeoutSet: false,
    addressSet: false,
    routeNodes: [],
  };
  walkBlock(node.children, gatewaySpec, d, ctx);
  const gw = d.gw;
  if (!d.addressSet) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_INVALID_OBJECT,
      `gateway_track ${name} has no address - removing`,
      node.pos,
    );
    return;
  }
  if (gw.family === 6 && gw.address.toLowerCase().startsWith('fe80') && !gw.interface) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_INVALID_OBJECT,
      `gateway_track ${name}: link-local ${gw.address} needs an interface - removing`,
      node.pos,
    );
    return;
  }
  if (!d.timeoutSet) gw.timeout = gw.interval;
  for (const { node: line, multipath } of d.routeNodes) {
    const r = parseGatewayRoute(line, ctx, gw, multipath);
    if (r) (multipath ? gw.multipath : gw.routes).push(r);
  }
  sec.gateways[name] = gw;
};

/** Top-level keywords owned by this section. */
export const gatewayTopLevel: Record<string, Handler<Config>> = {
  gateway_track: gatewayTrack,
};

/**
 * Cross-gateway checks. Two gateways holding the same plain route (same destination, table and
 * metric) would fight over one kernel entry: the later one is dropped, with a hint to use
 * different metrics (fallback) or route_multipath (ECMP). A key used both plainly and as
 * multipath is dropped from the multipath side. Multipath members must agree on `src`.
 */
export function finalizeGateway(config: Config, ctx: ParseCtx): void {
  const sec = gatewaySection(config);
  const plain = new Map<string, string>();
  for (const gw of Object.values(sec.gateways)) {
    gw.routes = gw.routes.filter((r) => {
      const k = routeKey(r);
      const owner = plain.get(k);
      if (owner !== undefined) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_DUPLICATE,
          `gateway_track ${gw.name}: route ${r.text} (${k}) is already held by ${owner} - ` +
            'use different metrics for fallback or route_multipath for ECMP; skipping',
          r.pos,
        );
        return false;
      }
      plain.set(k, gw.name);
      return true;
    });
  }
  const groups = new Map<string, { gw: string; r: GatewayRoute }[]>();
  for (const gw of Object.values(sec.gateways)) {
    gw.multipath = gw.multipath.filter((r) => {
      const k = routeKey(r);
      const clash = plain.get(k);
      const members = groups.get(k) ?? [];
      const why =
        clash !== undefined
          ? `is a plain route of ${clash}`
          : members.some((m) => m.gw === gw.name)
            ? 'is listed twice'
            : members.some((m) => m.r.via === r.via && m.r.dev === r.dev)
              ? `has next hop ${r.via} already from ${members.find((m) => m.r.via === r.via)?.gw}`
              : members.length > 0 && members[0].r.src !== r.src
                ? `has src ${r.src ?? 'none'} but ${members[0].gw} has ${members[0].r.src ?? 'none'}`
                : null;
      if (why !== null) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_DUPLICATE,
          `gateway_track ${gw.name}: multipath route ${r.text} (${k}) ${why} - skipping`,
          r.pos,
        );
        return false;
      }
      members.push({ gw: gw.name, r });
      groups.set(k, members);
      return true;
    });
  }
}
