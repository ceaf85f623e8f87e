/**
 * global_defs and the root-level single keywords, as plain data.
 *
 * Durations are seconds. `null` means "not configured" where keepalived
 * distinguishes unset from a value (it then derives a default later).
 * Keywords stayalive accepts without interpreting yet keep their words in
 * `raw` (keyword → list of argument lists, one per occurrence).
 */
import type { Position } from '../diagnostics.js';
import type { ScriptValue } from './script-value.js';

/** lvs_dataplane: auto = IPVS when the kernel has it, else nftables. */
export type LvsDataplaneMode = 'auto' | 'nftables' | 'ipvs';

export interface FifoSpec {
  path: string;
  user: string | null;
  group: string | null;
  pos: Position;
}

export interface GlobalDefs {
  // --- root level (outside global_defs) ---
  netNamespace: string | null;
  netNamespaceIpvs: string | null;
  namespaceWithIpsets: boolean;
  usePidDir: boolean;
  instance: string | null;
  /** child_wait_time, seconds [5]. */
  childWaitTime: number;
  linkbeatUsePolling: boolean;

  // --- identity and mail ---
  routerId: string;
  /** Where SIGUSR1 / SIGUSR2 / the JSON dump write (keepalived 2.3's keywords); null = default. */
  stateDumpFile: string | null;
  statsDumpFile: string | null;
  jsonDumpFile: string | null;
  notificationEmail: string[];
  /** null → keepalived@<hostname>. */
  notificationEmailFrom: string | null;
  smtpServer: { host: string; port: number } | null;
  smtpHeloName: string;
  smtpConnectTimeout: number;
  smtpAlert: boolean | null;
  smtpAlertVrrp: boolean | null;
  smtpAlertChecker: boolean | null;
  noEmailFaults: boolean;
  noCheckerEmails: boolean;
  checkerLogAllFailures: boolean;

  // --- scripts ---
  scriptUser: { user: string; group: string | null } | null;
  /** script_user named a user or group the host lacks: no script without its own user runs. */
  scriptUserFailed: boolean;
  enableScriptSecurity: boolean;
  startupScript: ScriptValue | null;
  startupScriptTimeout: number;
  shutdownScript: ScriptValue | null;
  shutdownScriptTimeout: number;

  // --- VRRP defaults ---
  vrrpVersion: 2 | 3;
  vrrpMcastGroup4: string;
  vrrpMcastGroup6: string;
  defaultInterface: string;
  vrrpGarpMasterDelay: number;
  vrrpGarpMasterRepeat: number;
  vrrpGarpMasterRefresh: number;
  vrrpGarpMasterRefreshRepeat: number;
  /** null → same as vrrpGarpMasterDelay. */
  vrrpGarpLowerPrioDelay: number | null;
  /** null → same as vrrpGarpMasterRepeat. */
  vrrpGarpLowerPrioRepeat: number | null;
  vrrpGarpInterval: number;
  vrrpGnaInterval: number;
  vrrpMinGarp: boolean;
  vrrpGarpExtraIf: { all: boolean; interval: number } | null;
  /**
   * vrrp_rx_bufs_policy: the VRRP receive socket's buffer per instance without its own
   * kernel_rx_buf_size — a fixed size, or the multiplier times the MTU or the advert's length.
   */
  vrrpRxBufsPolicy: { kind: 'size'; size: number } | { kind: 'mtu' | 'advert' } | null;
  /** vrrp_rx_bufs_multiplier [3]. */
  vrrpRxBufsMultiplier: number;
  vrrpDownTimerAdverts: number;
  vrrpLowerPrioNoAdvert: boolean;
  vrrpHigherPrioSendAdvert: boolean;
  vrrpCheckUnicastSrc: boolean;
  vrrpSkipCheckAdvAddr: boolean;
  vrrpStrict: boolean;
  vrrpNotifyPriorityChanges: boolean;
  vrrpStartupDelay: number;
  logUnknownVrids: boolean;
  vmacPrefix: string | null;
  vmacAddrPrefix: string | null;
  dynamicInterfaces: boolean;
  dynamicInterfacesAllowIfChanges: boolean;
  disableLocalIgmp: boolean;

  // --- firewall ---
  nftables: { table: string } | null;
  nftablesPriority: number;
  nftablesCounters: boolean;
  nftablesIfindex: boolean;
  vrrpIptables: { in: string; out: string | null } | null;

  // --- notify FIFOs ---
  notifyFifo: FifoSpec | null;
  notifyFifoScript: ScriptValue | null;
  vrrpNotifyFifo: FifoSpec | null;
  vrrpNotifyFifoScript: ScriptValue | null;
  lvsNotifyFifo: FifoSpec | null;
  lvsNotifyFifoScript: ScriptValue | null;
  fifoWriteVrrpStatesOnReload: boolean;
  rsInitNotifies: boolean;

  // --- process tuning ---
  vrrpPriority: number | null;
  checkerPriority: number | null;
  bfdPriority: number | null;
  vrrpNoSwap: boolean;
  checkerNoSwap: boolean;
  bfdNoSwap: boolean;
  vrrpRtPriority: number | null;
  checkerRtPriority: number | null;
  bfdRtPriority: number | null;
  maxAutoPriority: number;
  /** Seconds [1]. */
  minAutoPriorityDelay: number;

  // --- SNMP / DBus ---
  snmpSocket: string | null;
  enableSnmpVrrp: boolean;
  enableSnmpChecker: boolean;
  enableSnmpRfcv2: boolean;
  enableSnmpRfcv3: boolean;
  enableTraps: boolean;
  enableDbus: boolean;
  dbusServiceName: string | null;

  // --- reload, files ---
  reloadCheckConfig: { logFile: string | null } | null;
  reloadFile: string | null;
  umask: number | null;
  randomSeed: number | null;
  dataUseInstance: boolean;

  // --- stayalive extensions (stayalive-keywords.ts) ---
  /** lvs_dataplane: which kernel data plane load-balances (default auto). */
  lvsDataplane: LvsDataplaneMode;

  /** Accepted keywords kept as written (not interpreted by stayalive yet). */
  raw: Record<string, string[][]>;
}
