/** TCP_CHECK: connect only; common and connection keywords, nothing else. Pure. */
import { checkerBase, checkerHandler, emptyConn } from './checker-common.js';
import type { TcpChecker } from './types.js';

export const tcpCheckKeywords = {
  TCP_CHECK: checkerHandler<TcpChecker>({
    name: 'TCP_CHECK',
    connection: true,
    make: (node) => ({ ...checkerBase(node), type: 'TCP_CHECK', conn: emptyConn() }),
    keywords: {},
  }),
};
