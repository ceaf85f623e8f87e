/**
 * Tracking blocks inside vrrp_instance and vrrp_sync_group: track_interface,
 * track_script, track_file, track_process, track_bfd, track_gateway. Pure.
 *
 * References resolve at parse time, top-down, as in keepalived: a script,
 * file, process or BFD defined *below* the reference is "not found, ignoring".
 */
import { ErrorCodes } from '../../core/errors.js';
import { parseTrackGateway } from '../gateway/track.js';
import type { Handler, ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { interfaceKnown } from './common.js';
import type { TrackRef, Tracking } from './types.js';

type Kind = 'interface' | 'script' | 'file' | 'process' | 'bfd';

const LIMIT: Record<Kind, number> = {
  interface: 254,
  script: 254,
  file: 254,
  process: 254,
  bfd: 253,
};

function defined(
  ctx: ParseCtx,
  kind: Kind,
  name: string,
): { weight: number; reverse: boolean } | null {
  const v = ctx.config.vrrp;
  if (kind === 'script') {
    const s = Object.prototype.hasOwnProperty.call(v.scripts, name) ? v.scripts[name] : undefined;
    return s ? { weight: s.weight, reverse: s.weightReverse } : null;
  }
  if (kind === 'file') {
    const f = Object.prototype.hasOwnProperty.call(v.trackFiles, name)
      ? v.trackFiles[name]
      : undefined;
    return f ? { weight: f.weight, reverse: f.weightReverse } : null;
  }
  if (kind === 'process') {
    const p = Object.prototype.hasOwnProperty.call(v.trackProcesses, name)
      ? v.trackProcesses[name]
      : undefined;
    return p ? { weight: p.weight, reverse: p.weightReverse } : null;
  }
  // keepalived's VRRP process knows every bfd_instance read so far, except those limited to
  // the checker (`checker` without `vrrp`); the instance's `weight N [reverse]` is the default.
  const bfds = ctx.config.bfd.instances;
  const b = Object.prototype.hasOwnProperty.call(bfds, name) ? bfds[name] : undefined;
  return b?.vrrp ? { weight: b.weight, reverse: b.weightReverse } : null;
}

function trackLine(
  owner: string,
  kind: Kind,
  node: ConfNode,
  list: TrackRef[],
  ctx: ParseCtx,
): void {
  const name = node.keyword;
  const warn = (m: string): void => ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.pos);
  let base = { weight: 0, reverse: false };
  if (kind === 'interface') {
    if (!interfaceKnown(ctx, name, node.pos)) {
      warn(`(${owner}) tracked interface ${name} doesn't exist`);
      return;
    }
  } else {
    const d = defined(ctx, kind, name);
    if (!d) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_REFERENCE,
        `(${owner}) track ${kind} ${name} not found, ignoring...`,
        node.pos,
      );
      return;
    }
    base = d;
  }
  if (list.some((t) => t.name === name)) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_DUPLICATE,
      `(${owner}) duplicate track_${kind} ${name} - ignoring`,
      node.pos,
    );
    return;
  }
  let { weight, reverse } = base;
  const a = node.args;
  if (a.length >= 1) {
    if (a[0].text !== 'weight') {
      warn(`(${owner}) unknown track_${kind} ${name} option ${a[0].text} - ignoring`);
      return;
    }
    if (a.length === 1) {
      warn(`(${owner}) weight without value specified for track_${kind} ${name} - ignoring`);
      return;
    }
    const lim = LIMIT[kind];
    const t = a[1];
    if (kind === 'bfd' && (!/^[+-]?\d+$/.test(t.text) || Math.abs(Number(t.text)) > lim)) {
      warn(`(${owner}) weight for track bfd ${name} must be in [-253..253] inclusive. Ignoring...`);
      weight = base.weight;
    } else if (!/^[+-]?\d+$/.test(t.text) || Math.abs(Number(t.text)) > lim) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `(${owner}) weight ${t.text} for ${name} must be between [-253..253] inclusive. Ignoring...`,
        t.pos,
      );
      weight = kind === 'interface' ? 0 : base.weight;
    } else {
      weight = Number(t.text);
      if (Math.abs(weight) === 254 && kind !== 'file' && kind !== 'process') {
        warn(`(${owner}) weight for ${name} cannot be +/-254. Setting to +/-253`);
        weight = weight < 0 ? -253 : 253;
      }
    }
    if (a.length >= 3) {
      const o = a[2].text;
      if (o === 'reverse') reverse = true;
      else if (o === 'noreverse' || (o === 'no_reverse' && kind !== 'bfd')) reverse = false;
      else if (kind === 'bfd') {
        // keepalived drops the whole track_bfd line here, not just the option.
        warn(`(${owner}) unknown track bfd ${name} weight option ${o} - ignoring`);
        return;
      } else warn(`(${owner}) unknown track_${kind} ${name} weight option ${o} - ignoring`);
    }
  }
  list.push({ name, weight, reverse, pos: node.pos });
}

/** A `track_<kind> { … }` handler for a target with `name` and `track`. */
export function trackBlock<T extends { name: string; track: Tracking }>(kind: Kind): Handler<T> {
  const field: keyof Tracking =
    kind === 'interface'
      ? 'interfaces'
      : kind === 'script'
        ? 'scripts'
        : kind === 'file'
          ? 'files'
          : kind === 'process'
            ? 'processes'
            : 'bfds';
  return (node, target, ctx) => {
    const lines = [
      ...(node.args.length
        ? [{ ...node, keyword: node.args[0].text, args: node.args.slice(1) }]
        : []),
      ...(node.children ?? []),
    ];
    for (const line of lines) trackLine(target.name, kind, line, target.track[field], ctx);
  };
}

/**
 * `track_gateway { … }`: parsed here, checked against config.gateway in finalizeVrrp (a
 * gateway_track may be defined below the instance, unlike keepalived's top-down references).
 */
export function trackGatewayBlock<T extends { track: Tracking }>(): Handler<T> {
  return (node, target, ctx) => {
    for (const r of parseTrackGateway(node, ctx)) {
      if (target.track.gateways.some((g) => g.name === r.name)) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_DUPLICATE,
          `duplicate track_gateway ${r.name} - ignoring`,
          r.pos,
        );
        continue;
      }
      target.track.gateways.push(r);
    }
  };
}

export function emptyTracking(): Tracking {
  return { interfaces: [], scripts: [], files: [], processes: [], bfds: [], gateways: [] };
}
