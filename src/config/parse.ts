/**
 * Syntax tree → typed model. Pure.
 *
 * Top-level keywords are dispatched to the section that owns them; each
 * section then gets a finalize pass for checks that need the whole model
 * (references, duplicates, host facts), in keepalived's order.
 */
import { emptyBfdSection, bfdTopLevel, finalizeBfd } from './bfd/index.js';
import { DiagnosticSink } from './diagnostics.js';
import { emptyGatewaySection, finalizeGateway, gatewayTopLevel } from './gateway/index.js';
import { defaultGlobalDefs, finalizeGlobal, globalTopLevel } from './global/index.js';
import type { HostFacts } from './host-facts.js';
import { emptyLvsSection, finalizeLvs, lvsTopLevel } from './lvs/index.js';
import type { Config } from './model.js';
import { walkBlock, type BlockSpec, type ParseCtx } from './schema.js';
import type { ConfNode } from './tree.js';
import { emptyVrrpSection, finalizeVrrp, vrrpTopLevel } from './vrrp/index.js';

const topLevel: BlockSpec<Config> = {
  name: 'top level',
  keywords: {
    ...globalTopLevel,
    ...vrrpTopLevel,
    ...lvsTopLevel,
    ...bfdTopLevel,
    ...gatewayTopLevel,
  },
};

export function emptyConfig(source: string, host: HostFacts): Config {
  return {
    source,
    global: defaultGlobalDefs(host),
    vrrp: emptyVrrpSection(),
    lvs: emptyLvsSection(),
    bfd: emptyBfdSection(),
    gateway: emptyGatewaySection(),
  };
}

export function parseConfig(
  tree: readonly ConfNode[],
  source: string,
  host: HostFacts,
  diag: DiagnosticSink = new DiagnosticSink(),
): { config: Config; diag: DiagnosticSink } {
  const config = emptyConfig(source, host);
  const ctx: ParseCtx = { diag, config, host };
  walkBlock(tree, topLevel, config, ctx);
  finalizeGlobal(config, ctx);
  finalizeBfd(config, ctx);
  // Before VRRP, so a track_gateway can be checked against the gateways.
  finalizeGateway(config, ctx);
  finalizeVrrp(config, ctx);
  finalizeLvs(config, ctx);
  return { config, diag };
}
