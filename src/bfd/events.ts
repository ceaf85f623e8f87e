/**
 * The BFD subsystem's events, added to the bus's EventMap by module augmentation (the core
 * event list stays untouched). Pure types.
 */
import type {} from '../core/events.js';
import type { BfdStateName } from './packet.js';

export interface BfdStateEvent {
  /** bfd_instance name, or the neighbour address for sessions nobody named. */
  name: string;
  neighbor: string;
  source: string | null;
  from: BfdStateName;
  to: BfdStateName;
  /** Local diagnostic (RFC 5880 §4.1) and its text, e.g. "Control Detection Time Expired". */
  diag: number;
  diagText: string;
  remoteDiag: number;
  localDisc: number;
  remoteDisc: number;
}

declare module '../core/events.js' {
  interface EventMap {
    'bfd:state': BfdStateEvent;
  }
}
