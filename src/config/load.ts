/**
 * Text on disk → model: the reader (includes, macros, conditionals) then the
 * keyword parsers. Pure given its ConfigFs; the shell passes the real one.
 */
import { DiagnosticSink, type Diagnostic } from './diagnostics.js';
import type { HostFacts } from './host-facts.js';
import type { Config } from './model.js';
import { parseConfig } from './parse.js';
import { readConfigTree } from './read.js';
import type { ReadOptions } from './source.js';
import type { ConfNode } from './tree.js';

export interface Loaded {
  config: Config;
  diagnostics: Diagnostic[];
  tree: ConfNode[];
}

export function loadConfig(path: string, opts: ReadOptions, host: HostFacts): Loaded {
  const diag = new DiagnosticSink();
  const tree = readConfigTree(path, opts, diag);
  const { config } = parseConfig(tree, path, host, diag);
  return { config, diagnostics: diag.items, tree };
}
