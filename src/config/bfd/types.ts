/**
 * BFD model: `bfd_instance NAME { … }` blocks keyed by name. Pure data.
 * Intervals are seconds (keepalived takes milliseconds in the config).
 */
import type { Position } from '../diagnostics.js';

export interface BfdInstance {
  name: string;
  pos: Position;
  /** False when keepalived disables/ignores the instance (e.g. no neighbor). */
  usable: boolean;
  why?: string;
  neighborIp: string | null;
  sourceIp: string | null;
  /** Seconds [0.01]. */
  minRx: number;
  /** Seconds [0.01]. */
  minTx: number;
  /** Seconds [1]. */
  idleTx: number;
  /** [5] */
  multiplier: number;
  passive: boolean;
  /** RFC 5883 multihop (keepalived 2.2.8+; 2.2.7 calls it unknown). */
  multihop: boolean;
  /** TTL (IPv4) or hop limit (IPv6) sent; 255 / 64 when not written. */
  ttl: number;
  /** Max hops accepted; 0 = only direct, -1 / 255 = no check. [0] */
  maxHops: number;
  /** VRRP-side `weight N [reverse]` for track_bfd users [0]. */
  weight: number;
  weightReverse: boolean;
  /** Which processes get this instance's events (both when neither is written). */
  vrrp: boolean;
  checker: boolean;
}

export interface BfdSection {
  instances: Record<string, BfdInstance>;
}
