/**
 * The last known state of every named BFD session, kept by the registry as it publishes
 * 'bfd:state'. Readers that start after a session changed (VRRP track_bfd, BFD_CHECK) read it
 * here and follow the bus for changes. Module state, no I/O. An unknown name reads as Down
 * (keepalived starts every tracked BFD down).
 */
import type { BfdStateName } from './packet.js';

const board = new Map<string, BfdStateName>();

export function recordBfdState(name: string, state: BfdStateName): void {
  board.set(name, state);
}

export function forgetBfdState(name: string): void {
  board.delete(name);
}

export function bfdStateOf(name: string): BfdStateName {
  return board.get(name) ?? 'Down';
}

export function bfdIsUp(name: string): boolean {
  return bfdStateOf(name) === 'Up';
}
