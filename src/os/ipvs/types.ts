/**
 * Typed inputs and outputs of the IPVS codec. Data only.
 * Durations are seconds; addresses are text ('192.0.2.10', '2001:db8::10').
 */

export type Family = 4 | 6;
export type Protocol = 'TCP' | 'UDP' | 'SCTP';
/** keepalived's lb_kind names; LOCAL is IP_VS_CONN_F_LOCALNODE (never set by keepalived). */
export type ForwardMethod = 'NAT' | 'DR' | 'TUN' | 'LOCAL';
/** The names keepalived's config uses (config/lvs/types.ts SchedFlag), plus 'persistent'. */
export type ServiceFlag =
  | 'persistent'
  | 'ops'
  | 'flag-1'
  | 'flag-2'
  | 'flag-3'
  | 'sh-fallback'
  | 'sh-port'
  | 'mh-fallback'
  | 'mh-port';

/** Which service: VIP + protocol + port, or a firewall mark. */
export type ServiceKey =
  | { family: Family; protocol: Protocol; address: string; port: number }
  | { family: Family; fwmark: number };

export type ServiceSpec = ServiceKey & {
  /** Scheduler name ('wlc', 'rr', 'mh'…), ≤ 15 bytes. */
  scheduler: string;
  /** Flags to set; every other flag is cleared (mask ~0, as ipvsadm and keepalived send). */
  flags?: ServiceFlag[];
  /** Persistence timeout in seconds; > 0 also sets the persistent flag. Default 0. */
  persistenceTimeout?: number;
  /**
   * Persistence granularity: a prefix length (IPv4 0–32, IPv6 1–128) or an IPv4 dotted mask.
   * Default: /32 for IPv4, /128 for IPv6 (what ipvsadm sends).
   */
  netmask?: number | string;
  /** Persistence engine ('sip'), ≤ 15 bytes. */
  persistenceEngine?: string;
};

export interface TunnelSpec {
  type: 'ipip' | 'gue' | 'gre';
  /** GUE only: the UDP port. */
  port?: number;
  /** gue/gre only. Default 'nocsum'. */
  checksum?: 'nocsum' | 'csum' | 'remcsum';
}

export interface DestKey {
  address: string;
  /** Default: the family of the address literal. */
  family?: Family;
  /** 0 for fwmark services without a port. */
  port: number;
}

export interface DestSpec extends DestKey {
  forward: ForwardMethod;
  weight: number;
  /** 0 = no limit. */
  upperThreshold?: number;
  lowerThreshold?: number;
  /** Only with forward 'TUN'. */
  tunnel?: TunnelSpec;
}

export interface Stats {
  conns: number;
  inPackets: number;
  outPackets: number;
  inBytes: number;
  outBytes: number;
  cps: number;
  inPps: number;
  outPps: number;
  inBps: number;
  outBps: number;
}

export type ServiceInfo = ServiceKey & {
  scheduler: string;
  persistenceEngine: string | null;
  /** Raw IP_VS_SVC_F_* bits (hashed included). */
  flagBits: number;
  /** Named flags; sched1/2 are reported under the scheduler's names (sh-*, mh-*, else flag-*). */
  flags: ServiceFlag[];
  persistenceTimeout: number;
  /** Prefix length; an IPv4 mask that is not contiguous comes back dotted. */
  netmask: number | string;
  /** STATS64 when the kernel sent it, else STATS; null when neither. */
  stats: Stats | null;
};

export interface DestInfo {
  address: string;
  family: Family;
  port: number;
  forward: ForwardMethod;
  weight: number;
  upperThreshold: number;
  lowerThreshold: number;
  activeConns: number;
  inactiveConns: number;
  persistentConns: number;
  /** Present when the kernel reports a tunnel type (kernel ≥ 5.2) and forward is TUN. */
  tunnel: Required<TunnelSpec> | null;
  stats: Stats | null;
}

/** Connection timeouts in seconds; 0 or absent = leave unchanged. */
export interface Timeouts {
  tcp?: number;
  tcpFin?: number;
  udp?: number;
}

export interface IpvsInfo {
  /** e.g. 0x010201 → '1.2.1'. */
  version: string;
  connTableSize: number;
}
