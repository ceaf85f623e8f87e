/**
 * Keywords every checker block shares, and the block builder. Pure.
 *
 * keepalived installs `retry`, `delay_before_retry`, `warmup`, `delay_loop`,
 * `alpha` and `log_all_failures` in every checker, and the connection
 * keywords (`connect_ip`, `connect_port`, `bindto`, `bind_port`, `bind_if`,
 * `connect_timeout`, `fwmark`) in those that open a socket.
 */
import { isIP } from '../ip.js';
import type { BlockSpec, Handler, ParseCtx } from '../schema.js';
import { walkBlock } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { boolOpt, cfgError, timerOpt, uintOpt, UINT_MAX } from './common.js';
import type { Checker, ConnOpts, RealServer, VirtualServer } from './types.js';

/** What a real_server block's handlers write into. */
export interface RsTarget {
  vs: VirtualServer;
  rs: RealServer;
}

export function emptyConn(): ConnOpts {
  return {
    connectIp: null,
    connectPort: null,
    bindto: null,
    bindPort: null,
    bindIf: null,
    connectTimeout: null,
    fwmark: null,
  };
}

export function checkerBase(node: ConfNode): {
  pos: ConfNode['pos'];
  usable: boolean;
  alpha: null;
  retry: null;
  delayBeforeRetry: null;
  warmup: null;
  delayLoop: null;
  logAllFailures: null;
} {
  return {
    pos: node.pos,
    usable: true,
    alpha: null,
    retry: null,
    delayBeforeRetry: null,
    warmup: null,
    delayLoop: null,
    logAllFailures: null,
  };
}

/** Mark a checker as one keepalived drops, with the reason. */
export function disable(c: Checker, why: string): void {
  if (c.usable) {
    c.usable = false;
    c.why = why;
  }
}

type WithConn = Checker & { conn: ConnOpts };

const famOf = (s: string | null): number => (s === null ? 0 : isIP(s));

const WORD = { connectIp: 'connect_ip', bindto: 'bindto' };

/** connect_ip / bindto: an address of the same family as the other one, if set. */
function connAddress(
  field: 'connectIp' | 'bindto',
  other: 'connectIp' | 'bindto',
): Handler<WithConn> {
  return (node, c, ctx) => {
    const t = node.args[0];
    if (!t || !isIP(t.text)) {
      cfgError(
        ctx,
        `Invalid ${WORD[field]} address ${t?.text ?? ''} - ignoring`,
        t?.pos ?? node.pos,
      );
      return;
    }
    if (c.conn[other] !== null && famOf(c.conn[other]) !== isIP(t.text)) {
      cfgError(
        ctx,
        `${WORD[field]} address ${t.text} does not match address family of ${WORD[other]} - skipping`,
        t.pos,
      );
      return;
    }
    c.conn[field] = t.text;
  };
}

export const connKeywords: Record<string, Handler<WithConn>> = {
  connect_ip: connAddress('connectIp', 'bindto'),
  connect_port: (node, c, ctx) => {
    const v = uintOpt(node, ctx, 1, 65535, (s) => `Invalid checker connect_port '${s}'`);
    if (v !== undefined) c.conn.connectPort = v;
  },
  bindto: connAddress('bindto', 'connectIp'),
  bind_port: (node, c, ctx) => {
    const v = uintOpt(node, ctx, 1, 65535, (s) => `Invalid checker bind_port '${s}'`);
    if (v !== undefined) c.conn.bindPort = v;
  },
  bind_if: (node, c, ctx) => {
    const t = node.args[0];
    if (!t) return;
    if (t.text.length > 15) {
      cfgError(ctx, `Interface name ${t.text} is too long - ignoring`, t.pos);
      return;
    }
    c.conn.bindIf = t.text;
  },
  connect_timeout: (node, c, ctx) => {
    const v = timerOpt(
      node,
      ctx,
      1e-6,
      (s) => `connect_timeout ${s} invalid - ignoring`,
      UINT_MAX / 1e6,
    );
    if (v !== undefined) c.conn.connectTimeout = v;
  },
  fwmark: (node, c, ctx) => {
    const v = uintOpt(node, ctx, 0, UINT_MAX, (s) => `Invalid fwmark connection value '${s}'`);
    if (v !== undefined) c.conn.fwmark = v;
  },
};

export const commonKeywords: Record<string, Handler<Checker>> = {
  retry: (node, c, ctx) => {
    const v = uintOpt(node, ctx, 0, UINT_MAX, (s) => `Invalid retry connection value '${s}'`);
    if (v !== undefined) c.retry = v;
  },
  delay_before_retry: (node, c, ctx) => {
    const v = timerOpt(node, ctx, 0, (s) => `Invalid delay_before_retry connection value '${s}'`);
    if (v !== undefined) c.delayBeforeRetry = v;
  },
  warmup: (node, c, ctx) => {
    const v = timerOpt(node, ctx, 0, (s) => `Invalid warmup connection value '${s}'`);
    if (v !== undefined) c.warmup = v;
  },
  delay_loop: (node, c, ctx) => {
    const v = timerOpt(node, ctx, 1e-6, (s) => `delay_loop '${s}' is invalid - ignoring`);
    if (v !== undefined) c.delayLoop = v;
  },
  alpha: (node, c, ctx) => {
    const v = boolOpt(node, ctx, 'alpha');
    if (v !== undefined) c.alpha = v;
  },
  log_all_failures: (node, c, ctx) => {
    const v = boolOpt(node, ctx, 'log_all_failures');
    if (v !== undefined) c.logAllFailures = v;
  },
};

/**
 * A checker keyword handler: build the checker, walk its block with the
 * common keywords (+ connection ones) + its own, run its end check, then
 * attach it to the real server (unusable ones too, marked).
 */
export function checkerHandler<C extends Checker>(opts: {
  name: string;
  make: (node: ConfNode, t: RsTarget) => C;
  keywords: Record<string, Handler<C>>;
  connection: boolean;
  end?: (c: C, node: ConfNode, t: RsTarget, ctx: ParseCtx) => void;
}): Handler<RsTarget> {
  const spec: BlockSpec<C> = {
    name: opts.name,
    keywords: {
      ...(commonKeywords as Record<string, Handler<C>>),
      ...(opts.connection ? (connKeywords as unknown as Record<string, Handler<C>>) : {}),
      ...opts.keywords,
    },
  };
  return (node, t, ctx) => {
    const c = opts.make(node, t);
    t.rs.checkers.push(c);
    walkBlock(node.children ?? [], spec, c, ctx);
    opts.end?.(c, node, t, ctx);
    if (opts.connection && 'conn' in c) checkConnOpts(c, t, ctx);
  };
}

/** keepalived: an IPv6 link-local target needs bind_if. */
function checkConnOpts(c: WithConn, t: RsTarget, ctx: ParseCtx): void {
  const dst = c.conn.connectIp ?? t.rs.address;
  if (/^fe[89ab]/i.test(dst) && isIP(dst) === 6 && c.conn.bindIf === null) {
    cfgError(ctx, `Checker link local address ${dst} requires a bind_if`, c.pos);
    disable(c, 'link-local address without bind_if');
  }
}
