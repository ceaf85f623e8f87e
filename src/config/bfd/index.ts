import type { Config } from '../model.js';
import type { Handler, ParseCtx } from '../schema.js';
import type { BfdSection } from './types.js';

export type { BfdSection } from './types.js';

export function emptyBfdSection(): BfdSection {
  return { instances: {} };
}

/** Top-level keywords owned by this section. */
export const bfdTopLevel: Record<string, Handler<Config>> = {};

/** Checks that need the whole model; runs after parsing. */
export function finalizeBfd(_config: Config, _ctx: ParseCtx): void {}
