/**
 * Helpers shared by the VRRP-side parsers. Pure.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Position } from '../diagnostics.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';

/**
 * keepalived's if_get_by_ifname(…, IF_CREATE_IF_DYNAMIC): an interface the
 * host lacks is allowed with dynamic_interfaces; otherwise the caller warns
 * and the name is remembered, so finalize can add keepalived's single
 * "Non-existent interface specified in configuration" (BAD_IF).
 */
export function interfaceKnown(ctx: ParseCtx, name: string, pos: Position): boolean {
  const ifs = ctx.host.interfaces;
  if (ifs === null || ifs.has(name) || ctx.config.global.dynamicInterfaces) return true;
  ctx.config.vrrp.missingInterfaces.push({ name, pos });
  return false;
}

/** Interface exists without recording anything (linkbeat, up/down delays use FATAL instead). */
export function interfacePresent(ctx: ParseCtx, name: string): boolean {
  const ifs = ctx.host.interfaces;
  return ifs === null || ifs.has(name) || ctx.config.global.dynamicInterfaces;
}

/** A bad-value warning at the line's first word (keepalived's CONFIG_GENERAL_ERROR). */
export function bad(ctx: ParseCtx, node: ConfNode, m: string): void {
  ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.args[0]?.pos ?? node.pos);
}
