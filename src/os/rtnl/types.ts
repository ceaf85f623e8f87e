/**
 * Data shapes of the rtnetlink client: what dumps and events return (…Info) and what add/delete
 * requests take (…Spec). Data only. Addresses are text as `ip` prints them.
 */
import type { AddressFlag, RouteType, RuleAction, Scope } from './constants.js';
import type { Family } from './ip.js';

export type { AddressFlag, RouteType, RuleAction, Scope } from './constants.js';
export type { Family } from './ip.js';

export type OperState =
  'unknown' | 'notpresent' | 'down' | 'lowerlayerdown' | 'testing' | 'dormant' | 'up';

export interface LinkInfo {
  index: number;
  name: string;
  /** Raw IFF_* bits. */
  flags: number;
  up: boolean;
  running: boolean;
  /** Carrier (IFF_LOWER_UP). */
  lowerUp: boolean;
  operstate: OperState;
  mac?: string;
  mtu?: number;
  /** IFLA_INFO_KIND: 'veth', 'macvlan', 'bridge'…; absent for plain devices such as lo. */
  kind?: string;
  /** IFLA_LINK: the lower device (macvlan parent, veth peer index in its namespace). */
  link?: number;
  master?: number;
  macvlanMode?: MacvlanMode;
}

export type MacvlanMode = 'private' | 'vepa' | 'bridge' | 'passthru' | 'source';

export interface AddressInfo {
  family: Family;
  ifindex: number;
  address: string;
  prefixLength: number;
  /** RT_SCOPE_* value (0 global, 253 link, 254 host). */
  scope: number;
  /** Names of the IFA_F_* bits set (from IFA_FLAGS when present). */
  flags: AddressFlag[];
  label?: string;
  broadcast?: string;
  /** Point-to-point peer, when it differs from the local address. */
  peer?: string;
}

export interface AddressSpec {
  ifindex: number;
  address: string;
  prefixLength: number;
  /** Inferred from the address when omitted. */
  family?: Family;
  broadcast?: string;
  scope?: Scope | number;
  /** IPv4 only (the kernel ignores labels on IPv6). */
  label?: string;
  /** Point-to-point peer (IFA_ADDRESS); also sent on delete, where the kernel matches it. */
  peer?: string;
  /** IPv6: preferred lifetime in seconds (0 = deprecated at once); valid stays infinite. */
  preferredLft?: number;
  flags?: ('nodad' | 'noprefixroute' | 'home' | 'mngtmpaddr' | 'autojoin')[];
}

export interface NextHopInfo {
  gateway?: string;
  ifindex: number;
  weight: number;
  /** RTNH_F_* bits (1 dead, 4 onlink, 0x10 linkdown…). */
  flags: number;
}

export interface RouteInfo {
  family: Family;
  dst: string;
  prefixLength: number;
  table: number;
  /** RTPROT_* value (2 kernel, 3 boot, 4 static, 18 keepalived…). */
  protocol: number;
  scope: number;
  type: RouteType;
  gateway?: string;
  ifindex?: number;
  metric?: number;
  src?: string;
  multipath?: NextHopInfo[];
}

export interface NextHopSpec {
  gateway?: string;
  ifindex: number;
  /** 1–256; default 1. */
  weight?: number;
}

export interface RouteSpec {
  dst: string;
  prefixLength: number;
  family?: Family;
  gateway?: string;
  ifindex?: number;
  /** Default main (254). */
  table?: number;
  metric?: number;
  src?: string;
  /** Default: link for a unicast route with no gateway, else universe (as `ip route` does). */
  scope?: Scope | number;
  /** Default boot, as `ip route add`. */
  protocol?: 'boot' | 'static' | 'keepalived' | number;
  type?: 'unicast' | 'blackhole' | 'unreachable' | 'prohibit' | 'throw';
  multipath?: NextHopSpec[];
}

export interface RuleInfo {
  family: Family;
  priority: number;
  table: number;
  action: RuleAction | number;
  /** CIDR, e.g. '192.0.2.0/24'. */
  from?: string;
  to?: string;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  invert: boolean;
  goto?: number;
  suppressPrefixLength?: number;
  protocol?: number;
}

export interface RuleSpec {
  family: Family;
  priority?: number;
  /** Needed for action 'table' (the default). */
  table?: number;
  action?: RuleAction;
  from?: string;
  to?: string;
  fwmark?: number;
  fwmask?: number;
  iif?: string;
  oif?: string;
  invert?: boolean;
  protocol?: number;
}

export interface MacvlanSpec {
  name: string;
  /** ifindex of the lower device. */
  link: number;
  mode: 'private' | 'bridge' | 'vepa';
  mac?: string;
}

export type RtnlEvent =
  | { type: 'link'; action: 'new' | 'del'; link: LinkInfo }
  | { type: 'address'; action: 'new' | 'del'; address: AddressInfo }
  | { type: 'route'; action: 'new' | 'del'; route: RouteInfo }
  | { type: 'rule'; action: 'new' | 'del'; rule: RuleInfo };
