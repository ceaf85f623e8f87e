/**
 * Checks keepalived's VRRP process makes once every instance is read. Pure
 * (file facts come from the host hook):
 * - weighted trackers on sync-group members (without sync_group_tracking_weight)
 *   or on an address owner are ignored, with keepalived's messages;
 * - two instances on one interface, family and multicast group with the same VRID.
 * Script files: script-security.ts.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Config } from '../model.js';
import type { ParseCtx } from '../schema.js';
import type { VrrpInstance } from './types.js';

/** Sync groups without tracking weight, and owners, ignore weighted trackers. */
function ignoreWeights(inst: VrrpInstance, config: Config, ctx: ParseCtx): void {
  const group = inst.syncGroup ? config.vrrp.syncGroups[inst.syncGroup] : undefined;
  const syncNoWeight = !!group && !group.trackingWeight;
  if (!syncNoWeight && inst.priority !== 255) return;
  const why = syncNoWeight ? 'SYNC group' : 'address owner';
  const err = (msg: string, pos = inst.pos): void =>
    ctx.diag.error(ErrorCodes.CONFIG_INVALID_OBJECT, `(${inst.name}) ${msg}`, pos);
  const t = inst.track;
  t.interfaces = t.interfaces.filter((ti) => {
    if (!ti.weight) return true;
    err(
      `ignoring ${ti.name} tracked interface ${syncNoWeight ? 'weight ' : ''}due to ${why}`,
      ti.pos,
    );
    if (!syncNoWeight) return false;
    ti.weight = 0;
    return true;
  });
  t.scripts = t.scripts.filter((ts) => {
    if (!ts.weight) return true;
    err(`ignoring tracked script ${ts.name} with weights due to ${why}`, ts.pos);
    return false;
  });
  t.files = t.files.filter((tf) => {
    if (tf.weight === 1) {
      err(`ignoring weight from tracked file ${tf.name} due to ${why}. specify weight 0`, tf.pos);
      tf.weight = 0;
      return true;
    }
    if (!tf.weight) return true;
    err(`ignoring tracked file ${tf.name} with weight ${tf.weight} due to ${why}`, tf.pos);
    return false;
  });
  t.bfds = t.bfds.filter((tb) => {
    if (!tb.weight) return true;
    err(`ignoring tracked bfd ${tb.name} with weight ${tb.weight} due to ${why}`, tb.pos);
    return false;
  });
}

/** Multicast instances sharing interface, family, group and VRID collide on the wire. */
function duplicateVrids(config: Config, ctx: ParseCtx): void {
  const seen = new Map<string, VrrpInstance>();
  for (const inst of Object.values(config.vrrp.instances)) {
    if (!inst.usable || inst.unicastPeers.length || !inst.interface) continue;
    if (ctx.host.interfaces && !ctx.host.interfaces.has(inst.interface)) continue;
    const key = `${inst.interface}|${inst.family}|${inst.mcastDstIp ?? ''}|${inst.virtualRouterId}`;
    const first = seen.get(key);
    if (!first) {
      seen.set(key, inst);
      continue;
    }
    ctx.diag.error(
      ErrorCodes.CONFIG_DUPLICATE,
      `${first.name} and ${inst.name} both use VRID ${inst.virtualRouterId} with IPv${inst.family} on interface ${inst.interface}`,
      inst.pos,
    );
  }
}

export function vrrpCrossChecks(config: Config, ctx: ParseCtx): void {
  for (const inst of Object.values(config.vrrp.instances)) ignoreWeights(inst, config, ctx);
  duplicateVrids(config, ctx);
}
