/**
 * BFD_CHECK keywords: `name` (a bfd_instance defined above) and `alpha`.
 * Only those two: keepalived installs no other checker keywords here. Pure.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler, ParseCtx } from '../schema.js';
import { walkBlock } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { boolOpt, cfgError } from './common.js';
import { checkerBase, disable, type RsTarget } from './checker-common.js';
import { formatRs } from './format.js';
import type { BfdChecker } from './types.js';

function keywords(t: RsTarget): Record<string, Handler<BfdChecker>> {
  const rsName = formatRs(t.rs, t.vs);
  return {
    name: (node, c, ctx) => {
      if (!c.usable) return;
      const name = node.args[0]?.text ?? '';
      let problem: string | null = null;
      if (node.args.length !== 1) {
        problem = `(${rsName}) BFD_CHECK - No or too many names specified - skipping checker`;
      } else if (
        // The checker process knows every bfd_instance above this line whose
        // events go to checkers (it does not validate the neighbor itself).
        !Object.prototype.hasOwnProperty.call(ctx.config.bfd.instances, name) ||
        !ctx.config.bfd.instances[name].checker
      ) {
        problem = `(${rsName}) BFD_CHECK - BFD ${name} not configured`;
      } else if (c.bfd !== null) {
        problem = `(${rsName}) BFD_CHECK - BFD ${name} already specified as ${c.bfd}`;
      } else if (
        t.rs.checkers.some((o) => o !== c && o.type === 'BFD_CHECK' && o.usable && o.bfd === name)
      ) {
        problem = `(${rsName}) BFD_CHECK - RS already monitoring ${name}`;
      }
      if (problem) {
        cfgError(ctx, problem, node.pos, ErrorCodes.CONFIG_BAD_REFERENCE);
        disable(c, problem);
        return;
      }
      c.bfd = name;
    },
    alpha: (node, c, ctx) => {
      if (!c.usable) return;
      const v = boolOpt(node, ctx, 'alpha');
      if (v !== undefined) c.alpha = v;
    },
  };
}

function bfdCheck(node: ConfNode, t: RsTarget, ctx: ParseCtx): void {
  const c: BfdChecker = { ...checkerBase(node), type: 'BFD_CHECK', bfd: null };
  t.rs.checkers.push(c);
  walkBlock(node.children ?? [], { name: 'BFD_CHECK', keywords: keywords(t) }, c, ctx);
  if (c.usable && c.bfd === null) {
    cfgError(
      ctx,
      `(${formatRs(t.rs, t.vs)}) No name has been specified for BFD_CHECKER - skipping`,
      node.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    disable(c, 'no name');
  }
}

export const bfdCheckKeywords = { BFD_CHECK: bfdCheck };
