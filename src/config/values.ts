/**
 * Value parsers shared by every block. Pure.
 *
 * Each returns the parsed value, or `undefined` after reporting why (with
 * the token's position). Callers then keep the default, as keepalived does.
 * Durations in the model are seconds as numbers (fractional allowed,
 * rounded to keepalived's microsecond resolution).
 */
import { isIP } from './ip.js';
import { ErrorCodes } from '../core/errors.js';
import type { ParseCtx } from './schema.js';
import type { ConfNode, Token } from './tree.js';

const INT_RE = /^[+-]?\d+$/;
const DEC_RE = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function bad(ctx: ParseCtx, tok: Token, message: string): undefined {
  ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, message, tok.pos);
  return undefined;
}

/** The n-th argument, or a "missing value" warning at the keyword. */
export function arg(node: ConfNode, ctx: ParseCtx, n = 0): Token | undefined {
  const tok = node.args[n];
  if (!tok) {
    ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, `${node.keyword}: missing value`, node.pos);
  }
  return tok;
}

/** Integer in [min, max]: keepalived's "number 'x' outside range [min, max]". */
export function parseInteger(
  tok: Token | undefined,
  ctx: ParseCtx,
  min: number,
  max: number,
): number | undefined {
  if (!tok) return undefined;
  if (!INT_RE.test(tok.text)) return bad(ctx, tok, `invalid number '${tok.text}'`);
  const n = Number(tok.text);
  if (n < min || n > max)
    return bad(ctx, tok, `number '${tok.text}' outside range [${min}, ${max}]`);
  return n;
}

/** Decimal number in [min, max]. */
export function parseDecimal(
  tok: Token | undefined,
  ctx: ParseCtx,
  min: number,
  max: number,
): number | undefined {
  if (!tok) return undefined;
  if (!DEC_RE.test(tok.text)) return bad(ctx, tok, `invalid number '${tok.text}'`);
  const n = Number(tok.text);
  if (n < min || n > max)
    return bad(ctx, tok, `number '${tok.text}' outside range [${min}, ${max}]`);
  return n;
}

/** keepalived's <TIMER>: decimal seconds, microsecond resolution. */
export function parseTimer(
  tok: Token | undefined,
  ctx: ParseCtx,
  min = 0,
  max = Number.MAX_SAFE_INTEGER / 1e6,
): number | undefined {
  const n = parseDecimal(tok, ctx, min, max);
  return n === undefined ? undefined : Math.round(n * 1e6) / 1e6;
}

const TRUE_WORDS = new Set(['on', 'true', 'yes']);
const FALSE_WORDS = new Set(['off', 'false', 'no']);

/**
 * keepalived's optional <BOOL>: no argument means true; on|true|yes and
 * off|false|no otherwise; anything else is "Invalid value for X specified".
 */
export function parseBoolFlag(node: ConfNode, ctx: ParseCtx): boolean | undefined {
  const tok = node.args[0];
  if (!tok) return true;
  const w = tok.text.toLowerCase();
  if (TRUE_WORDS.has(w)) return true;
  if (FALSE_WORDS.has(w)) return false;
  return bad(ctx, tok, `Invalid value for ${node.keyword} specified`);
}

/** An IPv4 or IPv6 address literal (no prefix). */
export function parseAddress(tok: Token | undefined, ctx: ParseCtx): string | undefined {
  if (!tok) return undefined;
  if (!isIP(tok.text)) return bad(ctx, tok, `invalid IP address '${tok.text}'`);
  return tok.text;
}

/** `IP[/len]`: returns the address, family and prefix length (default host length). */
export function parsePrefix(
  tok: Token | undefined,
  ctx: ParseCtx,
): { address: string; prefixLength: number; family: 4 | 6 } | undefined {
  if (!tok) return undefined;
  const [addr, len, extra] = tok.text.split('/');
  const family = isIP(addr ?? '');
  if (!family || extra !== undefined) return bad(ctx, tok, `invalid address '${tok.text}'`);
  const max = family === 4 ? 32 : 128;
  if (len === undefined) return { address: addr, prefixLength: max, family };
  if (!INT_RE.test(len) || Number(len) < 0 || Number(len) > max) {
    return bad(ctx, tok, `invalid prefix length in '${tok.text}'`);
  }
  return { address: addr, prefixLength: Number(len), family };
}

/** One word from a fixed set (case-insensitive), returned in the set's spelling. */
export function parseEnum<T extends string>(
  tok: Token | undefined,
  ctx: ParseCtx,
  choices: readonly T[],
  what: string,
): T | undefined {
  if (!tok) return undefined;
  const hit = choices.find((c) => c.toLowerCase() === tok.text.toLowerCase());
  if (!hit) return bad(ctx, tok, `invalid ${what} '${tok.text}' (expected ${choices.join('|')})`);
  return hit;
}

/**
 * `[all] SECS` of global_defs' `vrrp_garp_extra_if` and an instance's
 * `garp_extra_if`, after the deprecation warning for the old spelling
 * `deprecated` (named by `current`). Returns `interval: undefined` when no
 * number was written (each caller words that message its own way), or
 * undefined after reporting a bad number.
 */
export function parseGarpExtraIf(
  node: ConfNode,
  ctx: ParseCtx,
  names: { deprecated: string; current: string },
  minSecs: number,
): { all: boolean; interval: number | undefined } | undefined {
  if (node.keyword === names.deprecated) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_DEPRECATED,
      `Keyword "${names.deprecated}" is deprecated - please use "${names.current}"`,
      node.pos,
    );
  }
  let all = false;
  let interval: number | undefined;
  for (const t of node.args) {
    if (t.text === 'all') all = true;
    else {
      const v = parseInteger(t, ctx, minSecs, 86400);
      if (v === undefined) return undefined;
      interval = v;
    }
  }
  return { all, interval };
}
