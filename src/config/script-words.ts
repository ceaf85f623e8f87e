/**
 * Splitting a script-like value (`script`, `notify*`, `misc_path`, …) into an
 * argv the way keepalived 2.2.7 does (alloc_strvec_quoted_escaped). Pure.
 *
 * - Words split on blanks; `"…"` and `'…'` group, and quoted and unquoted
 *   pieces next to each other join (`ab"c d"e` is one word `abc de`).
 * - `\` escapes work inside and outside quotes: `\a \b \E \f \n \r \t \v`,
 *   `\nnn` (up to three octal digits), `\xHH…` (all following hex digits, kept
 *   to one byte as keepalived's char arithmetic does), `\cC` (control-C);
 *   any other `\C` is `C` itself, so `\\` is `\` and `\"` does not quote.
 * - An unterminated quote or a `\` at the very end is an error; the value is
 *   then unusable (undefined), as keepalived drops it.
 */
import { ErrorCodes } from '../core/errors.js';
import type { DiagnosticSink, Position } from './diagnostics.js';

const SIMPLE: Record<string, string> = {
  a: '\x07',
  b: '\b',
  E: '\x1b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};

const isBlank = (c: string): boolean =>
  c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v';
const isHex = (c: string | undefined): boolean => c !== undefined && /[0-9a-fA-F]/.test(c);
const isOct = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '7';

export function splitScriptWords(
  rest: string,
  pos: Position,
  diag: DiagnosticSink,
): string[] | undefined {
  const out: string[] = [];
  let i = 0;
  const n = rest.length;
  while (i < n) {
    while (i < n && isBlank(rest[i])) i++;
    if (i >= n) break;
    let word = '';
    let quote = '';
    while (i < n) {
      const c = rest[i];
      if (c === '\\') {
        i++;
        if (i >= n) {
          diag.error(ErrorCodes.CONFIG_SYNTAX, `Missing escape char at end: '${rest}'`, pos);
          return undefined;
        }
        const e = rest[i];
        if (e === 'x' && isHex(rest[i + 1])) {
          let v = 0;
          i++;
          while (isHex(rest[i])) v = ((v << 4) | parseInt(rest[i++], 16)) & 0xff;
          word += String.fromCharCode(v);
        } else if (e === 'c' && i + 1 < n) {
          word += String.fromCharCode(rest.charCodeAt(i + 1) & 0x1f);
          i += 2;
        } else if (isOct(e)) {
          let v = 0;
          for (let k = 0; k < 3 && isOct(rest[i]); k++) v = v * 8 + Number(rest[i++]);
          word += String.fromCharCode(v & 0xff);
        } else {
          word += SIMPLE[e] ?? e;
          i++;
        }
        continue;
      }
      if (quote) {
        if (c === quote) quote = '';
        else word += c;
        i++;
        continue;
      }
      if (c === '"' || c === "'") {
        quote = c;
        i++;
        continue;
      }
      if (isBlank(c)) break;
      word += c;
      i++;
    }
    if (quote) {
      diag.error(ErrorCodes.CONFIG_SYNTAX, `String '${rest}': missing terminating ${quote}`, pos);
      return undefined;
    }
    out.push(word);
  }
  return out;
}
