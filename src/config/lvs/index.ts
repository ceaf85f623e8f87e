import type { Config } from '../model.js';
import type { Handler, ParseCtx } from '../schema.js';
import type { LvsSection } from './types.js';

export type { LvsSection } from './types.js';

export function emptyLvsSection(): LvsSection {
  return { virtualServers: [] };
}

/** Top-level keywords owned by this section. */
export const lvsTopLevel: Record<string, Handler<Config>> = {};

/** Checks that need the whole model; runs after parsing. */
export function finalizeLvs(_config: Config, _ctx: ParseCtx): void {}
