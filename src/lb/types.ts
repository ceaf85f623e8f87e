/**
 * The load balancer's desired table: what the kernel should do for each virtual service, built
 * from the config model and the live real-server states (desired.ts). Pure data.
 */
import type { Family } from '../config/lvs/types.js';

export type L4Proto = 'tcp' | 'udp' | 'sctp';

/** How packets reach a service: VIP[:port]/proto (port 0 = every port) or a firewall mark. */
export type ServiceMatch =
  | { kind: 'addr'; family: Family; addr: string; proto: L4Proto; port: number }
  | { kind: 'fwmark'; family: Family; mark: number };

export interface DesiredBackend {
  /** formatRs() spelling: the real server's id on the bus and in status. */
  id: string;
  addr: string;
  /** 0 = keep the client's destination port. */
  port: number;
  /** Effective weight; 0 = drained (kept for status and persistence, gets no new flows). */
  weight: number;
  /** True for the sorry server while it stands in for the pool. */
  sorry: boolean;
  /** Checker verdict (sorry server: true while in use). */
  up: boolean;
}

export interface Persistence {
  /** Seconds. */
  timeout: number;
  /** Prefix length of the client address that forms the key (32/128 = whole address). */
  prefix: number;
}

export interface DesiredService {
  /** formatVs() spelling. */
  id: string;
  family: Family;
  matches: ServiceMatch[];
  /** keepalived's lb_algo. */
  scheduler: string;
  /** sh-port / mh-port: hash the source port too. */
  hashPort: boolean;
  /** TUN only reaches the IPVS data plane (buildDesired's `tunnels`). */
  method: 'NAT' | 'DR' | 'TUN';
  /** NAT: masquerade the service's traffic (stayalive's `masquerade` keyword). */
  masquerade?: boolean;
  persistence: Persistence | null;
  /** Configured backends in config order, then the sorry server while active. */
  backends: DesiredBackend[];
  /** Every usable configured real server with its configured weight: the Maglev base table. */
  configured: Array<{ id: string; weight: number; addr: string; port: number }>;
  quorumUp: boolean;
  sorryActive: boolean;
  /** lc/wlc/sed/nq: slot weights from live connection counts (least-conn.ts); absent = static. */
  slotWeights?: ReadonlyMap<string, number>;
}

export interface DesiredTable {
  services: DesiredService[];
  /** Services left out, with the reason (TUN, unusable objects…). */
  refused: Array<{ id: string; why: string }>;
}

/** A real server's live state as reported by the checkers ('rs:state'). */
export interface RsState {
  up: boolean;
  weight: number;
}
