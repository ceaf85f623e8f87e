/**
 * The last 'gateway:state' of every tracked gateway, kept by the gateway runtime as it
 * publishes. VRRP starts after the gateway subsystem has published the initial states, so its
 * track_gateway reads them here and follows the bus for changes. Module state, no I/O.
 */
import type { GatewayStateEvent } from './events.js';

const board = new Map<string, GatewayStateEvent>();

export function recordGatewayState(e: GatewayStateEvent): void {
  board.set(e.gateway, e);
}

export function clearGatewayStates(): void {
  board.clear();
}

/** undefined: not tracked (or not started yet). */
export function gatewayStateOf(name: string): GatewayStateEvent | undefined {
  return board.get(name);
}
