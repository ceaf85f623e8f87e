/**
 * keepalived's lexical rules, one physical line at a time. Pure.
 *
 * - A comment starts at the first `#` or `!` outside double quotes (`\#` and
 *   `\!` stand for the characters themselves).
 * - A `{` or `}` outside quotes splits the line: the text before it is a line
 *   of its own, then the brace, then the rest.
 * - Words split on blanks; only double quotes group (and are removed). A
 *   quote also ends an unquoted word: `a"b c"` is two words, `a` and `b c`
 *   (keepalived's alloc_strvec_r; only script-like values join pieces).
 */
import { ErrorCodes } from '../core/errors.js';
import type { DiagnosticSink, Position } from './diagnostics.js';
import type { ConfNode, Token } from './tree.js';

export type LexItem =
  | { kind: 'words'; tokens: Token[]; rest: string; restPos: Position }
  | { kind: 'open'; pos: Position }
  | { kind: 'close'; pos: Position };

/** Text of the line with the comment removed (escapes for # and ! resolved). */
function stripComment(text: string): string {
  let out = '';
  let inQuote = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '\\' && i + 1 < text.length) {
      // keepalived's decomment() skips an escaped pair as a whole, so `\"` does not
      // toggle quoting and `\#` does not start a comment; splitting resolves `\#`.
      out += c + text[i + 1];
      i++;
      continue;
    }
    if (c === '"') inQuote = !inQuote;
    else if (!inQuote && (c === '#' || c === '!')) break;
    out += c;
  }
  return out;
}

function isBlank(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n' || c === '\v' || c === '\f';
}

/**
 * Split a segment (no braces outside quotes) into tokens, as keepalived's
 * alloc_strvec_r(): a `"` ends an unquoted word and starts a quoted one, which
 * ends at the next `"` (so `ab"c d"e` is `ab`, `c d`, `e`). An unmatched quote
 * is an error and drops the rest of the line. `end` is the index after each token.
 */
function words(
  seg: string,
  file: string,
  line: number,
  colBase: number,
  diag: DiagnosticSink,
): (Token & { end: number })[] {
  const out: (Token & { end: number })[] = [];
  let i = 0;
  while (i < seg.length) {
    while (i < seg.length && isBlank(seg[i])) i++;
    if (i >= seg.length) break;
    const start = i;
    const pos = { file, line, col: colBase + start };
    if (seg[i] === '"') {
      const close = seg.indexOf('"', i + 1);
      if (close < 0) {
        diag.error(ErrorCodes.CONFIG_SYNTAX, `Unmatched quote: '${seg.trim()}'`, pos);
        break;
      }
      out.push({ text: seg.slice(i + 1, close), quoted: true, pos, end: close + 1 });
      i = close + 1;
      continue;
    }
    let text = '';
    while (i < seg.length && !isBlank(seg[i]) && seg[i] !== '"') {
      if (seg[i] === '\\' && (seg[i + 1] === '#' || seg[i + 1] === '!')) {
        text += seg[i + 1];
        i += 2;
      } else {
        text += seg[i++];
      }
    }
    out.push({ text, quoted: false, pos, end: i });
  }
  return out;
}

/** Lex one physical line (1-based `line`) into words and braces. */
export function lexLine(
  raw: string,
  file: string,
  line: number,
  diag: DiagnosticSink,
  colOffset = 0,
): LexItem[] {
  const text = stripComment(raw);
  const items: LexItem[] = [];
  let segStart = 0;
  let inQuote = false;
  const flush = (end: number): void => {
    const seg = text.slice(segStart, end);
    const tokens = words(seg, file, line, colOffset + segStart + 1, diag);
    if (tokens.length === 0) return;
    const restIdx = tokens[0].end;
    const lead = seg.slice(restIdx).match(/^[ \t]*/)?.[0].length ?? 0;
    const restStart = segStart + restIdx + lead;
    items.push({
      kind: 'words',
      tokens: tokens.map(({ text, quoted, pos }) => ({ text, quoted, pos })),
      rest: text.slice(restStart, end).trimEnd(),
      restPos: { file, line, col: colOffset + restStart + 1 },
    });
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') inQuote = !inQuote;
    if (inQuote || (c !== '{' && c !== '}')) continue;
    flush(i);
    const pos = { file, line, col: colOffset + i + 1 };
    items.push(c === '{' ? { kind: 'open', pos } : { kind: 'close', pos });
    segStart = i + 1;
  }
  flush(text.length);
  return items;
}

/**
 * Assemble lexed items into nested nodes. A `{` opens a block on the line
 * before it (same line or the previous one, as keepalived allows).
 */
export function buildTree(items: Iterable<LexItem>, diag: DiagnosticSink): ConfNode[] {
  const root: ConfNode[] = [];
  const stack: ConfNode[][] = [root];
  const owners: (ConfNode | null)[] = [];
  let lastOpenPos: Position | undefined;
  for (const it of items) {
    const level = stack[stack.length - 1];
    if (it.kind === 'words') {
      const [kw, ...args] = it.tokens;
      level.push({ keyword: kw.text, args, pos: kw.pos, rest: it.rest, restPos: it.restPos });
    } else if (it.kind === 'open') {
      const owner = level[level.length - 1];
      lastOpenPos = it.pos;
      if (!owner || owner.children) {
        // keepalived: "Unexpected '{' - ignoring"; the block's lines then belong to nothing.
        diag.warn(ErrorCodes.CONFIG_SYNTAX, "Unexpected '{' - ignoring", it.pos);
        const orphan: ConfNode[] = [];
        stack.push(orphan);
        owners.push(null);
        continue;
      }
      owner.children = [];
      stack.push(owner.children);
      owners.push(owner);
    } else {
      if (stack.length === 1) {
        diag.warn(ErrorCodes.CONFIG_SYNTAX, "Extra '}' found", it.pos);
        continue;
      }
      stack.pop();
      owners.pop();
    }
  }
  const extraOpens = stack.length - 1;
  if (extraOpens > 0) {
    diag.warn(
      ErrorCodes.CONFIG_SYNTAX,
      `There are ${extraOpens} missing '}'s or extra '{'s`,
      lastOpenPos,
    );
  }
  return root;
}

/** Convenience for tests and tools: lex and build a whole text (no preprocessing). */
export function treeFromText(text: string, file: string, diag: DiagnosticSink): ConfNode[] {
  const items: LexItem[] = [];
  text.split('\n').forEach((l, i) => items.push(...lexLine(l, file, i + 1, diag)));
  return buildTree(items, diag);
}
