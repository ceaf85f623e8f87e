/**
 * Pattern expansion for `include` lines, modelled on what glibc's glob()
 * does for keepalived 2.2.7 (GLOB_MARK | GLOB_BRACE | GLOB_ALTDIRFUNC). Pure:
 * the directory walk goes through the injected `ConfigFs`.
 *
 * What keepalived relies on, and is reproduced here:
 * - csh braces `{a,b}` (nested) expand first; each alternative is matched on
 *   its own, sorted on its own, and the results are concatenated in order.
 *   A brace with no matching `}` leaves the whole pattern literal.
 * - `*`, `?`, `[...]` (`!`/`^` negation, ranges, `[:class:]`), `\` escapes.
 *   Wildcards never match a leading `.`.
 * - Directories in the result carry a trailing `/` (GLOB_MARK).
 * - keepalived counts directories that could not be opened and literal names
 *   that do not exist (its gl_opendir/gl_lstat hooks); those counters decide
 *   which include check a miss belongs to, so they are returned.
 * Difference: existence of a literal name is `isDir || readFile !== undefined`,
 * so an unreadable file counts as missing here rather than "open problem".
 */
import type { ConfigFs } from './source.js';

export interface GlobResult {
  /** Matches, resolved against `cwd`; directories end in `/`. */
  paths: string[];
  /** Literal path components that did not exist. */
  missingFiles: number;
  /** Directories that could not be listed. */
  missingDirs: number;
  /** True if any component needed a directory listing. */
  haveWildcards: boolean;
}

/** Join a directory ('' = the process's working directory) and a path. */
export function joinPath(dir: string, p: string): string {
  if (p.startsWith('/') || dir === '' || dir === '.') return p;
  return dir.endsWith('/') ? dir + p : `${dir}/${p}`;
}

/** Directory part of a path, '' if it has none (keepalived then keeps its cwd). */
export function dirName(p: string): string {
  const s = p.replace(/\/+$/, '');
  const i = s.lastIndexOf('/');
  if (i < 0) return '';
  return i === 0 ? '/' : s.slice(0, i);
}

/** keepalived's have_brace(): an unescaped `{` anywhere. */
export function hasBrace(pattern: string): boolean {
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{') return true;
  }
  return false;
}

/** Index of the `}` closing the brace at `open`, or -1. */
function closingBrace(p: string, open: number): number {
  let depth = 0;
  for (let i = open; i < p.length; i++) {
    const c = p[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}' && --depth === 0) return i;
  }
  return -1;
}

/** Expand csh-style braces; an unbalanced `{` leaves the pattern as it is. */
export function expandBraces(pattern: string): string[] {
  let open = -1;
  for (let i = 0; i < pattern.length; i++) {
    if (pattern[i] === '\\') i++;
    else if (pattern[i] === '{') {
      open = i;
      break;
    }
  }
  if (open < 0) return [pattern];
  const close = closingBrace(pattern, open);
  if (close < 0) return [pattern];
  const alts: string[] = [];
  let depth = 0;
  let start = open + 1;
  for (let i = open + 1; i < close; i++) {
    const c = pattern[i];
    if (c === '\\') i++;
    else if (c === '{') depth++;
    else if (c === '}') depth--;
    else if (c === ',' && depth === 0) {
      alts.push(pattern.slice(start, i));
      start = i + 1;
    }
  }
  alts.push(pattern.slice(start, close));
  const head = pattern.slice(0, open);
  const tail = pattern.slice(close + 1);
  return alts.flatMap((a) => expandBraces(head + a + tail));
}

const CLASSES: Record<string, RegExp> = {
  alpha: /[A-Za-z]/,
  digit: /[0-9]/,
  alnum: /[A-Za-z0-9]/,
  upper: /[A-Z]/,
  lower: /[a-z]/,
  space: /[ \t\n\r\f\v]/,
  blank: /[ \t]/,
  punct: /[!-/:-@[-`{-~]/,
  xdigit: /[0-9A-Fa-f]/,
  print: /[ -~]/,
  graph: /[!-~]/,
  cntrl: /[\x00-\x1f\x7f]/, // eslint-disable-line no-control-regex
};

/** Parse a `[...]` set at `i` (pointing at `[`): end index after `]` and a tester, or null. */
function bracket(pat: string, i: number): { end: number; test: (c: string) => boolean } | null {
  let j = i + 1;
  let negate = false;
  if (pat[j] === '!' || pat[j] === '^') {
    negate = true;
    j++;
  }
  const tests: ((c: string) => boolean)[] = [];
  let first = true;
  while (j < pat.length) {
    let c = pat[j];
    if (c === ']' && !first) {
      return { end: j + 1, test: (ch) => tests.some((t) => t(ch)) !== negate };
    }
    first = false;
    if (c === '[' && pat[j + 1] === ':') {
      const close = pat.indexOf(':]', j + 2);
      const re = close > 0 ? CLASSES[pat.slice(j + 2, close)] : undefined;
      if (re) {
        tests.push((ch) => re.test(ch));
        j = close + 2;
        continue;
      }
    }
    if (c === '\\' && j + 1 < pat.length) c = pat[++j];
    if (pat[j + 1] === '-' && pat[j + 2] !== undefined && pat[j + 2] !== ']') {
      let hi = pat[j + 2];
      let k = j + 3;
      if (hi === '\\' && k < pat.length) hi = pat[k++];
      const lo = c;
      tests.push((ch) => ch >= lo && ch <= hi);
      j = k;
      continue;
    }
    const lit = c;
    tests.push((ch) => ch === lit);
    j++;
  }
  return null;
}

/** True if the component needs a directory listing (glibc's "magic"). */
export function hasMagic(comp: string): boolean {
  for (let i = 0; i < comp.length; i++) {
    const c = comp[i];
    if (c === '\\') i++;
    else if (c === '*' || c === '?') return true;
    else if (c === '[' && bracket(comp, i)) return true;
  }
  return false;
}

function unescape(comp: string): string {
  return comp.replace(/\\(.)/g, '$1');
}

/** fnmatch() of one path component, with FNM_PERIOD semantics for a leading dot. */
export function matchComponent(name: string, pat: string): boolean {
  if (name.startsWith('.') && !pat.startsWith('.') && !pat.startsWith('\\.')) return false;
  const go = (ni: number, pi: number): boolean => {
    while (pi < pat.length) {
      const c = pat[pi];
      if (c === '*') {
        while (pat[pi] === '*') pi++;
        if (pi === pat.length) return true;
        for (let k = ni; k <= name.length; k++) if (go(k, pi)) return true;
        return false;
      }
      if (ni >= name.length) return false;
      if (c === '?') {
        ni++;
        pi++;
        continue;
      }
      if (c === '[') {
        const b = bracket(pat, pi);
        if (b) {
          if (!b.test(name[ni])) return false;
          ni++;
          pi = b.end;
          continue;
        }
      }
      let lit = c;
      if (c === '\\' && pi + 1 < pat.length) lit = pat[++pi];
      if (name[ni] !== lit) return false;
      ni++;
      pi++;
    }
    return ni === name.length;
  };
  return go(0, 0);
}

interface Counters {
  missingFiles: number;
  missingDirs: number;
  haveWildcards: boolean;
}

/** One brace-free pattern; returns sorted matches relative to the pattern's own form. */
function globNoBrace(pattern: string, cwd: string, fs: ConfigFs, st: Counters): string[] {
  const abs = pattern.startsWith('/');
  const comps = pattern.split('/').filter((c) => c !== '');
  const wantDir = pattern.endsWith('/') && comps.length > 0;
  let bases: string[] = [abs ? '/' : ''];
  let magicSeen = false;
  const exists = (p: string): boolean => {
    const r = joinPath(cwd, p);
    return fs.isDir(r) || fs.readFile(r) !== undefined;
  };
  for (let i = 0; i < comps.length; i++) {
    const comp = comps[i];
    const last = i === comps.length - 1;
    const next: string[] = [];
    if (hasMagic(comp)) {
      magicSeen = true;
      st.haveWildcards = true;
      for (const b of bases) {
        const names = fs.listDir(b === '' ? cwd || '.' : joinPath(cwd, b));
        if (names === undefined) {
          st.missingDirs++;
          continue;
        }
        for (const n of names) {
          if (!matchComponent(n, comp)) continue;
          const p = b + n;
          // Intermediate wildcard components only walk into directories (GLOB_ONLYDIR).
          if ((!last || wantDir) && !fs.isDir(joinPath(cwd, p))) continue;
          next.push(p);
        }
      }
    } else {
      const lit = unescape(comp);
      if (!magicSeen && !last) {
        bases = bases.map((b) => `${b}${lit}/`);
        continue;
      }
      for (const b of bases) {
        const p = b + lit;
        if (exists(p)) next.push(p);
        else st.missingFiles++;
      }
    }
    bases = last ? next : next.map((p) => `${p}/`);
  }
  if (comps.length === 0) bases = abs ? ['/'] : [];
  return bases
    .map((p) => {
      const r = joinPath(cwd, p);
      return fs.isDir(r) && !r.endsWith('/') ? `${r}/` : r;
    })
    .sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Expand an include pattern relative to `cwd` ('' = process cwd). */
export function globPattern(pattern: string, cwd: string, fs: ConfigFs): GlobResult {
  const st: Counters = { missingFiles: 0, missingDirs: 0, haveWildcards: false };
  const paths = expandBraces(pattern).flatMap((p) => globNoBrace(p, cwd, fs, st));
  return { paths, ...st };
}
