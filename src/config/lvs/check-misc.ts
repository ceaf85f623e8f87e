/**
 * MISC_CHECK keywords: an external script decides. Pure.
 * retry defaults to 0 (not 1). Script file checks and the default script
 * user are resolved in finalize (script-security.ts), as keepalived does
 * after reading the whole file.
 */
import { userKnown } from '../script-user.js';
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import { cfgError, scriptValue, uintOpt } from './common.js';
import { checkerBase, checkerHandler, disable } from './checker-common.js';
import type { MiscChecker } from './types.js';

const miscKeywords: Record<string, Handler<MiscChecker>> = {
  misc_path: (node, c, ctx) => {
    c.script = scriptValue(node, ctx) ?? c.script;
  },
  misc_timeout: (node, c, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      Math.floor(4294967295 / 1e6),
      (s) => `Invalid misc_timeout value '${s}'`,
    );
    if (v !== undefined) c.timeout = v === 0 ? null : v;
  },
  misc_dynamic: (_node, c) => {
    c.dynamic = true;
  },
  user: (node, c, ctx) => {
    const u = node.args[0];
    if (!u) {
      cfgError(
        ctx,
        `No user specified for misc checker script ${c.script?.command ?? ''}`,
        node.pos,
      );
      return;
    }
    const g = node.args[1];
    if (!userKnown(ctx.host, u.text, g?.text ?? null)) {
      cfgError(
        ctx,
        `Failed to set uid/gid for misc checker script ${c.script?.command ?? ''} - removing`,
        node.pos,
        ErrorCodes.CONFIG_INVALID_OBJECT,
      );
      disable(c, 'unknown script user');
      return;
    }
    c.user = u.text;
    c.group = g?.text ?? null;
  },
};

export const miscCheckKeywords = {
  MISC_CHECK: checkerHandler<MiscChecker>({
    name: 'MISC_CHECK',
    connection: false,
    make: (node) => ({
      ...checkerBase(node),
      type: 'MISC_CHECK',
      script: null,
      timeout: null,
      dynamic: false,
      user: null,
      group: null,
    }),
    keywords: miscKeywords,
    end: (c, node, _t, ctx) => {
      if (c.usable && c.script === null) {
        cfgError(
          ctx,
          'No script path has been specified for MISC_CHECKER - skipping',
          node.pos,
          ErrorCodes.CONFIG_INVALID_OBJECT,
        );
        disable(c, 'no misc_path');
      }
    },
  }),
};
