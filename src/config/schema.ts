/**
 * The keyword-table machinery every block parser uses. Pure.
 *
 * A block is a table from keyword to handler. Walking a block calls the
 * handler of each line in order (order matters in keepalived: a reference to
 * a vrrp_script defined further down is "not found"). Unknown keywords are
 * reported with their position and skipped, exactly as keepalived carries on.
 */
import { ErrorCodes } from '../core/errors.js';
import type { DiagnosticSink } from './diagnostics.js';
import type { HostFacts } from './host-facts.js';
import type { Config } from './model.js';
import type { ConfNode } from './tree.js';

export interface ParseCtx {
  diag: DiagnosticSink;
  /** The model being built; handlers may read what earlier lines defined. */
  config: Config;
  /** Facts about the host (interfaces, hostname) for checks keepalived makes at parse time. */
  host: HostFacts;
}

export type Handler<T> = (node: ConfNode, target: T, ctx: ParseCtx) => void;

export interface BlockSpec<T> {
  /** Block name used in messages, e.g. "vrrp_instance". */
  name: string;
  keywords: Record<string, Handler<T>>;
}

/** Run every line of `nodes` through `spec`'s handlers. */
export function walkBlock<T>(
  nodes: readonly ConfNode[],
  spec: BlockSpec<T>,
  target: T,
  ctx: ParseCtx,
): void {
  for (const node of nodes) {
    const handler = Object.prototype.hasOwnProperty.call(spec.keywords, node.keyword)
      ? spec.keywords[node.keyword]
      : undefined;
    if (handler) handler(node, target, ctx);
    else reportUnknown(node, ctx);
  }
}

/** keepalived: "Unknown keyword 'x'"; for a block, every line inside is unknown too. */
export function reportUnknown(node: ConfNode, ctx: ParseCtx): void {
  ctx.diag.warn(ErrorCodes.CONFIG_UNKNOWN_KEYWORD, `Unknown keyword '${node.keyword}'`, node.pos);
  if (node.children) {
    for (const child of node.children) reportUnknown(child, ctx);
  }
}

/** A handler that requires a block and walks it with `spec` into `pick(target)`. */
export function subBlock<T, U>(
  spec: BlockSpec<U>,
  pick: (target: T, node: ConfNode) => U,
): Handler<T> {
  return (node, target, ctx) => {
    if (!node.children) {
      ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `${node.keyword} requires a '{' block`, node.pos);
      return;
    }
    walkBlock(node.children, spec, pick(target, node), ctx);
  };
}
