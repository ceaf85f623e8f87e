/**
 * Gateway tracking's events, added to the bus's EventMap by module augmentation. Pure types.
 * VRRP's track_gateway follows 'gateway:state'; logs, metrics and tests subscribe to the rest.
 */
import type {} from '../core/events.js';

export interface GatewayProbeEvent {
  gateway: string;
  address: string;
  ok: boolean;
  /** Round-trip time of a successful probe. */
  rttMs: number | null;
  reason: string;
}

/** A gateway went up or down (also at start, with reason 'start' / 'adopted'). */
export interface GatewayStateEvent {
  gateway: string;
  address: string;
  up: boolean;
  reason: string;
  /** The gateway_track's weight (VRRP priority change while down; 0 → FAULT). */
  weight: number;
}

/** A route change made (or attempted) by gateway tracking. */
export interface GatewayRouteEvent {
  /** The gateway's name, or 'multipath' for an ECMP route. */
  gateway: string;
  action: 'add' | 'delete' | 'replace' | 'adopt' | 'stale';
  /** `ip route` style description. */
  route: string;
  ok: boolean;
  error?: string;
}

/** A static_ipaddress / static_routes / static_rules object installed or removed. */
export interface GatewayStaticEvent {
  kind: 'address' | 'route' | 'rule';
  action: 'add' | 'adopt' | 'delete';
  object: string;
  ok: boolean;
  error?: string;
}

declare module '../core/events.js' {
  interface EventMap {
    'gateway:probe': GatewayProbeEvent;
    'gateway:state': GatewayStateEvent;
    'gateway:route': GatewayRouteEvent;
    'gateway:static': GatewayStaticEvent;
  }
}
