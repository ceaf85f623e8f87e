/**
 * Script-like values (`script`, `notify*`, `*_script`): the command text,
 * a shell-like argv, and the optional `user [group]` words that follow it.
 * Pure.
 *
 * keepalived splits these with shell-like rules (single and double quotes
 * group, backslash escapes): config/script-words.ts does the splitting.
 */
import { ErrorCodes } from '../../core/errors.js';
import { DiagnosticSink, type Position } from '../diagnostics.js';
import { splitScriptWords } from '../script-words.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';

const NO_POS: Position = { file: '', line: 0, col: 0 };

export interface ScriptValue {
  /** The raw text after the keyword (quotes kept). */
  command: string;
  /** The command split into words (the first is the program). */
  argv: string[];
  /** `user [group]` given after the command, if any. */
  user: string | null;
  group: string | null;
  pos: Position;
}

/**
 * Shell-like word split with keepalived's rules for script values (both quote
 * kinds group, escapes, adjacent pieces join); undefined on an unterminated quote.
 */
export function splitWords(text: string, pos: Position = NO_POS): string[] | undefined {
  const sink = new DiagnosticSink();
  const words = splitScriptWords(text, pos, sink);
  return sink.items.length ? undefined : words;
}

/**
 * Parse `CMD [user [group]]`. keepalived takes the first shell word as the
 * whole command (quote it to pass arguments) and any following words as
 * user and group.
 */
export function parseScriptValue(node: ConfNode, ctx: ParseCtx): ScriptValue | undefined {
  const words = splitWords(node.rest);
  if (words === undefined) {
    ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `${node.keyword}: unterminated quote`, node.restPos);
    return undefined;
  }
  if (words.length === 0 || words[0] === '') {
    ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, `${node.keyword}: missing script`, node.pos);
    return undefined;
  }
  const argv = splitWords(words[0]) ?? [words[0]];
  if (words.length > 3) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `${node.keyword}: too many words after the script (quote the command to pass arguments)`,
      node.restPos,
    );
  }
  return {
    command: words[0],
    argv,
    user: words[1] ?? null,
    group: words[2] ?? null,
    pos: node.restPos,
  };
}

/** The whole rest is the command (vrrp_script `script`): every word is argv. */
export function parseCommandLine(node: ConfNode, ctx: ParseCtx): ScriptValue | undefined {
  const words = splitWords(node.rest);
  if (words === undefined) {
    ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `${node.keyword}: unterminated quote`, node.restPos);
    return undefined;
  }
  if (words.length === 0) return undefined;
  // A single quoted word holding spaces is "CMD ARGS" written as one string.
  const argv = words.length === 1 ? (splitWords(words[0]) ?? words) : words;
  return { command: node.rest.trim(), argv, user: null, group: null, pos: node.restPos };
}
