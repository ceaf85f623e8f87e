/**
 * Public face of the BFD section: `bfd_instance NAME { … }`. Pure.
 *
 * keepalived reads this block three times (BFD, VRRP and checker
 * processes) with different handlers; here one model holds everything:
 * the session parameters, the VRRP-side `weight`, and the `vrrp`/`checker`
 * event selectors. Instances keepalived ignores are kept with
 * `usable: false`; references (track_bfd, BFD_CHECK) resolve only to
 * instances defined above them, as in keepalived.
 */
import { ErrorCodes } from '../../core/errors.js';
import { isIP } from '../ip.js';
import type { Config } from '../model.js';
import type { BlockSpec, Handler, ParseCtx } from '../schema.js';
import { walkBlock } from '../schema.js';
import type { Token } from '../tree.js';
import { parseDecimal, parseInteger } from '../values.js';
import type { BfdInstance, BfdSection } from './types.js';

export type { BfdInstance, BfdSection } from './types.js';

const NAME_MAX = 31;
const MS_MAX = Math.floor(4294967295 / 1000);

export function emptyBfdSection(): BfdSection {
  return { instances: {} };
}

function err(
  ctx: ParseCtx,
  m: string,
  pos: Token['pos'],
  code: Parameters<ParseCtx['diag']['error']>[0] = ErrorCodes.CONFIG_BAD_VALUE,
): void {
  ctx.diag.error(code, m, pos);
}

/** Milliseconds with up to 3 decimals → seconds; keepalived's range message on failure. */
function msValue(
  b: Target,
  node: Parameters<Handler<Target>>[0],
  ctx: ParseCtx,
  what: string,
  min: number,
): number | undefined {
  const t = node.args[0];
  const v = t ? parseDecimal(t, ctx, min, MS_MAX) : undefined;
  if (v === undefined || (t && !/^\d+(\.\d{1,3})?$/.test(t.text))) {
    err(
      ctx,
      `Configuration error: BFD instance ${b.inst.name} ${what} value ${t?.text ?? ''} is not valid (must be in range [${min}-${MS_MAX}]), ignoring`,
      t?.pos ?? node.pos,
    );
    return undefined;
  }
  if (v > 10000) {
    ctx.diag.info(
      ErrorCodes.CONFIG_BAD_VALUE,
      `Configuration warning: BFD instance ${b.inst.name} ${what} value ${t?.text ?? ''} is larger than max sensible (10000)`,
      t?.pos ?? node.pos,
    );
  }
  return Math.round(v * 1000) / 1e6;
}

/** An integer in [min, max]; keepalived's range message on failure. */
function intValue(
  b: Target,
  node: Parameters<Handler<Target>>[0],
  ctx: ParseCtx,
  what: string,
  min: number,
  max: number,
): number | undefined {
  const t = node.args[0];
  const v = t ? parseInteger(t, ctx, min, max) : undefined;
  if (v === undefined) {
    err(
      ctx,
      `Configuration error: BFD instance ${b.inst.name} ${what} value ${t?.text ?? ''} not valid (must be in range [${min}-${max}]), ignoring`,
      t?.pos ?? node.pos,
    );
  }
  return v;
}

interface Target {
  inst: BfdInstance;
  /** Set once a neighbor_ip fails: keepalived skips the rest of the block. */
  skipped: boolean;
  /** Whether `vrrp`/`checker` appeared (keepalived's specified_event_processes). */
  events: { vrrp: boolean; checker: boolean };
  nbrWord: string;
}

const kw: Record<string, Handler<Target>> = {
  neighbor_ip: nbr,
  neighbour_ip: nbr,
  source_ip: (node, b, ctx) => {
    const t = node.args[0];
    if (!t || !isIP(t.text)) {
      err(
        ctx,
        `Configuration error: BFD instance ${b.inst.name} has malformed source address ${t?.text ?? ''}, ignoring`,
        t?.pos ?? node.pos,
      );
      return;
    }
    b.inst.sourceIp = t.text;
  },
  min_rx: (node, b, ctx) => {
    const v = msValue(b, node, ctx, 'min_rx', 1);
    if (v !== undefined) b.inst.minRx = v;
  },
  min_tx: (node, b, ctx) => {
    const v = msValue(b, node, ctx, 'min_tx', 1);
    if (v !== undefined) b.inst.minTx = v;
  },
  idle_tx: (node, b, ctx) => {
    const v = msValue(b, node, ctx, 'idle_tx', 1000);
    if (v !== undefined) b.inst.idleTx = v;
  },
  multiplier: (node, b, ctx) => {
    const v = intValue(b, node, ctx, 'multiplier', 1, 255);
    if (v !== undefined) b.inst.multiplier = v;
  },
  passive: (_node, b) => {
    b.inst.passive = true;
  },
  multihop: (node, b, ctx) => {
    ctx.diag.info(ErrorCodes.CONFIG_BAD_VALUE, 'multihop is a keepalived 2.2.8+ keyword', node.pos);
    b.inst.multihop = true;
  },
  ttl: ttl,
  hoplimit: ttl,
  max_hops: (node, b, ctx) => {
    const v = intValue(b, node, ctx, 'max_hops', -1, 255);
    if (v !== undefined) b.inst.maxHops = v;
  },
  weight: (node, b, ctx) => {
    const v = intValue(b, node, ctx, 'weight', -253, 253);
    if (v !== undefined) b.inst.weight = v;
    const opt = node.args[1];
    if (opt) {
      if (opt.text === 'reverse') b.inst.weightReverse = true;
      else
        err(
          ctx,
          `Configuration error: BFD instance ${b.inst.name} unknown weight option ${opt.text}`,
          opt.pos,
        );
    }
  },
  vrrp: (_node, b) => {
    b.events.vrrp = true;
  },
  checker: (_node, b) => {
    b.events.checker = true;
  },
};

function nbr(node: Parameters<Handler<Target>>[0], b: Target, ctx: ParseCtx): void {
  const t = node.args[0];
  if (!t || !isIP(t.text)) {
    err(
      ctx,
      `Configuration error: BFD instance ${b.inst.name} has malformed ${b.nbrWord} address ${t?.text ?? ''}, ignoring instance`,
      t?.pos ?? node.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    b.skipped = true;
    b.inst.usable = false;
    b.inst.why = 'malformed neighbor address';
    return;
  }
  b.inst.neighborIp = t.text;
}

function ttl(node: Parameters<Handler<Target>>[0], b: Target, ctx: ParseCtx): void {
  const v = intValue(b, node, ctx, 'ttl/hoplimit', 1, 255);
  if (v !== undefined) b.inst.ttl = v;
}

const spec: BlockSpec<Target> = { name: 'bfd_instance', keywords: kw };

const bfdInstance: Handler<Config> = (node, config, ctx) => {
  const name = node.args[0]?.text ?? '';
  const inst: BfdInstance = {
    name,
    pos: node.pos,
    usable: true,
    neighborIp: null,
    sourceIp: null,
    minRx: 0.01,
    minTx: 0.01,
    idleTx: 1,
    multiplier: 5,
    passive: false,
    multihop: false,
    ttl: 0,
    maxHops: 0,
    weight: 0,
    weightReverse: false,
    vrrp: true,
    checker: true,
  };
  if (name.length > NAME_MAX) {
    err(
      ctx,
      `Configuration error: BFD instance ${name} name too long (maximum length is ${NAME_MAX} characters) - ignoring`,
      node.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    return;
  }
  if (Object.prototype.hasOwnProperty.call(config.bfd.instances, name)) {
    err(
      ctx,
      `Configuration error: BFD instance ${name} already configured - ignoring`,
      node.pos,
      ErrorCodes.CONFIG_DUPLICATE,
    );
    return;
  }
  config.bfd.instances[name] = inst;
  const b: Target = {
    inst,
    skipped: false,
    events: { vrrp: false, checker: false },
    nbrWord: 'neighbor',
  };
  for (const child of node.children ?? []) {
    if (b.skipped) break;
    if (child.keyword === 'neighbour_ip') b.nbrWord = 'neighbour';
    walkBlock([child], spec, b, ctx);
  }
  if (b.skipped) return;
  endInstance(b, config, ctx);
};

/** keepalived's bfd_end_handler. */
function endInstance(b: Target, config: Config, ctx: ParseCtx): void {
  const inst = b.inst;
  const disable = (
    m: string,
    why: string,
    code: Parameters<typeof err>[3] = ErrorCodes.CONFIG_INVALID_OBJECT,
  ) => {
    err(ctx, m, inst.pos, code);
    inst.usable = false;
    inst.why = why;
  };
  if (inst.neighborIp === null) {
    return disable(
      `Configuration error: BFD instance ${inst.name} has no ${b.nbrWord} address set, disabling instance`,
      'no neighbor address',
    );
  }
  const fam = isIP(inst.neighborIp);
  if (inst.sourceIp !== null && isIP(inst.sourceIp) !== fam) {
    return disable(
      `Configuration error: BFD instance ${inst.name} source address ${inst.sourceIp} and ${b.nbrWord} address ${inst.neighborIp} are not of the same family, disabling instance`,
      'source and neighbor families differ',
    );
  }
  const dup = Object.values(config.bfd.instances).find(
    (o) =>
      o !== inst && o.usable && o.neighborIp === inst.neighborIp && o.sourceIp === inst.sourceIp,
  );
  if (dup) {
    const what =
      inst.sourceIp !== null
        ? `source/${b.nbrWord} address ${inst.sourceIp}/${inst.neighborIp}`
        : `${b.nbrWord} address ${inst.neighborIp}`;
    return disable(
      `Configuration error: BFD instance ${inst.name} has duplicate ${what}, ignoring instance`,
      'duplicate neighbor',
      ErrorCodes.CONFIG_DUPLICATE,
    );
  }
  if (!inst.ttl) inst.ttl = fam === 4 ? 255 : 64;
  if (inst.maxHops > inst.ttl) {
    err(
      ctx,
      `BFD instance ${inst.name}: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit`,
      inst.pos,
    );
    inst.maxHops = inst.ttl;
  }
  const any = b.events.vrrp || b.events.checker;
  inst.vrrp = !any || b.events.vrrp;
  inst.checker = !any || b.events.checker;
}

/** Top-level keywords owned by this section. */
export const bfdTopLevel: Record<string, Handler<Config>> = { bfd_instance: bfdInstance };

/** Nothing needs the whole model: references resolve top-down while parsing. */
export function finalizeBfd(_config: Config, _ctx: ParseCtx): void {}
