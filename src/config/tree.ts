/**
 * The syntax tree the preprocessor hands to the keyword parsers. Pure data.
 *
 * keepalived's grammar is line-based: a line is a keyword and its words; a
 * `{` opens a block that belongs to the line before it. After preprocessing
 * (includes, macros, conditionals, ~SEQ), every line becomes one `ConfNode`.
 */
import type { Position } from './diagnostics.js';

export interface Token {
  /** Text after quote removal (ordinary keyword rules: only "…" groups words). */
  text: string;
  pos: Position;
  /** True if any part of the token was inside double quotes. */
  quoted: boolean;
}

export interface ConfNode {
  /** The first word of the line. */
  keyword: string;
  /** The remaining words, split with keepalived's ordinary rules. */
  args: Token[];
  /** Position of the keyword. */
  pos: Position;
  /**
   * The line's text after the keyword, comments stripped but quotes and
   * escapes kept, for keywords with script-like values (`script`, `notify*`,
   * `misc_path`…), which keepalived splits with shell-like rules.
   */
  rest: string;
  /** Position of the first character of `rest`. */
  restPos: Position;
  /** Present if a `{ … }` block follows the line (possibly empty). */
  children?: ConfNode[];
}
