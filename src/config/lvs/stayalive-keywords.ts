/**
 * virtual_server keywords that only stayalive has (keepalived -t reports them as unknown). Pure.
 *
 * `masquerade`: source-NAT the traffic of a NAT virtual server to the director's outgoing address
 * (one-armed set-ups: the real servers need no route back through the director). keepalived/IPVS
 * have no equivalent; it is checked in finalize.ts (NAT only, not on fwmark services).
 */
import type { Handler } from '../schema.js';
import { cfgError } from './common.js';
import type { VirtualServer } from './types.js';

const masquerade: Handler<VirtualServer> = (node, vs, ctx) => {
  const extra = node.args[0];
  if (extra)
    return cfgError(
      ctx,
      `masquerade takes no value (got '${extra.text}') - ignoring masquerade`,
      extra.pos,
    );
  vs.masquerade = { pos: node.pos };
};

/** Spread into the virtual_server keywords. */
export const stayaliveVsKeywords: Record<string, Handler<VirtualServer>> = { masquerade };
