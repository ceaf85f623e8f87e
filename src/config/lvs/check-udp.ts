/**
 * UDP_CHECK keywords. Pure. Hex strings may be split over several words
 * (keepalived joins them); `require_reply` accepts `x`/`X` nibbles as
 * wildcards.
 */
import type { Handler } from '../schema.js';
import { cfgError, uintOpt } from './common.js';
import { checkerBase, checkerHandler, emptyConn } from './checker-common.js';
import type { UdpChecker } from './types.js';

function hex(words: string[], wildcards: boolean): string | undefined {
  const s = words.join('').toLowerCase();
  const re = wildcards ? /^([0-9a-fx]{2})+$/ : /^([0-9a-f]{2})+$/;
  return re.test(s) ? s : undefined;
}

const replyLength =
  (field: 'minReplyLength' | 'maxReplyLength', which: 'min' | 'max'): Handler<UdpChecker> =>
  (node, c, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      65535,
      (s) => `UDP_CHECK ${which} length ${s} not valid - must be between 0 & 65535`,
    );
    if (v !== undefined) c[field] = v;
  };

const udpKeywords: Record<string, Handler<UdpChecker>> = {
  payload: (node, c, ctx) => {
    if (!node.args.length) {
      cfgError(ctx, 'UDP_CHECK payload requires a payload', node.pos);
      return;
    }
    const v = hex(
      node.args.map((a) => a.text),
      false,
    );
    if (v === undefined)
      cfgError(ctx, 'Invalid hex string for UDP_CHECK payload', node.args[0].pos);
    else c.payload = v;
  },
  require_reply: (node, c, ctx) => {
    c.requireReply = true;
    if (!node.args.length) return;
    const v = hex(
      node.args.map((a) => a.text),
      true,
    );
    if (v === undefined) cfgError(ctx, 'Invalid hex string for UDP_CHECK reply', node.args[0].pos);
    else c.replyPattern = v;
  },
  min_reply_length: replyLength('minReplyLength', 'min'),
  max_reply_length: replyLength('maxReplyLength', 'max'),
};

export const udpCheckKeywords = {
  UDP_CHECK: checkerHandler<UdpChecker>({
    name: 'UDP_CHECK',
    connection: true,
    make: (node) => ({
      ...checkerBase(node),
      type: 'UDP_CHECK',
      conn: emptyConn(),
      payload: null,
      requireReply: false,
      replyPattern: null,
      minReplyLength: 0,
      maxReplyLength: 255,
    }),
    keywords: udpKeywords,
    end: (c, node, _t, ctx) => {
      // keepalived keeps the checker: it just can never succeed.
      if (c.minReplyLength > c.maxReplyLength) {
        cfgError(
          ctx,
          `UDP_CHECK min_reply length ${c.minReplyLength} > max_reply_length ${c.maxReplyLength} - will always fail`,
          node.pos,
        );
      }
    },
  }),
};
