/**
 * Line-level text helpers of the preprocessor (keepalived 2.2.7's decomment,
 * include detection and brace splitting). Pure.
 *
 * Difference: keepalived turns `\#`/`\!` into `#`/`!` here already; we keep
 * the escape so that the lexer (which strips comments again) still sees it.
 * The visible effect: a `\#` inside a `$NAME` value survives in stayalive,
 * while keepalived cuts the line there when the value is substituted.
 */

export interface Decommented {
  /** Text with leading blanks, comment and trailing blanks removed. */
  text: string;
  /** Number of leading characters removed (for column numbers). */
  lead: number;
  /** True if a `"` was left open. */
  openQuote: boolean;
}

const isBlank = (c: string | undefined): boolean => c === ' ' || c === '\t';

/**
 * Remove the comment (first `#`/`!` outside `"…"`) and surrounding blanks.
 * A `\` ending the line is kept, glued to the text before it (keepalived
 * turns `interface \` into `interface\`), even after a comment.
 */
export function decomment(raw: string): Decommented {
  let lead = 0;
  while (isBlank(raw[lead])) lead++;
  const s = raw.slice(lead);
  let quote = false;
  let skip = -1;
  let cut = s.length;
  let cont = false;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      if (skip < 0) quote = !quote;
    } else if (c === '\\') {
      if (i + 1 < s.length) i++;
      else {
        cut = i;
        cont = true;
      }
    } else if ((c === '#' || c === '!') && !quote && skip < 0) skip = i;
  }
  let text = s.slice(0, skip >= 0 ? Math.min(skip, cut) : cut);
  let end = text.length;
  while (end > 0 && isBlank(text[end - 1])) end--;
  text = text.slice(0, end);
  if (cont) text += '\\';
  return { text, lead, openQuote: quote };
}

/** keepalived's is_include(): `include` or `include[rmwba]` then a blank. */
export function includeKind(buf: string): string | undefined {
  if (!buf.startsWith('include')) return undefined;
  const c7 = buf[7];
  if (c7 === undefined) return undefined;
  if (/\s/.test(c7)) return 'include';
  if ('rmwba'.includes(c7) && buf[8] !== undefined && /\s/.test(buf[8])) return `include${c7}`;
  return undefined;
}

/**
 * keepalived splits a line at its first `{` or `}` outside `"…"`: the text
 * before it is one line, and the brace with the rest comes back as the next
 * line (and is preprocessed again: `x { @id y` applies the condition to `y`).
 * Returns the piece to use now and the residue with its offset in `buf`.
 */
export function splitAtBrace(buf: string): { now: string; residue?: string; residueAt: number } {
  let p = -1;
  if (buf[0] === '{' || buf[0] === '}') p = 0;
  else {
    for (let i = 0; i < buf.length; i++) {
      const c = buf[i];
      if (c === '"') {
        const close = buf.indexOf('"', i + 1);
        if (close < 0) break;
        i = close;
      } else if (c === '{' || c === '}') {
        p = i;
        break;
      }
    }
  }
  const trimEnd = (t: string): string => t.replace(/[ \t]+$/, '');
  if (p < 0) return { now: trimEnd(buf), residueAt: 0 };
  let skip = 0;
  if (p === 0) {
    skip = 1;
    while (isBlank(buf[skip])) skip++;
  }
  const rest = trimEnd(buf.slice(p + skip));
  if (rest === '') return { now: trimEnd(buf), residueAt: 0 };
  return { now: trimEnd(buf.slice(0, p + skip)), residue: rest, residueAt: p + skip };
}
