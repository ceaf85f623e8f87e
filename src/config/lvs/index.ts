/**
 * Public face of the LVS section: virtual_server_group, virtual_server (with
 * real servers and checkers) and the top-level SSL block. Pure.
 *
 * keepalived differences: nothing is dropped from the model — objects
 * keepalived would free are kept with `usable: false` and `why`.
 */
import type { Config } from '../model.js';
import type { Handler, ParseCtx } from '../schema.js';
import { finalizeLvsSection } from './finalize.js';
import { sslHandler } from './ssl.js';
import type { LvsSection } from './types.js';
import { virtualServerHandler } from './virtual-server.js';
import { vsgHandler } from './vsg.js';

export type * from './types.js';
export type { ScriptFacts, ScriptFileFact } from './script-security.js';

export function emptyLvsSection(): LvsSection {
  return { virtualServerGroups: {}, virtualServers: [], ssl: null };
}

/** Top-level keywords owned by this section. */
export const lvsTopLevel: Record<string, Handler<Config>> = {
  SSL: sslHandler,
  virtual_server_group: vsgHandler,
  virtual_server: virtualServerHandler,
};

/** Checks that need the whole model; runs after parsing. */
export function finalizeLvs(config: Config, ctx: ParseCtx): void {
  finalizeLvsSection(config, ctx);
}
