import type { Config } from '../model.js';
import type { HostFacts } from '../host-facts.js';
import type { Handler, ParseCtx } from '../schema.js';
import type { GlobalDefs } from './types.js';

export type { GlobalDefs } from './types.js';

export function defaultGlobalDefs(host: HostFacts): GlobalDefs {
  return { routerId: host.hostname };
}

/** Top-level keywords owned by this section (global_defs, root-level single keywords). */
export const globalTopLevel: Record<string, Handler<Config>> = {};

/** Checks that need the whole model; runs after parsing. */
export function finalizeGlobal(_config: Config, _ctx: ParseCtx): void {}
