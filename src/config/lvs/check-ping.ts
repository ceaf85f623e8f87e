/**
 * PING_CHECK: ICMP echo; common and connection keywords only. Pure.
 * keepalived also widens net.ipv4.ping_group_range at parse time; that is a
 * runtime concern here (the shell does it when a PING_CHECK exists).
 */
import { checkerBase, checkerHandler, emptyConn } from './checker-common.js';
import type { PingChecker } from './types.js';

export const pingCheckKeywords = {
  PING_CHECK: checkerHandler<PingChecker>({
    name: 'PING_CHECK',
    connection: true,
    make: (node) => ({ ...checkerBase(node), type: 'PING_CHECK', conn: emptyConn() }),
    keywords: {},
  }),
};
