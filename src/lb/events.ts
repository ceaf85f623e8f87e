/**
 * Events of the load balancer, added to the bus's EventMap by module augmentation: the checkers
 * publish 'rs:state' (the same declaration as src/check/events.ts, which owns its shape); the data plane publishes 'lb:apply' after each kernel transaction.
 */
import type { RsStateEvent } from '../check/events.js';
import type {} from '../core/events.js';

declare module '../core/events.js' {
  interface EventMap {
    /** A real server's checker verdict (declared first by the checkers, src/check/events.ts). */
    'rs:state': RsStateEvent;
    /** One data-plane transaction finished (or failed: `error` names the failing command). */
    'lb:apply': {
      dataplane: string;
      services: number;
      commands: number;
      elementsAdded: number;
      elementsRemoved: number;
      chainsReplaced: number;
      ms: number;
      error?: string;
    };
  }
}
