/**
 * `$NAME=value` definitions and their substitution, as keepalived 2.2.7 does
 * it. Pure (predefined values come from callbacks).
 *
 * - A use is `$NAME` followed by blank, `,`, `)` or end of line, or `${NAME}`.
 *   Undefined names stay as written.
 * - Substitution rescans the inserted text, so values expand recursively at
 *   use time. A self-referencing value would loop for ever in keepalived; here
 *   it stops after MAX_STEPS and is reported.
 * - A multi-line value (definition ending in `\`) is used only when the use
 *   ends the line; its first line replaces the use, the others follow as lines.
 * - Only `${_RANDOM [MIN [MAX]]}` takes parameters. The 2.2.7 man page
 *   documents no user-defined parameterised macros, and the binary has none.
 *   keepalived 2.2.7 garbles text that follows a `${_RANDOM a b}` use (its
 *   in-place copy is off); here the documented result is produced instead.
 */

/** Separator of the lines of a multi-line value (keepalived uses '\n' too). */
export const LINE_SEP = '\n';
const MAX_STEPS = 10000;
const MAX_LEN = 65536;

export interface MacroDef {
  value: string;
  multiline: boolean;
  /** Predefined: computes the value at use time from its parameters. */
  fn?: (params: number[]) => string;
  maxParams: number;
}

export interface Expansion {
  text: string;
  /**
   * Remaining lines of multi-line values used, outermost first: the last
   * group is read first (keepalived stacks nested multi-line uses).
   */
  more?: string[][];
  /** Set when expansion was cut short. */
  error?: string;
}

const isAlpha = (c: string | undefined): boolean => c !== undefined && /[A-Za-z_]/.test(c);
const isWord = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9_]/.test(c);

export class MacroTable {
  readonly defs = new Map<string, MacroDef>();

  get size(): number {
    return this.defs.size;
  }

  /** Add or replace a definition (a user value overrides a predefined one). */
  set(name: string, value: string, multiline = false): MacroDef {
    const old = this.defs.get(name);
    const def: MacroDef = { value, multiline, maxParams: old?.fn ? 0 : (old?.maxParams ?? 0) };
    this.defs.set(name, def);
    return def;
  }

  predefine(name: string, fn: (params: number[]) => string, maxParams = 0): void {
    this.defs.set(name, { value: '', multiline: false, fn, maxParams });
  }

  /**
   * keepalived's check_definition(): `$NAME=value` with NAME = [A-Za-z_][A-Za-z0-9_]*
   * and no blank before `=`. Returns the definition, or undefined if `buf` is not one.
   */
  define(buf: string): MacroDef | undefined {
    if (buf[0] !== '$' || !isAlpha(buf[1])) return undefined;
    let p = 2;
    while (p < buf.length && buf[p] !== '=') {
      if (!isWord(buf[p])) return undefined;
      p++;
    }
    if (buf[p] !== '=') return undefined;
    const name = buf.slice(1, p);
    p++;
    while (buf[p] === ' ' || buf[p] === '\t') p++;
    let value = buf.slice(p);
    let multiline = false;
    if (value.endsWith('\\')) {
      multiline = true;
      value = value.slice(0, -1).replace(/[ \t]+$/, '');
      // keepalived ends the first line with the separator unless it is empty.
      if (value !== '') value += LINE_SEP;
    }
    return this.set(name, value, multiline);
  }

  /** Append one continuation line to a multi-line definition (already stripped of `\`). */
  static append(def: MacroDef, line: string, more: boolean): void {
    const piece = more ? line + LINE_SEP : line;
    // keepalived skips lines that hold nothing but the continuation mark.
    if (piece.length >= 2 || (piece.length > 0 && !more)) def.value += piece;
  }

  /** Parse a use at `i` (the `$`): name, end index and parameters, or undefined. */
  private use(
    buf: string,
    i: number,
  ): { def: MacroDef; end: number; params: number[] | undefined } | undefined {
    let p = i + 1;
    const braces = buf[p] === '{';
    if (braces) p++;
    if (!isAlpha(buf[p])) return undefined;
    const nameStart = p;
    while (isWord(buf[p])) p++;
    const name = buf.slice(nameStart, p);
    let params: number[] | undefined;
    if (braces) {
      const ps = p;
      while (buf[p] === ' ' || (buf[p] !== undefined && /[0-9]/.test(buf[p]))) p++;
      const raw = buf.slice(ps, p);
      if (raw.trim() !== '') {
        if (raw.endsWith(' ')) return undefined;
        params = raw.trim().split(/ +/).map(Number);
      }
      if (buf[p] !== '}') return undefined;
      p++;
    } else if (p < buf.length && !' \t,)'.includes(buf[p])) return undefined;
    const def = this.defs.get(name);
    if (!def) return undefined;
    if (def.multiline && p !== buf.length) return undefined;
    if (params && def.maxParams === 0) return undefined;
    return { def, end: p, params };
  }

  /**
   * Replace every defined use in `buf`. Returns undefined if nothing changed.
   * `onInfo` receives keepalived's informational messages.
   */
  expand(buf: string, onInfo?: (msg: string) => void): Expansion | undefined {
    let text = buf;
    const more: string[][] = [];
    let changed = false;
    let steps = 0;
    let i = text.indexOf('$');
    while (i >= 0 && i + 1 < text.length) {
      const u = this.use(text, i);
      if (!u) {
        i = text.indexOf('$', i + 1);
        continue;
      }
      changed = true;
      if (++steps > MAX_STEPS || text.length > MAX_LEN) {
        return { text, more, error: `Parameter substitution on line '${buf}' does not terminate` };
      }
      let value = u.def.value;
      if (u.def.fn) {
        const ps = u.params ?? [];
        if (ps.length > u.def.maxParams)
          onInfo?.(`Too many parameters or extra text for \${${text.slice(i + 2, u.end - 1)}}`);
        value = u.def.fn(ps);
      }
      if (u.def.multiline) {
        const lines = value.split(LINE_SEP);
        value = lines[0];
        if (lines.length > 1) more.push(lines.slice(1));
      }
      text = text.slice(0, i) + value + text.slice(u.end);
      // A value starting with `~` is a ~SEQ/~LST: its own `$var` must wait.
      if (/^[ \t]*~/.test(u.def.value)) break;
      // Rescan from the same place: the inserted text may hold further uses.
      i = text.indexOf('$', i);
    }
    return changed ? { text, more } : undefined;
  }
}
