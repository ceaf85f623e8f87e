/**
 * Reading a keepalived.conf into the syntax tree: main file → preprocessor
 * (includes, `@id`, `$NAME`, ~SEQ/~LST) → lexer → tree. Pure: every file is
 * read through `opts.fs`.
 *
 * Each lexed line keeps the file and line number it came from, so later
 * diagnostics point into the right included file. Lines produced by a macro
 * or ~SEQ carry the position of the line that used it; their columns are
 * approximate once text was substituted.
 *
 * A missing main file is reported as 'file-not-found' (CONFIG_FILE_NOT_FOUND)
 * and gives an empty tree; keepalived prints a message and `-t` exits 0, so
 * the caller decides what it means.
 */
import type { DiagnosticSink } from './diagnostics.js';
import { buildTree, lexLine, type LexItem } from './lexer.js';
import { Preprocessor } from './preprocess.js';
import type { ReadOptions } from './source.js';
import type { ConfNode } from './tree.js';

/** The preprocessed lines as lexer items (exported for tools and tests). */
export function* readConfigItems(
  mainPath: string,
  opts: ReadOptions,
  diag: DiagnosticSink,
): Generator<LexItem> {
  const pre = new Preprocessor(opts, diag);
  if (!pre.start(mainPath)) return;
  for (let l = pre.next(); l !== undefined; l = pre.next()) {
    yield* lexLine(l.text, l.file, l.line, diag, l.col);
  }
}

export function readConfigTree(
  mainPath: string,
  opts: ReadOptions,
  diag: DiagnosticSink,
): ConfNode[] {
  return buildTree(readConfigItems(mainPath, opts, diag), diag);
}
