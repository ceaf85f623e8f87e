/**
 * keepalived's lexical rules, one physical line at a time. Pure.
 *
 * - A comment starts at the first `#` or `!` outside double quotes (`\#` and
 *   `\!` stand for the characters themselves).
 * - A `{` or `}` outside quotes splits the line: the text before it is a line
 *   of its own, then the brace, then the rest.
 * - Words split on blanks; only double quotes group (and are removed);
 *   quoted and unquoted pieces next to each other join into one word.
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
    if (c === '\\' && (text[i + 1] === '#' || text[i + 1] === '!') && !inQuote) {
      out += '\\' + text[i + 1]; // keep the escape so splitting below does not see a comment
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

/** Split a segment (no braces outside quotes) into tokens. */
function words(
  seg: string,
  file: string,
  line: number,
  colBase: number,
  diag: DiagnosticSink,
): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < seg.length) {
    while (i < seg.length && isBlank(seg[i])) i++;
    if (i >= seg.length) break;
    const start = i;
    let text = '';
    let quoted = false;
    while (i < seg.length && !isBlank(seg[i])) {
      if (seg[i] === '"') {
        quoted = true;
        const close = seg.indexOf('"', i + 1);
        if (close < 0) {
          diag.error(ErrorCodes.CONFIG_SYNTAX, 'Unmatched quote', {
            file,
            line,
            col: colBase + i,
          });
          text += seg.slice(i + 1);
          i = seg.length;
          break;
        }
        text += seg.slice(i + 1, close);
        i = close + 1;
      } else if (seg[i] === '\\' && (seg[i + 1] === '#' || seg[i + 1] === '!')) {
        text += seg[i + 1];
        i += 2;
      } else {
        text += seg[i++];
      }
    }
    out.push({ text, quoted, pos: { file, line, col: colBase + start } });
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
    const kw = tokens[0];
    const restIdx = seg.indexOf(kw.text) + kw.text.length;
    const lead = seg.slice(restIdx).match(/^[ \t]*/)?.[0].length ?? 0;
    const restStart = segStart + Math.max(restIdx, 0) + lead;
    items.push({
      kind: 'words',
      tokens,
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
  let extraOpens = 0;
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
  extraOpens = stack.length - 1;
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
