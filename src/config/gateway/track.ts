/**
 * `track_gateway { NAME [weight W] }` inside a vrrp_instance or vrrp_sync_group, in the shape
 * of the other track_* blocks. Pure. The reference is checked against config.gateway after the
 * whole file is read (a gateway_track may follow the instance): see `checkTrackGateway`.
 * Without `weight` the gateway's own weight applies (0 → FAULT while it is down).
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Position } from '../diagnostics.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { parseInteger } from '../values.js';
import type { GatewaySection } from './types.js';

export interface TrackGatewayRef {
  name: string;
  /** null: use the gateway_track's weight. */
  weight: number | null;
  pos: Position;
}

export function parseTrackGateway(node: ConfNode, ctx: ParseCtx): TrackGatewayRef[] {
  const out: TrackGatewayRef[] = [];
  for (const line of node.children ?? []) {
    let weight: number | null = null;
    const [w, v, ...extra] = line.args;
    if (w) {
      if (w.text !== 'weight') {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          `track_gateway ${line.keyword}: unknown '${w.text}'`,
          w.pos,
        );
        continue;
      }
      const n = parseInteger(v, ctx, -253, 253);
      if (v === undefined) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          `track_gateway ${line.keyword}: weight needs a value`,
          w.pos,
        );
      }
      if (n === undefined) continue;
      weight = n;
      if (extra.length) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          `track_gateway ${line.keyword}: extra words`,
          extra[0].pos,
        );
      }
    }
    out.push({ name: line.keyword, weight, pos: line.pos });
  }
  return out;
}

/** References to gateways that do not exist: reported, and removed from `refs`. */
export function checkTrackGateway(
  refs: TrackGatewayRef[],
  section: GatewaySection,
  ctx: ParseCtx,
  owner: string,
): TrackGatewayRef[] {
  return refs.filter((r) => {
    if (Object.prototype.hasOwnProperty.call(section.gateways, r.name)) return true;
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_REFERENCE,
      `track_gateway ${r.name} in ${owner} doesn't exist - ignoring`,
      r.pos,
    );
    return false;
  });
}
