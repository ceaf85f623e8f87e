/**
 * LVS-side model: virtual server groups, virtual servers, real servers,
 * their health checkers and the top-level `SSL` block. Pure data (plain
 * objects, arrays, primitives). Durations are seconds.
 *
 * `null` in an inheritable field (delay loop, retry, …) means "not written
 * here"; finalizeLvs() resolves checkers' values down VS → RS → checker the
 * way keepalived's validate_check_config() does. Objects keepalived would
 * drop are kept with `usable: false` and a `why` so tools can show them.
 */
import type { Position } from '../diagnostics.js';

/** A script-like value (misc_path, notify_up, quorum_up…). */
export interface ScriptCommand {
  /** The raw text after the keyword (quotes kept). */
  command: string;
  /** keepalived's shell-like argv (config/script-words.ts); argv[0] is the program. */
  argv: string[];
  /** `user [group]` after the command (notify and quorum scripts; MISC_CHECK has `user`). */
  user: string | null;
  group: string | null;
  pos: Position;
}

export type Family = 4 | 6;

export interface Forwarding {
  method: 'NAT' | 'DR' | 'TUN';
  /** TUN only; keepalived's default is ipip. */
  tunnelType: 'ipip' | 'gue' | 'gre';
  /** gue only (required there), else 0. */
  tunnelPort: number;
  tunnelChecksum: 'nocsum' | 'csum' | 'remcsum';
}

export type VsgEntry =
  | {
      kind: 'range';
      /** First address of the range. */
      start: string;
      /** Last address (same as start for a single address). */
      end: string;
      family: Family;
      /** 0 = no port (persistent services only). */
      port: number;
      pos: Position;
    }
  | { kind: 'fwmark'; fwmark: number; family: Family | null; pos: Position };

export interface VirtualServerGroup {
  name: string;
  entries: VsgEntry[];
  usable: boolean;
  why?: string;
  pos: Position;
}

export type VsKey =
  | { kind: 'address'; address: string; family: Family; /** 0 = none */ port: number }
  | { kind: 'fwmark'; fwmark: number }
  | { kind: 'group'; group: string };

export interface ConnOpts {
  /** null → the real server's address (filled by finalize). */
  connectIp: string | null;
  /** null → the real server's port (filled by finalize). */
  connectPort: number | null;
  bindto: string | null;
  bindPort: number | null;
  bindIf: string | null;
  /** Seconds; null → RS, then VS connect_timeout (filled by finalize). */
  connectTimeout: number | null;
  /** SO_MARK for the probe socket. */
  fwmark: number | null;
}

interface CheckerBase {
  pos: Position;
  /** False when keepalived would drop (dequeue) this checker. */
  usable: boolean;
  why?: string;
  alpha: boolean | null;
  retry: number | null;
  delayBeforeRetry: number | null;
  warmup: number | null;
  delayLoop: number | null;
  logAllFailures: boolean | null;
}

export interface HttpUrl {
  path: string | null;
  /** Lower-case MD5 hex of the body, or null. */
  digest: string | null;
  /** Inclusive ranges; [[200, 299]] when none are given. */
  statusCodes: Array<[number, number]>;
  virtualhost: string | null;
  regex: string | null;
  regexNoMatch: boolean;
  regexOptions: string[];
  regexMinOffset: number;
  /** keepalived keeps max+1 internally; this is the value as written (0 = none). */
  regexMaxOffset: number;
  regexStack: { start: number; max: number } | null;
  /** False when the regex does not compile: the url then always fails. */
  regexValid: boolean;
  pos: Position;
}

export interface HttpChecker extends CheckerBase {
  type: 'HTTP_GET' | 'SSL_GET';
  conn: ConnOpts;
  virtualhost: string | null;
  httpProtocol: '1.0' | '1.0C' | '1.1';
  enableSni: boolean;
  fastRecovery: boolean;
  urls: HttpUrl[];
}

export interface TcpChecker extends CheckerBase {
  type: 'TCP_CHECK';
  conn: ConnOpts;
}

export interface PingChecker extends CheckerBase {
  type: 'PING_CHECK';
  conn: ConnOpts;
}

export interface SmtpChecker extends CheckerBase {
  type: 'SMTP_CHECK';
  conn: ConnOpts;
  heloName: string;
  /** Deprecated host{} blocks; keepalived makes one checker per host. */
  hosts: ConnOpts[];
}

export interface DnsChecker extends CheckerBase {
  type: 'DNS_CHECK';
  conn: ConnOpts;
  queryType: 'A' | 'NS' | 'CNAME' | 'SOA' | 'MX' | 'TXT' | 'AAAA';
  /** '' means the root. */
  name: string;
}

export interface UdpChecker extends CheckerBase {
  type: 'UDP_CHECK';
  conn: ConnOpts;
  /** Hex bytes, lower case, or null (empty datagram). */
  payload: string | null;
  requireReply: boolean;
  /** Hex with `x` nibbles as wildcards, or null (any reply). */
  replyPattern: string | null;
  minReplyLength: number;
  maxReplyLength: number;
}

export interface MiscChecker extends CheckerBase {
  type: 'MISC_CHECK';
  script: ScriptCommand | null;
  /** Seconds; null → delay_loop at run time. */
  timeout: number | null;
  dynamic: boolean;
  user: string | null;
  group: string | null;
}

export interface FileChecker extends CheckerBase {
  type: 'FILE_CHECK';
  trackFile: string | null;
  /** null → the track_file's own weight. */
  weight: number | null;
  reverse: boolean | null;
}

export interface BfdChecker extends CheckerBase {
  type: 'BFD_CHECK';
  bfd: string | null;
}

export type Checker =
  | HttpChecker
  | TcpChecker
  | PingChecker
  | SmtpChecker
  | DnsChecker
  | UdpChecker
  | MiscChecker
  | FileChecker
  | BfdChecker;

export interface RealServer {
  address: string;
  family: Family;
  /** 0 = taken from the VS (NAT/DR) or none (fwmark). */
  port: number;
  pos: Position;
  usable: boolean;
  why?: string;
  /** null until finalize: then the VS weight unless written. */
  weight: number | null;
  forwarding: Forwarding | null;
  uThreshold: number | null;
  lThreshold: number | null;
  inhibitOnFailure: boolean | null;
  alpha: boolean | null;
  retry: number | null;
  delayBeforeRetry: number | null;
  warmup: number | null;
  connectTimeout: number | null;
  delayLoop: number | null;
  notifyUp: ScriptCommand | null;
  notifyDown: ScriptCommand | null;
  smtpAlert: boolean | null;
  virtualhost: string | null;
  snmpName: string | null;
  checkers: Checker[];
}

export interface SorryServer {
  address: string;
  family: Family;
  port: number;
  inhibit: boolean;
  forwarding: Forwarding | null;
  pos: Position;
}

export type SchedFlag =
  'ops' | 'flag-1' | 'flag-2' | 'flag-3' | 'sh-port' | 'sh-fallback' | 'mh-port' | 'mh-fallback';

export interface VirtualServer {
  key: VsKey;
  pos: Position;
  usable: boolean;
  why?: string;
  family: Family | null;
  /** null until finalize: then 'wlc' unless written. */
  scheduler: string | null;
  schedFlags: SchedFlag[];
  forwarding: Forwarding | null;
  protocol: 'TCP' | 'UDP' | 'SCTP' | null;
  /** Seconds; 0 = not persistent. */
  persistenceTimeout: number;
  persistenceGranularity: string | null;
  persistenceEngine: string | null;
  haSuspend: boolean;
  alpha: boolean;
  omega: boolean;
  inhibitOnFailure: boolean;
  quorum: number;
  hysteresis: number;
  quorumUp: ScriptCommand | null;
  quorumDown: ScriptCommand | null;
  weight: number;
  delayLoop: number;
  connectTimeout: number;
  retry: number | null;
  delayBeforeRetry: number | null;
  warmup: number | null;
  sorryServer: SorryServer | null;
  virtualhost: string | null;
  smtpAlert: boolean | null;
  snmpName: string | null;
  /** stayalive extension (stayalive-keywords.ts): masquerade NAT traffic; null = off. */
  masquerade: { pos: Position } | null;
  realServers: RealServer[];
}

export interface SslContext {
  password: string | null;
  ca: string | null;
  certificate: string | null;
  key: string | null;
  pos: Position;
}

export interface LvsSection {
  virtualServerGroups: Record<string, VirtualServerGroup>;
  virtualServers: VirtualServer[];
  /** null → keepalived generates a context when an SSL_GET needs one. */
  ssl: SslContext | null;
}
