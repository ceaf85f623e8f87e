/**
 * Keywords a `virtual_server` and a `real_server` block both take. Pure.
 *
 * The timing keys (retry, delay_before_retry, warmup, connect_timeout,
 * delay_loop) and smtp_alert, virtualhost, snmp_name are written the same
 * way in both blocks; a real server's unset ones inherit the virtual
 * server's in finalize, and a checker's inherit the real server's. Only
 * keepalived's wording differs: "virtual server delay loop" against
 * "real server delay_loop", so each side names its own.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import {
  boolOpt,
  cfgError,
  joinedWords,
  scriptValue,
  timerOpt,
  uintOpt,
  UINT_MAX,
} from './common.js';
import type { ScriptCommand, VirtualServer } from './types.js';

/** The fields both server blocks fill from these keywords. */
interface ServerFields {
  retry: number | null;
  delayBeforeRetry: number | null;
  warmup: number | null;
  connectTimeout: number | null;
  delayLoop: number | null;
  smtpAlert: boolean | null;
  virtualhost: string | null;
  snmpName: string | null;
}

/** keepalived's names for each side in its messages. */
const WORDING = {
  virtual: {
    who: 'virtual server',
    block: 'virtual_server',
    delayBeforeRetry: 'delay before retry',
    delayLoop: 'delay loop',
  },
  real: {
    who: 'real server',
    block: 'real_server',
    delayBeforeRetry: 'delay_before_retry',
    delayLoop: 'delay_loop',
  },
};

/** The shared keywords for one side; `at` picks the server out of the block's target. */
export function serverKeywords<T>(
  side: 'virtual' | 'real',
  at: (t: T) => ServerFields,
): Record<string, Handler<T>> {
  const w = WORDING[side];
  return {
    retry: (node, t, ctx) => {
      const v = uintOpt(node, ctx, 1, UINT_MAX, (s) => `retry value invalid - ${s}`);
      if (v !== undefined) at(t).retry = v;
    },
    delay_before_retry: (node, t, ctx) => {
      const v = timerOpt(
        node,
        ctx,
        0,
        (s) => `${w.who} ${w.delayBeforeRetry} '${s}' invalid - ignoring`,
      );
      if (v !== undefined) at(t).delayBeforeRetry = v;
    },
    warmup: (node, t, ctx) => {
      const v = timerOpt(node, ctx, 0, (s) => `${w.who} warmup '${s}' invalid - ignoring`);
      if (v !== undefined) at(t).warmup = v;
    },
    connect_timeout: (node, t, ctx) => {
      const v = timerOpt(
        node,
        ctx,
        1e-6,
        (s) => `${w.who} connect_timeout ${s} invalid - ignoring`,
        UINT_MAX / 1e6,
      );
      if (v !== undefined) at(t).connectTimeout = v;
    },
    delay_loop: (node, t, ctx) => {
      const v = timerOpt(
        node,
        ctx,
        1e-6,
        (s) => `${w.who} ${w.delayLoop} '${s}' invalid - ignoring`,
      );
      if (v !== undefined) at(t).delayLoop = v;
    },
    smtp_alert: (node, t, ctx) => {
      const v = boolOpt(node, ctx, `${w.block} smtp_alert`);
      if (v !== undefined) at(t).smtpAlert = v;
    },
    virtualhost: (node, t, ctx) => {
      const v = joinedWords(node, ctx, `${w.who} virtualhost missing`);
      if (v !== undefined) at(t).virtualhost = v;
    },
    snmp_name: (node, t, ctx) => {
      if (node.args.length !== 1) {
        return cfgError(ctx, `${w.who} snmp_name missing or extra parameters`, node.pos);
      }
      at(t).snmpName = node.args[0].text;
    },
  };
}

/**
 * A script keyword that may be written once (quorum_up/down on the VS,
 * notify_up/down on the RS); keepalived names the VS's group, or "(null)",
 * when it ignores a second one.
 */
export function scriptOnce<T, F extends string>(
  what: string,
  field: F,
  at: (t: T) => { vs: VirtualServer; srv: Record<F, ScriptCommand | null> },
): Handler<T> {
  return (node, t, ctx) => {
    const { vs, srv } = at(t);
    if (srv[field]) {
      const g = vs.key.kind === 'group' ? vs.key.group : '(null)';
      cfgError(
        ctx,
        `(${g}) ${what} script already specified - ignoring ${node.args[0]?.text ?? ''}`,
        node.pos,
        ErrorCodes.CONFIG_DUPLICATE,
      );
      return;
    }
    srv[field] = scriptValue(node, ctx) ?? null;
  };
}
