/** DNS_CHECK keywords: `type` [SOA] and `name` [root]; retry defaults to 3. Pure. */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler } from '../schema.js';
import { cfgError } from './common.js';
import { checkerBase, checkerHandler, emptyConn } from './checker-common.js';
import type { DnsChecker } from './types.js';

export const DNS_TYPES = ['A', 'NS', 'CNAME', 'SOA', 'MX', 'TXT', 'AAAA'] as const;

const dnsKeywords: Record<string, Handler<DnsChecker>> = {
  type: (node, c, ctx) => {
    const t = node.args[0];
    const hit = t && DNS_TYPES.find((x) => x === t.text.toUpperCase());
    if (!hit) {
      cfgError(ctx, `Unknown DNS check type ${t?.text ?? ''} - ignoring`, t?.pos ?? node.pos);
      return;
    }
    c.queryType = hit;
  },
  name: (node, c, ctx) => {
    const t = node.args[0];
    if (!t) return;
    // A name is never empty once set, so '' means "not given yet".
    if (c.name !== '') {
      cfgError(
        ctx,
        'DNS_CHECK name already specified - ignoring',
        t.pos,
        ErrorCodes.CONFIG_DUPLICATE,
      );
      return;
    }
    const n = t.text;
    if ((n.startsWith('.') && n !== '.') || n.includes('..')) {
      cfgError(ctx, `DNS_CHECK name '${n}' has empty label - ignoring`, t.pos);
      return;
    }
    c.name = n;
  },
};

export const dnsCheckKeywords = {
  DNS_CHECK: checkerHandler<DnsChecker>({
    name: 'DNS_CHECK',
    connection: true,
    make: (node) => ({
      ...checkerBase(node),
      type: 'DNS_CHECK',
      conn: emptyConn(),
      queryType: 'SOA',
      name: '',
    }),
    keywords: dnsKeywords,
  }),
};
