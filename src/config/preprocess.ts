/**
 * The keepalived 2.2.7 preprocessor: turns the main file into the stream of
 * lines the keyword parser sees, each tagged with the file and line it came
 * from. Pure: files are read through the injected `ConfigFs`.
 *
 * Per line, in keepalived's order: comment removal; continuation of a
 * multi-line `$NAME=` definition; `@id`/`@^id`; `$NAME=` definitions;
 * `~SEQ`/`~LST`; `$NAME` substitution (repeated while it changes something);
 * `include*`; then the split at the first brace, whose residue is run through
 * all of this again. Lines come first from a brace residue, then from the
 * innermost ~SEQ/~LST, then from a multi-line value, then from the files.
 *
 * Include checks (keepalived's include_check bits) decide how a missing or
 * unusable file counts: if the check for that kind of miss is on, keepalived
 * stops with exit 6 after reading ('security' here), otherwise it only prints
 * the message ('info').
 *
 * Differences from keepalived:
 * - keepalived recognises `include` after `@id` and `$NAME` processing only in
 *   its first (parent) pass; its child processes then read the file twice.
 *   The man page says such includes do not work. We include once, and add an
 *   'info' note.
 * - An include loop makes keepalived recurse until it runs out of file
 *   descriptors; we report a warning and skip the repeated file.
 * - `${_PWD}` is the including file's directory as a path, which is relative
 *   when the main file was given by a relative path (keepalived: getcwd()).
 * - `include_check` is honoured wherever it appears (keepalived: global_defs).
 */
import { ErrorCodes, type ErrorCode } from '../core/errors.js';
import type { DiagnosticClass, DiagnosticSink, Position } from './diagnostics.js';
import { dirName, globPattern, hasBrace } from './glob.js';
import { MacroTable, type MacroDef } from './macros.js';
import { decomment, includeKind, splitAtBrace } from './preprocess-text.js';
import { parseLst, parseSeq, type SeqEntry } from './seq.js';
import type { ConfigFs, ReadOptions } from './source.js';

/** One preprocessed line; `col` is the 0-based column of `text[0]` in the source line. */
export interface PreLine {
  text: string;
  file: string;
  line: number;
  col: number;
}

/** keepalived's include check bits. */
export const INCLUDE_R = 1;
export const INCLUDE_M = 2;
export const INCLUDE_W = 4;
export const INCLUDE_B = 8;
const INCLUDE_TYPES: Record<string, number> = {
  include: 0,
  includer: INCLUDE_R,
  includem: INCLUDE_R | INCLUDE_M,
  includew: INCLUDE_R | INCLUDE_M | INCLUDE_W,
  includeb: INCLUDE_R | INCLUDE_B,
  includea: INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B,
};
const CHECK_WORDS: Record<string, number> = {
  read: INCLUDE_R,
  match: INCLUDE_M,
  wildcard_match: INCLUDE_W,
  brace_match: INCLUDE_B,
};

const MAX_NESTING = 256;
const MAX_LINES = 2_000_000;

interface OpenFile {
  path: string;
  lines: string[];
  idx: number;
}

interface Frame {
  type: number;
  savedCheck: number;
  matches: string[];
  next: number;
  file?: OpenFile;
}

interface Pending {
  entry: SeqEntry;
  pos: PreLine;
}

interface MultiLine {
  lines: string[];
  i: number;
  savedDepth: number;
  pos: PreLine;
}

export class Preprocessor {
  private readonly fs: ConfigFs;
  private readonly frames: Frame[] = [];
  private readonly seqs: Pending[] = [];
  private readonly ml: MultiLine[] = [];
  private mlDepth = 0;
  private residue: PreLine | undefined;
  private includeCheck = 0;
  private defining: MacroDef | undefined;
  private emitted = 0;
  readonly macros = new MacroTable();

  constructor(
    private readonly opts: ReadOptions,
    private readonly diag: DiagnosticSink,
  ) {
    this.fs = opts.fs;
    const m = this.macros;
    m.predefine('_PWD', () => this.cwd() || '.');
    m.predefine('_INSTANCE', () => opts.instance ?? opts.configId);
    m.predefine('_RANDOM', (p) => this.random(p), 2);
    m.set('_HASH', '#');
    m.set('_BANG', '!');
  }

  private cwd(): string {
    for (let i = this.frames.length - 1; i >= 0; i--) {
      const f = this.frames[i].file;
      if (f) return dirName(f.path);
    }
    return '';
  }

  private random(params: number[]): string {
    const min = params[0] ?? 0;
    const max = params[1] ?? 32767;
    if (max < min) return String(min);
    const r = this.opts.random ? this.opts.random() : Math.random();
    return String(min + Math.min(max - min, Math.floor(r * (max - min + 1))));
  }

  private report(klass: DiagnosticClass, code: ErrorCode, message: string, pos?: Position): void {
    this.diag.push({ code, klass, message, pos });
  }

  private posOf(l: PreLine): Position {
    return { file: l.file, line: l.line, col: l.col + 1 };
  }

  /** keepalived's file_config_error(): counts only if the check for `type` is on. */
  private fileError(type: number, message: string, at: PreLine): void {
    const top = this.frames[this.frames.length - 1];
    const on = (this.includeCheck | (top?.type ?? 0)) & type;
    this.report(
      on ? 'security' : 'info',
      ErrorCodes.CONFIG_FILE_NOT_FOUND,
      message,
      this.posOf(at),
    );
  }

  /** Open the main file (a path or a pattern). False if nothing could be read. */
  start(mainPath: string): boolean {
    const g = globPattern(mainPath, '', this.fs);
    // Line 0 stands for the file as a whole.
    const nf = (msg: string): void =>
      this.report('file-not-found', ErrorCodes.CONFIG_FILE_NOT_FOUND, msg, {
        file: mainPath,
        line: 0,
        col: 0,
      });
    const usable = g.paths.filter((p) => {
      if (!p.endsWith('/')) return true;
      nf(`Configuration file '${p}' is a directory - skipping`);
      return false;
    });
    if (g.paths.length === 0) nf(`Config files missing '${mainPath}'.`);
    if (usable.length === 0) return false;
    if (usable.length > 1)
      this.diag.warn(
        ErrorCodes.CONFIG_FILE_NOT_FOUND,
        `WARNING, multiple configuration file matches of ${mainPath}, starting with ${usable[0]}`,
        { file: mainPath, line: 0, col: 0 },
      );
    const frame: Frame = { type: 0, savedCheck: 0, matches: usable, next: 0 };
    this.frames.push(frame);
    const at = { text: '', file: mainPath, line: 0, col: 0 };
    if (!this.openNext(frame, at)) {
      this.frames.pop();
      nf(`Unable to read configuration file ${mainPath}`);
      return false;
    }
    return true;
  }

  private openNext(frame: Frame, at: PreLine): boolean {
    while (frame.next < frame.matches.length) {
      const path = frame.matches[frame.next++];
      if (path.endsWith('/')) {
        this.fileError(INCLUDE_R, `Configuration file '${path}' is a directory - skipping`, at);
        continue;
      }
      if (this.frames.some((f) => f.file?.path === path) || this.frames.length > MAX_NESTING) {
        this.diag.warn(
          ErrorCodes.CONFIG_SYNTAX,
          `Include loop: configuration file '${path}' is already being read - skipping`,
          this.posOf(at),
        );
        continue;
      }
      if (this.fs.isExecutable?.(path)) {
        this.fileError(
          INCLUDE_R,
          `Configuration file '${path}' is not a regular non-executable file - skipping`,
          at,
        );
        continue;
      }
      const text = this.fs.readFile(path);
      if (text === undefined) {
        this.fileError(INCLUDE_R, `Configuration file '${path}' open problem - skipping`, at);
        continue;
      }
      const lines = text.split('\n');
      if (text.endsWith('\n')) lines.pop();
      frame.file = { path, lines, idx: 0 };
      return true;
    }
    frame.file = undefined;
    return false;
  }

  private openInclude(kind: string, pattern: string, at: PreLine): void {
    const type = INCLUDE_TYPES[kind];
    const frame: Frame = { type, savedCheck: this.includeCheck, matches: [], next: 0 };
    this.frames.push(frame);
    const checks = this.includeCheck | type;
    const g = globPattern(pattern, this.cwdBelow(), this.fs);
    const missing = g.missingFiles + g.missingDirs;
    let ok = g.paths.length > 0;
    if (!ok) {
      if (missing)
        this.fileError(
          hasBrace(pattern) ? INCLUDE_B : INCLUDE_M,
          `Config files missing '${pattern}'.`,
          at,
        );
      else if (g.haveWildcards && checks & INCLUDE_W)
        this.fileError(INCLUDE_W, `No config files matched '${pattern}'.`, at);
    } else if (missing) {
      this.fileError(INCLUDE_B, `Some config files missing: "${pattern}".`, at);
      if (checks & INCLUDE_B) ok = false;
    }
    if (ok) {
      frame.matches = g.paths;
      ok = this.openNext(frame, at);
    }
    if (!ok) this.frames.pop();
  }

  /** Directory of the file that holds the include line (the new frame is already pushed). */
  private cwdBelow(): string {
    for (let i = this.frames.length - 2; i >= 0; i--) {
      const f = this.frames[i].file;
      if (f) return dirName(f.path);
    }
    return '';
  }

  /** Next physical, non-empty, decommented line from the files; undefined at the end. */
  private fromFiles(): PreLine | undefined {
    for (;;) {
      const frame = this.frames[this.frames.length - 1];
      if (!frame) return undefined;
      const f = frame.file;
      if (!f || f.idx >= f.lines.length) {
        this.includeCheck = frame.savedCheck;
        const at = { text: '', file: f?.path ?? '', line: f?.lines.length ?? 0, col: 0 };
        if (!this.openNext(frame, at)) this.frames.pop();
        continue;
      }
      const raw = f.lines[f.idx++].replace(/[\r\n]+$/, '');
      if (raw === '') {
        // Only a truly empty line ends a multi-line definition.
        if (this.defining) this.endDefinition();
        continue;
      }
      const d = decomment(raw);
      const line: PreLine = { text: d.text, file: f.path, line: f.idx, col: d.lead };
      if (d.openQuote)
        this.diag.error(
          ErrorCodes.CONFIG_SYNTAX,
          `Unterminated quote '${d.text}'`,
          this.posOf(line),
        );
      if (d.text !== '') return line;
    }
  }

  private endDefinition(): void {
    if (this.defining && this.defining.value === '') this.defining.multiline = false;
    this.defining = undefined;
  }

  /** The next raw line to process, by keepalived's priority order. */
  private source(): PreLine | undefined {
    if (this.residue) {
      const r = this.residue;
      this.residue = undefined;
      return r;
    }
    if (this.seqs.length > this.mlDepth) {
      const top = this.seqs[this.seqs.length - 1];
      for (const [k, v] of top.entry.next() ?? []) this.macros.set(k, v);
      if (top.entry.done) this.seqs.pop();
      return { ...top.pos, text: top.entry.text };
    }
    const ml = this.ml[this.ml.length - 1];
    if (ml) {
      const text = ml.lines[ml.i++];
      if (ml.i >= ml.lines.length) {
        this.ml.pop();
        this.mlDepth = ml.savedDepth;
      }
      return { ...ml.pos, text };
    }
    return this.fromFiles();
  }

  /** The next line for the lexer, or undefined at the end of the configuration. */
  next(): PreLine | undefined {
    for (;;) {
      if (++this.emitted > MAX_LINES) {
        const top = this.frames[this.frames.length - 1]?.file;
        this.diag.error(ErrorCodes.CONFIG_SYNTAX, 'Configuration expands to too many lines', {
          file: top?.path ?? '',
          line: top?.idx ?? 0,
          col: 1,
        });
        return undefined;
      }
      const src = this.source();
      if (!src) return undefined;
      if (this.defining) {
        this.continueDefinition(src.text);
        continue;
      }
      if (src.text === '') continue;
      const out = this.process(src);
      if (!out || out.text === '') continue;
      const kind = includeKind(out.text);
      if (kind) {
        if (out.text !== src.text)
          this.diag.info(
            ErrorCodes.CONFIG_SYNTAX,
            "include reached through '@' or '$' substitution: keepalived's child processes read such a file twice",
            this.posOf(src),
          );
        this.openInclude(kind, out.text.slice(kind.length).replace(/^\s+/, ''), out);
        continue;
      }
      if (/^include_check(\s|$)/.test(out.text)) this.setIncludeCheck(out.text);
      const sp = splitAtBrace(out.text);
      if (sp.residue !== undefined)
        this.residue = { ...out, text: sp.residue, col: out.col + sp.residueAt };
      return { ...out, text: sp.now };
    }
  }

  private continueDefinition(text: string): void {
    const def = this.defining as MacroDef;
    let t = text;
    const more = t.endsWith('\\');
    if (more) t = t.slice(0, -1).replace(/[ \t]+$/, '');
    MacroTable.append(def, t, more);
    if (!more) this.endDefinition();
  }

  /** `@id`, definitions, ~SEQ/~LST and substitution, repeated as keepalived does. */
  private process(src: PreLine): PreLine | undefined {
    let buf = src.text;
    let col = src.col;
    let expanded = false;
    for (;;) {
      if (buf[0] === '@') {
        const neg = buf[1] === '^';
        const ofs = neg ? 2 : 1;
        const m = /[ \t]/.exec(buf.slice(ofs));
        if (!m) return undefined; // nothing after the id
        if ((buf.slice(ofs, ofs + m.index) === this.opts.configId) === neg) return undefined;
        let k = ofs + m.index;
        while (buf[k] === ' ' || buf[k] === '\t') k++;
        buf = buf.slice(k);
        if (!expanded) col += k;
      }
      if (buf[0] === '$') {
        const def = this.macros.define(buf);
        if (def) {
          if (def.multiline) this.defining = def;
          return undefined;
        }
      }
      if (buf.startsWith('~SEQ') || buf.startsWith('~LST')) {
        this.addSeq(buf, { ...src, col });
        return undefined;
      }
      if (buf[0] === '~' || !buf.includes('$')) break;
      const e = this.macros.expand(buf, (msg) =>
        this.diag.info(ErrorCodes.CONFIG_SYNTAX, msg, this.posOf(src)),
      );
      if (!e) break;
      if (e.error) this.diag.error(ErrorCodes.CONFIG_SYNTAX, e.error, this.posOf(src));
      for (const lines of e.more ?? []) {
        if (this.ml.length >= MAX_NESTING) {
          this.diag.error(
            ErrorCodes.CONFIG_SYNTAX,
            'Multi-line definitions nested too deeply',
            this.posOf(src),
          );
          return undefined;
        }
        this.ml.push({ lines, i: 0, savedDepth: this.mlDepth, pos: { ...src, col } });
        this.mlDepth = this.seqs.length;
      }
      expanded = true;
      buf = decomment(buf === e.text ? buf : e.text).text;
      if (e.error) break;
      if (buf[0] !== '@' && !buf.includes('$')) break;
    }
    return { ...src, text: buf, col };
  }

  private addSeq(buf: string, at: PreLine): void {
    const isSeq = buf[1] === 'S';
    const r = isSeq
      ? parseSeq(buf, (params) => {
          const e = this.macros.expand(params);
          if (e?.more?.length) return null;
          return e ? e.text : params;
        })
      : parseLst(buf);
    if (typeof r === 'string') this.diag.error(ErrorCodes.CONFIG_SYNTAX, r, this.posOf(at));
    if (r === null || typeof r === 'string') {
      const what = isSeq ? '~SEQ' : '~LST';
      this.diag.error(
        ErrorCodes.CONFIG_SYNTAX,
        `Invalid ${what} specification '${buf}'`,
        this.posOf(at),
      );
      return;
    }
    if (this.seqs.length >= MAX_NESTING) {
      this.diag.error(ErrorCodes.CONFIG_SYNTAX, '~SEQ/~LST nested too deeply', this.posOf(at));
      return;
    }
    this.seqs.push({ entry: r, pos: at });
  }

  /** keepalived's include_check keyword: set, add (+) or remove (-) checks. */
  private setIncludeCheck(text: string): void {
    const words = text.split(/[ \t]+/).slice(1);
    if (words.length === 0) {
      this.includeCheck = INCLUDE_R | INCLUDE_M | INCLUDE_W | INCLUDE_B;
      return;
    }
    words.forEach((w, i) => {
      const op = w[0] === '+' || w[0] === '-' ? w[0] : '';
      if (op === '' && i > 0) return; // keepalived: duplicate setting ignored
      if (op === '' && i === 0) this.includeCheck = 0;
      const bit = CHECK_WORDS[w.slice(op.length)];
      if (!bit) return;
      if (op === '') this.includeCheck = INCLUDE_R | bit;
      else if (op === '+') this.includeCheck |= bit;
      else this.includeCheck &= ~bit;
    });
  }
}
