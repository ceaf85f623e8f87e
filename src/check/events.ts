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

/**
 * A virtual server's quorum changed (or it starts without quorum and has a sorry server):
 * keepalived's numbers for its mail, `threshold` being the one the change was judged against.
 */
export interface VsQuorumEvent {
  vs: string;
  up: boolean;
  /** At start (keepalived's "Starting with quorum …"). */
  init: boolean;
  /** The daemon is stopping an `omega` virtual server ("Shutting down"). */
  stopping: boolean;
  quorum: number;
  hysteresis: number;
  threshold: number;
  /** Live weight. */
  weight: number;
}

/** A live real server leaves without a verdict: daemon shutdown (`omega`) or a reload. */
export interface RsGoneEvent {
  vs: string;
  rs: string;
  why: 'shutdown' | 'removed';
  /** Its smtp_alert, resolved: a removed server is no longer in the config the mailer reads. */
  smtpAlert: boolean;
}

declare module '../core/events.js' {
  interface EventMap {
    'check:result': CheckResultEvent;
    'rs:state': RsStateEvent;
    'vs:quorum': VsQuorumEvent;
    'rs:gone': RsGoneEvent;
  }
}
