/**
 * One line of a gateway_track's `route { }` or `route_multipath { }` block → GatewayRoute.
 * Pure. The line grammar is keepalived's static_routes one (route-line.ts); a line without
 * `via` takes the gateway's address as next hop and its `interface` as device. Options the
 * route runtime cannot express (mtu, onlink, encap…) are reported and ignored; `protocol` is
 * always stayalive's gateway marker so a restart can find its routes again.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { parseRouteLine } from '../vrrp/route-line.js';
import type { GatewayRoute } from './types.js';

const TABLE_NAMES: Record<string, number> = { main: 254, local: 255, default: 253 };

/** `ip route`'s table argument: a number or one of the three built-in names. */
export function tableNumber(text: string | null): number | undefined {
  if (text === null) return 254;
  if (Object.prototype.hasOwnProperty.call(TABLE_NAMES, text)) return TABLE_NAMES[text];
  if (!/^\d+$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 && n <= 0xffffffff ? n : undefined;
}

export function parseGatewayRoute(
  node: ConfNode,
  ctx: ParseCtx,
  gw: { address: string; family: 4 | 6; interface: string | null } | null,
  multipath: boolean,
): GatewayRoute | undefined {
  const warn = (m: string): undefined => {
    ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.pos);
    return undefined;
  };
  const r = parseRouteLine(node, ctx, 'virtual');
  if (!r) return undefined;
  const text = [node.keyword, ...node.args.map((t) => t.text)].join(' ');
  if (r.type !== 'unicast') return warn(`gateway route '${text}': type ${r.type} has no next hop`);
  if (!r.via && !gw) {
    return warn(`gateway route '${text}': no via and the gateway has no address yet`);
  }
  const isDefault = r.to === 'default';
  // A default route without via or src has no family of its own: it is the gateway's.
  const family = !r.via && isDefault && !r.src && gw ? gw.family : r.family;
  const via = r.via ?? gw?.address ?? '';
  if (!r.via && gw && family !== gw.family) {
    return warn(`gateway route '${text}': family differs from gateway ${gw.address}`);
  }
  const table = tableNumber(r.table);
  if (table === undefined) return warn(`gateway route '${text}': unknown table ${r.table ?? ''}`);
  let weight = 1;
  for (const [k, v] of Object.entries(r.options)) {
    if (k === 'weight' && multipath) {
      if (!/^\d+$/.test(v) || Number(v) < 1 || Number(v) > 256)
        return warn(`gateway route '${text}': weight ${v} not in 1..256`);
      weight = Number(v);
    } else if (k === 'protocol') {
      warn(`gateway route '${text}': protocol is stayalive's own marker - ignoring ${v}`);
    } else if (k !== 'inet6') {
      warn(`gateway route '${text}': option ${k} not supported for gateway routes - ignoring`);
    }
  }
  if (r.noTrack) warn(`gateway route '${text}': no_track has no meaning here - ignoring`);
  const [addr, len] = isDefault ? [family === 4 ? '0.0.0.0' : '::', '0'] : r.to.split('/');
  return {
    family,
    dst: addr,
    prefixLength: Number(len),
    via,
    dev: r.dev ?? (r.via ? null : (gw?.interface ?? null)),
    table,
    metric: r.metric,
    src: r.src,
    weight,
    text: isDefault ? 'default' : r.to,
    pos: node.pos,
  };
}

/** What makes two lines the same kernel route: family, destination, table and metric. */
export function routeKey(r: GatewayRoute): string {
  const metric = r.metric ?? (r.family === 6 ? 1024 : 0);
  return `${r.family} ${r.dst}/${r.prefixLength} table ${r.table} metric ${metric}`;
}
