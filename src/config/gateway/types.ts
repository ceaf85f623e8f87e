/**
 * The gateway-tracking model (stayalive extension, no keepalived equivalent): `gateway_track`
 * blocks, each a next hop probed with ICMP echo, and the routes held while it answers.
 * Plain JSON data; durations in seconds.
 */
import type { Position } from '../diagnostics.js';

/** One route a gateway holds while it is up (or contributes a next hop to, when multipath). */
export interface GatewayRoute {
  family: 4 | 6;
  /** Network address of the destination ('0.0.0.0' / '::' for default). */
  dst: string;
  prefixLength: number;
  /** The next hop: the gateway's own address unless the line says `via`. */
  via: string;
  /** Outgoing interface: the line's `dev`, else the gateway's `interface`, else none. */
  dev: string | null;
  /** Routing table number (main = 254). */
  table: number;
  /** null: the kernel's default (0 for IPv4, 1024 for IPv6). */
  metric: number | null;
  src: string | null;
  /** Next-hop weight inside a multipath route (1–256). */
  weight: number;
  /** The destination as written, for log lines ("default", "203.0.113.0/24"). */
  text: string;
  pos: Position;
}

export type GatewayMethod = 'icmp' | 'bfd';

export interface GatewayTrack {
  name: string;
  pos: Position;
  /** The next hop probed. */
  address: string;
  family: 4 | 6;
  interface: string | null;
  /** icmp: echo probes; bfd: a BFD session to the address (shared with a bfd_instance to it). */
  method: GatewayMethod;
  /** Seconds between probes. */
  interval: number;
  /** Seconds a probe may take. */
  timeout: number;
  rise: number;
  fall: number;
  /** VRRP track_gateway priority change while down; 0 puts the instance in FAULT. */
  weight: number;
  /** Routes held while the gateway is up. */
  routes: GatewayRoute[];
  /**
   * Multipath memberships: every gateway line with the same family, destination, table and
   * metric forms one ECMP route whose next hops are the members that are up.
   */
  multipath: GatewayRoute[];
}

export interface GatewaySection {
  gateways: Record<string, GatewayTrack>;
}
