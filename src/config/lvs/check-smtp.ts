/**
 * SMTP_CHECK keywords, including the deprecated `host { … }` sub-blocks. Pure.
 *
 * keepalived turns each host{} into an extra checker after the first; the
 * model keeps them in `hosts` (connection options only) and the runtime
 * expands them. The checker's own connection options are used when any is
 * written or when there is no host{} at all.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import { walkBlock } from '../schema.js';
import { cfgInfo, joinedWords } from './common.js';
import { checkerBase, checkerHandler, connKeywords, emptyConn } from './checker-common.js';
import type { Checker, ConnOpts, SmtpChecker } from './types.js';

export const SMTP_DEFAULT_HELO = 'smtpchecker.keepalived.org';

const smtpKeywords: Record<string, Handler<SmtpChecker>> = {
  helo_name: (node, c, ctx) => {
    const v = joinedWords(node, ctx, 'SMTP_CHECK helo name missing');
    if (v !== undefined) c.heloName = v;
  },
  host: (node, c, ctx) => {
    // Walk the host's lines with the connection keywords into a scratch checker.
    const scratch = { ...c, conn: emptyConn() } as Checker & { conn: ConnOpts };
    walkBlock(node.children ?? [], { name: 'host', keywords: connKeywords }, scratch, ctx);
    c.hosts.push(scratch.conn);
  },
};

export const smtpCheckKeywords = {
  SMTP_CHECK: checkerHandler<SmtpChecker>({
    name: 'SMTP_CHECK',
    connection: true,
    make: (node) => ({
      ...checkerBase(node),
      type: 'SMTP_CHECK',
      conn: emptyConn(),
      heloName: SMTP_DEFAULT_HELO,
      hosts: [],
    }),
    keywords: smtpKeywords,
    end: (c, node, _t, ctx) => {
      if (c.hosts.length) {
        cfgInfo(
          ctx,
          'The SMTP_CHECK host block is deprecated. Please define additional checkers.',
          node.pos,
          ErrorCodes.CONFIG_DEPRECATED,
        );
      }
    },
  }),
};
