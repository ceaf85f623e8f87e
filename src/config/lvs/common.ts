/**
 * Helpers shared by the LVS and checker keyword tables. Pure.
 *
 * Messages follow keepalived's wording so users can grep for them. Problems
 * keepalived reports with report_config_error() count toward `-t`'s exit
 * code ('error' → 5); the ones it only logs are 'info'.
 */
import { ErrorCodes, type ErrorCode } from '../../core/errors.js';
import { isIP } from '../ip.js';
import type { Position } from '../diagnostics.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode, Token } from '../tree.js';
import { parseInteger, parseTimer } from '../values.js';
import { splitScriptWords } from '../script-words.js';
import type { Family, Forwarding, ScriptCommand } from './types.js';

export const WEIGHT_LIMIT = 2147483647; // IPVS_WEIGHT_MAX is INT32_MAX
export const UINT_MAX = 4294967295;

/** report_config_error(): counts toward the `-t` verdict. */
export function cfgError(
  ctx: ParseCtx,
  message: string,
  pos?: Position,
  code: ErrorCode = ErrorCodes.CONFIG_BAD_VALUE,
): void {
  ctx.diag.error(code, message, pos);
}

/** log_message(): printed, does not change the verdict. */
export function cfgInfo(
  ctx: ParseCtx,
  message: string,
  pos?: Position,
  code: ErrorCode = ErrorCodes.CONFIG_BAD_VALUE,
): void {
  ctx.diag.info(code, message, pos);
}

/** The value word of a keyword, or keepalived's message at the keyword. */
export function valueTok(node: ConfNode, ctx: ParseCtx, missing: string): Token | undefined {
  const tok = node.args[0];
  if (!tok) cfgError(ctx, missing, node.pos);
  return tok;
}

const TRUE_WORDS = ['true', 'on', 'yes'];
const FALSE_WORDS = ['false', 'off', 'no'];

/** Optional <BOOL> with a per-keyword message, e.g. "Invalid alpha parameter x". */
export function boolOpt(node: ConfNode, ctx: ParseCtx, what: string): boolean | undefined {
  const tok = node.args[0];
  if (!tok) return true;
  const w = tok.text.toLowerCase();
  if (TRUE_WORDS.includes(w)) return true;
  if (FALSE_WORDS.includes(w)) return false;
  cfgError(ctx, `Invalid ${what} parameter ${tok.text}`, tok.pos);
  return undefined;
}

/** A timer with keepalived's second, handler-specific message on failure. */
export function timerOpt(
  node: ConfNode,
  ctx: ParseCtx,
  min: number,
  message: (v: string) => string,
  max?: number,
): number | undefined {
  return withMessage(node, ctx, 0, message, (tok) => parseTimer(tok, ctx, min, max));
}

/** An unsigned integer with keepalived's handler message on failure. */
export function uintOpt(
  node: ConfNode,
  ctx: ParseCtx,
  min: number,
  max: number,
  message: (v: string) => string,
  index = 0,
): number | undefined {
  return withMessage(node, ctx, index, message, (tok) => parseInteger(tok, ctx, min, max));
}

/** Word `index` through `parse`, then the handler's message when it is missing or bad. */
function withMessage(
  node: ConfNode,
  ctx: ParseCtx,
  index: number,
  message: (v: string) => string,
  parse: (tok: Token) => number | undefined,
): number | undefined {
  const tok = node.args[index];
  if (!tok) {
    cfgError(ctx, message(''), node.pos);
    return undefined;
  }
  const v = parse(tok);
  if (v === undefined) cfgError(ctx, message(tok.text), tok.pos);
  return v;
}

/** All the value words joined by one space (virtualhost, helo_name), or keepalived's message when none. */
export function joinedWords(node: ConfNode, ctx: ParseCtx, missing: string): string | undefined {
  if (!node.args.length) {
    cfgError(ctx, missing, node.pos);
    return undefined;
  }
  return node.args.map((a) => a.text).join(' ');
}

/**
 * A script-like value: raw text plus keepalived's shell-like argv. A value
 * the splitter rejects (unterminated quote…) is dropped, as keepalived does.
 */
export function scriptValue(node: ConfNode, ctx: ParseCtx): ScriptCommand | undefined {
  // keepalived takes the first word (quote it to pass arguments: `misc_path "/x.sh arg"`) and
  // splits that again into the program and its arguments; later words are user and group.
  const words = splitScriptWords(node.rest, node.restPos, ctx.diag);
  if (!words || words.length === 0) return undefined;
  const argv = splitScriptWords(words[0], node.restPos, ctx.diag);
  if (!argv || argv.length === 0) return undefined;
  return {
    command: node.rest.trim(),
    argv,
    user: words[1] ?? null,
    group: words[2] ?? null,
    pos: node.restPos,
  };
}

/** `IP [PORT]`: a port of all zeros means "no port" (keepalived ≥ 2.0.7). */
export function parseServer(
  ipText: string,
  portText: string | undefined,
): { address: string; family: Family; port: number } | undefined {
  const family = isIP(ipText);
  if (!family) return undefined;
  let port = 0;
  if (portText !== undefined && !/^0+$/.test(portText)) {
    if (!/^\d+$/.test(portText)) return undefined;
    port = Number(portText);
    if (port < 1 || port > 65535) return undefined;
  }
  return { address: ipText, family, port };
}

export function defaultForwarding(method: Forwarding['method']): Forwarding {
  return { method, tunnelType: 'ipip', tunnelPort: 0, tunnelChecksum: 'nocsum' };
}

/**
 * `NAT|DR|TUN [type ipip|gue|gre] [port N] [nocsum|csum|remcsum]`.
 * Tunnel options not written keep their previous values (keepalived
 * preserves them across repeated lvs_method lines).
 */
export function parseForwarding(
  node: ConfNode,
  ctx: ParseCtx,
  sType: 'virtual' | 'real' | 'sorry',
  prev: Forwarding | null,
): Forwarding | undefined {
  const first = node.args[0];
  if (!first) {
    cfgError(ctx, `PARSER : unknown [] routing method for ${sType} server.`, node.pos);
    return undefined;
  }
  if (first.text !== 'NAT' && first.text !== 'DR' && first.text !== 'TUN') {
    cfgError(
      ctx,
      `PARSER : unknown [${first.text}] routing method for ${sType} server.`,
      first.pos,
    );
    return undefined;
  }
  const method = first.text;
  // On a bad tunnel option keepalived has already set the method but keeps
  // the previous tunnel settings.
  const keep: Forwarding = {
    method,
    tunnelType: prev?.tunnelType ?? 'ipip',
    tunnelPort: prev?.tunnelPort ?? 0,
    tunnelChecksum: prev?.tunnelChecksum ?? 'nocsum',
  };
  const fail = (message: string, pos: Position): Forwarding => {
    cfgError(ctx, message, pos);
    return keep;
  };
  let tunnelType: Forwarding['tunnelType'] = 'ipip';
  let tunnelPort = 0;
  let tunnelChecksum: Forwarding['tunnelChecksum'] = 'nocsum';
  const a = node.args;
  for (let i = 1; i < a.length; i++) {
    const w = a[i].text;
    if (w === 'type') {
      const t = a[i + 1];
      if (!t) return fail(`Missing tunnel type for ${sType} server.`, a[i].pos);
      if (t.text !== 'ipip' && t.text !== 'gue' && t.text !== 'gre') {
        return fail(`Unknown tunnel type ${t.text} for ${sType} server.`, t.pos);
      }
      tunnelType = t.text;
      i++;
    } else if (w === 'port') {
      const t = a[i + 1];
      if (!t) return fail(`Missing port for ${sType} server gue tunnel.`, a[i].pos);
      if (!/^\d+$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > 65535) {
        return fail(`Invalid gue tunnel port ${t.text} for ${sType} server.`, t.pos);
      }
      tunnelPort = Number(t.text);
      i++;
    } else if (w === 'nocsum' || w === 'csum' || w === 'remcsum') {
      tunnelChecksum = w;
    } else {
      return fail(`Invalid tunnel option ${w} for ${sType} server.`, a[i].pos);
    }
  }
  if ((tunnelType === 'gue') !== (tunnelPort !== 0)) {
    return fail('gue tunnels require port, otherwise cannot have port.', node.pos);
  }
  if (tunnelType === 'ipip' && tunnelChecksum !== 'nocsum') {
    return fail('ipip tunnels do not support checksum option.', node.pos);
  }
  if (tunnelType === 'gre' && tunnelChecksum === 'remcsum') {
    return fail('gre tunnels do not support remote checksum option.', node.pos);
  }
  return { method, tunnelType, tunnelPort, tunnelChecksum };
}
