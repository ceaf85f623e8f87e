/**
 * Small handler builders for keyword tables whose handlers just store one
 * value into one field. Pure. Each reports problems at the token's position
 * and keeps the previous value on error, as keepalived does.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import { arg, parseBoolFlag, parseInteger, parseTimer } from '../values.js';

type KeysOf<T, V> = { [K in keyof T]: T[K] extends V ? K : never }[keyof T];

/** A keyword that only sets a flag (extra words are ignored, as keepalived does). */
export function flag<T>(field: KeysOf<T, boolean>): Handler<T> {
  return (_node, target) => {
    (target as Record<typeof field, boolean>)[field] = true;
  };
}

/** `KEYWORD [<BOOL>]`: no word means true. */
export function boolOpt<T>(field: KeysOf<T, boolean | null>): Handler<T> {
  return (node, target, ctx) => {
    const v = parseBoolFlag(node, ctx);
    if (v !== undefined) (target as Record<typeof field, boolean>)[field] = v;
  };
}

export function intIn<T>(field: KeysOf<T, number | null>, min: number, max: number): Handler<T> {
  return (node, target, ctx) => {
    const v = parseInteger(arg(node, ctx), ctx, min, max);
    if (v !== undefined) (target as Record<typeof field, number>)[field] = v;
  };
}

/**
 * An integer where keepalived turns 0 into 1 with a warning, reported at the
 * value or (`warnAt` 'keyword', as for the GARP repeat counts) at the line.
 */
export function intAtLeastOne<T>(
  field: KeysOf<T, number | null>,
  max: number,
  warnAt: 'value' | 'keyword' = 'value',
): Handler<T> {
  return (node, target, ctx) => {
    let v = parseInteger(arg(node, ctx), ctx, 0, max);
    if (v === undefined) return;
    if (v === 0) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `${node.keyword} must be greater than 0, setting to 1`,
        warnAt === 'value' ? (node.args[0]?.pos ?? node.pos) : node.pos,
      );
      v = 1;
    }
    (target as Record<typeof field, number>)[field] = v;
  };
}

export function timerIn<T>(field: KeysOf<T, number | null>, min: number, max: number): Handler<T> {
  return (node, target, ctx) => {
    const v = parseTimer(arg(node, ctx), ctx, min, max);
    if (v !== undefined) (target as Record<typeof field, number>)[field] = v;
  };
}

export function word<T>(field: KeysOf<T, string | null>): Handler<T> {
  return (node, target, ctx) => {
    const tok = arg(node, ctx);
    if (tok) (target as Record<typeof field, string>)[field] = tok.text;
  };
}

/** Accepted and kept as written in `raw` (not interpreted yet). */
export function raw<T extends { raw: Record<string, string[][]> }>(): Handler<T> {
  return (node, target) => {
    const list = (target.raw[node.keyword] ??= []);
    list.push(node.args.map((t) => t.text));
    if (node.children) {
      for (const c of node.children) list.push([c.keyword, ...c.args.map((t) => t.text)]);
    }
  };
}
