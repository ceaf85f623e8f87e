/**
 * The VRRP-side model: instances, sync groups, trackers, static addresses,
 * routes and rules. Plain JSON data; durations in seconds.
 */
import type { TrackGatewayRef } from '../gateway/track.js';
import type { Position } from '../diagnostics.js';
import type { ScriptValue } from '../global/script-value.js';

export interface AddressSpec {
  address: string;
  prefixLength: number;
  family: 4 | 6;
  broadcast: string | null;
  dev: string | null;
  scope: string | null;
  label: string | null;
  peer: string | null;
  home: boolean;
  nodad: boolean;
  mngtmpaddr: boolean;
  noprefixroute: boolean;
  autojoin: boolean;
  noTrack: boolean;
  /** Seconds; 'forever' → null with preferredForever. */
  preferredLft: number | null;
  useVmac: boolean;
  trackGroup: string | null;
  pos: Position;
}

export interface RouteSpec {
  family: 4 | 6;
  /** Route type (unicast, blackhole, unreachable, prohibit, throw…). */
  type: string;
  to: string;
  src: string | null;
  via: string | null;
  dev: string | null;
  table: string | null;
  metric: number | null;
  /** Every option as written after the destination, for the runtime to apply. */
  options: Record<string, string>;
  noTrack: boolean;
  trackGroup: string | null;
  pos: Position;
}

export interface RuleSpec {
  family: 4 | 6;
  from: string | null;
  to: string | null;
  table: string | null;
  priority: number | null;
  /** keepalived assigned the priority (none given): 16384 downwards, per family. */
  autoPriority: boolean;
  fwmark: string | null;
  iif: string | null;
  oif: string | null;
  options: Record<string, string>;
  noTrack: boolean;
  trackGroup: string | null;
  pos: Position;
}

export interface TrackRef {
  name: string;
  weight: number;
  reverse: boolean;
  pos: Position;
}

export interface Tracking {
  interfaces: TrackRef[];
  scripts: TrackRef[];
  files: TrackRef[];
  processes: TrackRef[];
  bfds: TrackRef[];
  /** track_gateway (stayalive extension); weight null → the gateway_track's own weight. */
  gateways: TrackGatewayRef[];
}

export interface UnicastPeer {
  address: string;
  minTtl: number;
  maxTtl: number;
}

export type VrrpState = 'MASTER' | 'BACKUP';

export interface VrrpInstance {
  name: string;
  pos: Position;
  /** False when keepalived would refuse it (no VRID, no interface…); see `problems`. */
  usable: boolean;
  problems: string[];
  /** Configured state after keepalived's adjustments. */
  state: VrrpState;
  stateSet: VrrpState | null;
  interface: string | null;
  vrf: string | null;
  dontTrackPrimary: boolean;
  virtualRouterId: number | null;
  priority: number;
  prioritySet: number | null;
  /** Seconds, after per-version rounding. */
  advertInt: number;
  version: 2 | 3;
  versionSet: 2 | 3 | null;
  family: 4 | 6;
  familySet: boolean;
  virtualIpaddress: AddressSpec[];
  virtualIpaddressExcluded: AddressSpec[];
  virtualRoutes: RouteSpec[];
  virtualRules: RuleSpec[];
  promoteSecondaries: boolean;
  unicastPeers: UnicastPeer[];
  /** Any unicast keyword was given (keepalived's UNICAST_CONFIGURED). */
  unicastConfigured: boolean;
  unicastSrcIp: string | null;
  mcastSrcIp: string | null;
  mcastDstIp: string | null;
  unicastTtl: number | null;
  checkUnicastSrc: boolean;
  unicastFaultNoPeer: boolean;
  oldUnicastChecksum: 'never' | 'config' | null;
  /** keepalived 2.2.8's v3_checksum_as_v2: send VRRPv3/IPv4 without the pseudo-header. */
  v3ChecksumAsV2: boolean;
  trackSrcIp: boolean;
  nopreempt: boolean;
  preemptDelay: number;
  accept: boolean;
  acceptSet: boolean | null;
  strictMode: boolean;
  strictModeSet: boolean | null;
  skipCheckAdvAddr: boolean;
  downTimerAdverts: number;
  lowerPrioNoAdvert: boolean | null;
  higherPrioSendAdvert: boolean | null;
  garpMasterDelay: number;
  garpMasterRepeat: number;
  garpMasterRefresh: number;
  garpMasterRefreshRepeat: number;
  garpLowerPrioDelay: number | null;
  garpLowerPrioRepeat: number | null;
  garpExtraIf: { all: boolean; interval: number } | null;
  useVmac: { ifname: string | null; mac: string | null } | null;
  useVmacAddr: boolean;
  vmacXmitBase: boolean;
  useIpvlan: { ifname: string | null; address: string | null; mode: string | null } | null;
  track: Tracking;
  authType: 'PASS' | 'AH' | null;
  authPass: string | null;
  notify: {
    master: ScriptValue | null;
    backup: ScriptValue | null;
    fault: ScriptValue | null;
    stop: ScriptValue | null;
    deleted: ScriptValue | null;
    /** notify_deleted given (with or without a script). */
    notifyDeleted: boolean;
    any: ScriptValue | null;
    masterRxLowerPri: ScriptValue | null;
  };
  notifyPriorityChanges: boolean | null;
  smtpAlert: boolean | null;
  kernelRxBufSize: number | null;
  debug: number;
  linkbeatUsePolling: boolean;
  syncGroup: string | null;
}

export interface SyncGroup {
  name: string;
  pos: Position;
  members: string[];
  membersSet: boolean;
  track: Tracking;
  notify: {
    master: ScriptValue | null;
    backup: ScriptValue | null;
    fault: ScriptValue | null;
    stop: ScriptValue | null;
    any: ScriptValue | null;
  };
  smtpAlert: boolean | null;
  trackingWeight: boolean;
  notifyPriorityChanges: boolean | null;
}

export interface VrrpScript {
  name: string;
  pos: Position;
  script: ScriptValue | null;
  interval: number;
  /** null → same as interval. */
  timeout: number | null;
  weight: number;
  weightReverse: boolean;
  rise: number;
  fall: number;
  user: { user: string; group: string | null } | null;
  initFail: boolean;
  /** Set when keepalived would not run it: 'not found/accessible' or 'insecure'. */
  disabled?: string;
}

export interface TrackFile {
  name: string;
  pos: Position;
  file: string | null;
  weight: number;
  weightReverse: boolean;
  initFile: { value: number; overwrite: boolean } | null;
}

export interface TrackProcess {
  name: string;
  pos: Position;
  process: string | null;
  params: string[];
  paramMatch: 'exact' | 'initial' | 'partial' | null;
  weight: number;
  weightReverse: boolean;
  quorum: number;
  quorumMax: number | null;
  delay: number | null;
  terminateDelay: number | null;
  forkDelay: number | null;
  fullCommand: boolean;
}

export interface GarpGroup {
  pos: Position;
  garpInterval: number | null;
  gnaInterval: number | null;
  interfaces: string[];
  /** An `interfaces { }` block was given (keepalived numbers these groups). */
  interfacesBlock: boolean;
}

export interface VrrpSection {
  instances: Record<string, VrrpInstance>;
  syncGroups: Record<string, SyncGroup>;
  scripts: Record<string, VrrpScript>;
  trackFiles: Record<string, TrackFile>;
  trackProcesses: Record<string, TrackProcess>;
  staticIpaddress: AddressSpec[];
  staticRoutes: RouteSpec[];
  staticRules: RuleSpec[];
  trackGroups: Record<string, { name: string; members: string[]; pos: Position }>;
  garpGroups: GarpGroup[];
  linkbeatInterfaces: { name: string; type: 'MII' | 'ETHTOOL' | 'IOCTL' | null; pos: Position }[];
  interfaceUpDownDelays: { name: string; downDelay: number; upDelay: number; pos: Position }[];
  /** Interfaces named in the config that the host lacks (keepalived's BAD_IF at the end). */
  missingInterfaces: { name: string; pos: Position }[];
}
