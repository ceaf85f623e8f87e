/**
 * What the route and rule line grammars share (static_routes/rules and
 * virtual_routes/rules). Pure. keepalived reads both as one list of words in
 * which an option missing its value, or naming an unknown track_group…
 * drops or trims the line the same way, with the same wording.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';

export interface LineWords {
  /** The line's words, the keyword first. */
  readonly words: readonly string[];
  /** Index of the current word (-1 before the first `advance`). */
  i: number;
  /** Moves onto the next word; false past the last. */
  advance(): boolean;
  /** The current word. */
  readonly word: string;
  /** Moves onto the value after the current word, or warns (and gives undefined) at the end. */
  value(): string | undefined;
  /** A bad-value warning at the line. */
  warn(m: string): void;
}

export function lineWords(node: ConfNode, ctx: ParseCtx, what: 'route' | 'rule'): LineWords {
  const words = [node.keyword, ...node.args.map((t) => t.text)];
  const warn = (m: string): void => ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.pos);
  const lw: LineWords = {
    words,
    i: -1,
    advance: () => ++lw.i < words.length,
    get word() {
      return words[lw.i];
    },
    value: () => {
      if (lw.i + 1 >= words.length) {
        warn(`No value specified for ${words[lw.i]} in ${what} - skipping`);
        return undefined;
      }
      return words[++lw.i];
    },
    warn,
  };
  return lw;
}

/** A 32-bit unsigned number as `ip` takes it (metric, preference), or undefined. */
export function u32(v: string): number | undefined {
  return /^\d+$/.test(v) && Number(v) <= 0xffffffff ? Number(v) : undefined;
}

/**
 * `no_track`, or `track_group NAME` (static lines only; the group must be
 * defined above). False when the line must be dropped (no name).
 */
export function trackOption(
  ctx: ParseCtx,
  lw: LineWords,
  r: { noTrack: boolean; trackGroup: string | null },
): boolean {
  if (lw.word === 'no_track') {
    r.noTrack = true;
    return true;
  }
  const v = lw.value();
  if (v === undefined) return false;
  if (Object.prototype.hasOwnProperty.call(ctx.config.vrrp.trackGroups, v)) r.trackGroup = v;
  else lw.warn(`track_group ${v} not found`);
  return true;
}
