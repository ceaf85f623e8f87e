import type { Config } from '../model.js';
import type { Handler, ParseCtx } from '../schema.js';
import type { VrrpSection } from './types.js';

export type { VrrpSection } from './types.js';

export function emptyVrrpSection(): VrrpSection {
  return { instances: {} };
}

/** Top-level keywords owned by this section. */
export const vrrpTopLevel: Record<string, Handler<Config>> = {};

/** Checks that need the whole model; runs after parsing. */
export function finalizeVrrp(_config: Config, _ctx: ParseCtx): void {}
