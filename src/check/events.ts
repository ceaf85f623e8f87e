/**
 * The checker subsystem's events, added to the bus's EventMap by module augmentation (the
 * core event list stays untouched). Pure types.
 *
 * Ids are keepalived's spellings (config/lvs/format.ts): vs "[192.0.2.100]:tcp:80",
 * rs "[192.0.2.11]:tcp:80" — the load-balancing data plane keys its table on them.
 */
import type {} from '../core/events.js';

export interface CheckResultEvent {
  vs: string;
  rs: string;
  /** "TCP_CHECK#0": checker type and index within the real server. */
  checker: string;
  ok: boolean;
  reason: string;
  latencyMs: number;
  /** The checker's verdict after this result. */
  up: boolean;
  /** A failure that will be retried (not yet a verdict). */
  retrying: boolean;
}

/**
 * A real server's verdict: at start (reason 'start') for each real server, then on every
 * change of `up` or of the effective weight (configured + dynamic, clamped at 0). The load
 * balancer declares the same member, so the type is spelled out identically here.
 */
export type RsStateEvent = {
  vs: string;
  rs: string;
  up: boolean;
  weight: number;
  reason: string;
  /** 'start': the initial state of a real server; 'change': up/down; 'weight': weight only. */
  cause?: 'start' | 'change' | 'weight';
};

declare module '../core/events.js' {
  interface EventMap {
    'check:result': CheckResultEvent;
    'rs:state': RsStateEvent;
  }
}
