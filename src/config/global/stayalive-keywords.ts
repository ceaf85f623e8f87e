/**
 * global_defs keywords that only stayalive has (keepalived -t rejects them). Pure.
 *
 * `lvs_dataplane auto|nftables|ipvs`: which kernel data plane forwards virtual_server traffic.
 * auto (the default) takes IPVS when the kernel has it (/proc/net/ip_vs) and nftables otherwise.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import { arg } from '../values.js';
import type { GlobalDefs, LvsDataplaneMode } from './types.js';

const MODES: readonly LvsDataplaneMode[] = ['auto', 'nftables', 'ipvs'];

const lvsDataplane: Handler<GlobalDefs> = (node, g, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  const v = tok.text.toLowerCase();
  if (!(MODES as readonly string[]).includes(v)) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `lvs_dataplane '${tok.text}' unknown (auto, nftables or ipvs) - keeping ${g.lvsDataplane}`,
      tok.pos,
    );
    return;
  }
  g.lvsDataplane = v as LvsDataplaneMode;
};

/** Spread into globalDefsSpec.keywords. */
export const stayaliveGlobalKeywords: Record<string, Handler<GlobalDefs>> = {
  lvs_dataplane: lvsDataplane,
};
