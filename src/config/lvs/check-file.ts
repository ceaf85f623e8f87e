/**
 * FILE_CHECK keywords. Pure. `track_file NAME` must name a top-level
 * `track_file` block defined above (keepalived resolves references
 * top-down); the VRRP-side parser stores those in config.vrrp.trackFiles.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler, ParseCtx } from '../schema.js';
import { cfgError, WEIGHT_LIMIT } from './common.js';
import { checkerBase, checkerHandler, disable } from './checker-common.js';
import type { FileChecker } from './types.js';
import { parseInteger } from '../values.js';

function trackFiles(ctx: ParseCtx): Record<string, unknown> {
  return (ctx.config.vrrp as { trackFiles?: Record<string, unknown> }).trackFiles ?? {};
}

const fileKeywords: Record<string, Handler<FileChecker>> = {
  track_file: (node, c, ctx) => {
    const t = node.args[0];
    if (!t) return;
    if (!Object.prototype.hasOwnProperty.call(trackFiles(ctx), t.text)) {
      cfgError(ctx, `track_file ${t.text} not found`, t.pos, ErrorCodes.CONFIG_BAD_REFERENCE);
      return;
    }
    c.trackFile = t.text;
  },
  weight: (node, c, ctx) => {
    const t = node.args[0];
    if (!t) {
      cfgError(ctx, 'track file weight missing', node.pos);
      return;
    }
    const w = parseInteger(t, ctx, -WEIGHT_LIMIT, WEIGHT_LIMIT);
    if (w === undefined) {
      cfgError(
        ctx,
        `weight for track file must be in [${-WEIGHT_LIMIT}..${WEIGHT_LIMIT}] inclusive. Ignoring...`,
        t.pos,
      );
      return;
    }
    const opt = node.args[1];
    if (opt && opt.text !== 'reverse' && opt.text !== 'noreverse') {
      cfgError(ctx, `unknown track file weight option ${opt.text} - ignoring`, opt.pos);
      return;
    }
    c.weight = w;
    c.reverse = opt?.text === 'reverse';
  },
};

export const fileCheckKeywords = {
  FILE_CHECK: checkerHandler<FileChecker>({
    name: 'FILE_CHECK',
    connection: false,
    make: (node) => ({
      ...checkerBase(node),
      type: 'FILE_CHECK',
      trackFile: null,
      weight: null,
      reverse: null,
    }),
    keywords: fileKeywords,
    end: (c, node, _t, ctx) => {
      if (c.trackFile === null) {
        cfgError(
          ctx,
          'FILE_CHECK has no track_file specified - ignoring',
          node.pos,
          ErrorCodes.CONFIG_INVALID_OBJECT,
        );
        disable(c, 'no track_file');
        return;
      }
      // No weight here → the track_file's own weight (read loosely: the
      // VRRP-side model owns that shape).
      if (c.weight === null) {
        const tf = trackFiles(ctx)[c.trackFile] as
          { weight?: number; weightReverse?: boolean } | undefined;
        c.weight = typeof tf?.weight === 'number' ? tf.weight : null;
        c.reverse = typeof tf?.weightReverse === 'boolean' ? tf.weightReverse : null;
      }
    },
  }),
};
