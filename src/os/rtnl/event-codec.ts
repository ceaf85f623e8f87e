/**
 * Multicast notifications → typed events, pure. RTM_NEW* becomes action 'new' and RTM_DEL*
 * action 'del' (a link going down arrives as 'new' with up: false, as the kernel sends it).
 */
import { RTM } from './constants.js';
import { decodeAddress } from './address-codec.js';
import { decodeLink } from './link-codec.js';
import type { NlMessage } from './messages.js';
import { decodeRoute } from './route-codec.js';
import { decodeRule } from './rule-codec.js';
import type { RtnlEvent } from './types.js';

/** The event for one message, or null for messages that are not link/address/route/rule news. */
export function decodeEvent(msg: NlMessage): RtnlEvent | null {
  switch (msg.type) {
    case RTM.NEWLINK:
    case RTM.DELLINK:
      return {
        type: 'link',
        action: msg.type === RTM.NEWLINK ? 'new' : 'del',
        link: decodeLink(msg.payload),
      };
    case RTM.NEWADDR:
    case RTM.DELADDR: {
      const address = decodeAddress(msg.payload);
      return (
        address && { type: 'address', action: msg.type === RTM.NEWADDR ? 'new' : 'del', address }
      );
    }
    case RTM.NEWROUTE:
    case RTM.DELROUTE: {
      const route = decodeRoute(msg.payload);
      return route && { type: 'route', action: msg.type === RTM.NEWROUTE ? 'new' : 'del', route };
    }
    case RTM.NEWRULE:
    case RTM.DELRULE: {
      const rule = decodeRule(msg.payload);
      return rule && { type: 'rule', action: msg.type === RTM.NEWRULE ? 'new' : 'del', rule };
    }
    default:
      return null;
  }
}
