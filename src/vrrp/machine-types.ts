/**
 * Data types of the VRRP state machine (src/vrrp/machine.ts): its
 * configuration, state, inputs and effects. Data only; all times and
 * durations are integer microseconds (see timers.ts).
 */
import type { Micros } from './timers.js';

/** RFC 5798 §6.4 states plus keepalived's FAULT. INIT is also "stopped". */
export type VrrpStateName = 'INIT' | 'BACKUP' | 'MASTER' | 'FAULT';

/** What one instance's machine needs from the configuration, fixed at creation. */
export interface MachineConfig {
  /** Instance name, as in keepalived's log lines "(VI_1) Entering MASTER STATE". */
  name: string;
  version: 2 | 3;
  /** Configured priority 1..255; 255 = address owner. */
  priority: number;
  /** `state MASTER`: only an owner acts on it (others still wait the full MDI). */
  wantMaster: boolean;
  advertInt: Micros;
  /** keepalived extension, 1..100, default 3. */
  downTimerAdverts: number;
  nopreempt: boolean;
  /** 0 = none. Holds preemption off this long after a lower-priority master is first heard. */
  preemptDelay: Micros;
  /** keepalived default is accept; false means the VIPs are held but filtered (nft rule). */
  accept: boolean;
  /** Our primary (source) address, for the equal-priority tie-break. */
  primaryAddress: string;
  /** When true a master ignores lower-priority adverts instead of answering at once. */
  lowerPrioNoAdvert: boolean;
  /** Send one advert before stepping down to a higher-priority master. */
  higherPrioSendAdvert: boolean;
  /** GARP/NA burst size on becoming master, and the second burst's delay (0 = none). */
  garpMasterRepeat: number;
  garpMasterDelay: Micros;
  /** Periodic re-announcement while master (0 = off), checked when an advert is sent. */
  garpMasterRefresh: Micros;
  garpMasterRefreshRepeat: number;
  /**
   * garp_extra_if: one GARP/NA per extra interface (address VMACs, or every other interface
   * with `all`) this often while master (0 = off), checked when an advert is sent.
   */
  garpExtraIf: Micros;
  /** Re-announce after hearing a lower-priority advert as master (0 = off). */
  garpLowerPrioRepeat: number;
  garpLowerPrioDelay: Micros;
  /**
   * Member of a vrrp_sync_group: a BACKUP whose down timer fires does not go MASTER by itself; it
   * sets `wantsMaster`, re-arms the timer and waits for the group's `sync` input (keepalived's
   * wantstate).
   */
  syncGroup: boolean;
  /**
   * vrrp_startup_delay: until this time a BACKUP's down timer runs from it, not from now
   * (keepalived's vrrp_delayed_start_time), so nobody takes over before delay + MDI.
   */
  startupUntil: Micros | null;
}

export interface MachineState {
  readonly config: MachineConfig;
  readonly state: VrrpStateName;
  /** Priority used in adverts and comparisons (config, trackers, owner demotion). */
  readonly priority: number;
  /** Base priority; keepalived lowers an owner's to 254 when a second owner shows up. */
  readonly basePriority: number;
  /** Active fault reasons; non-empty ⇔ the instance wants FAULT. */
  readonly faults: readonly string[];
  /** v3: learned from the master's adverts; v2: always advertInt. */
  readonly masterAdverInt: Micros;
  /** MASTER: next advert; BACKUP: Master_Down_Timer expiry; INIT/FAULT: null. */
  readonly timerAt: Micros | null;
  /** preempt_delay: lower-priority adverts are accepted until this time. */
  readonly preemptAt: Micros | null;
  /** Second GARP/NA burst after becoming master (garp_master_delay). */
  readonly garpAt: Micros | null;
  /** Delayed burst after a lower-priority advert (garp_lower_prio_delay). */
  readonly lowerPrioGarpAt: Micros | null;
  /** Next periodic refresh (garp_master_refresh), sent with the advert due after it. */
  readonly refreshAt: Micros | null;
  /** Next garp_extra_if round, sent with the advert due after it. */
  readonly extraIfAt: Micros | null;
  /** Last master heard (address, priority), for status and logs. */
  readonly master: { readonly address: string; readonly priority: number } | null;
  /** Whether the effects so far have installed the VIPs. */
  readonly vips: boolean;
  /** Sync-group member in BACKUP whose down timer fired: it would be MASTER if the group agrees. */
  readonly wantsMaster: boolean;
}

/** A received advertisement that passed the packet checks (§1.7 of the notes). */
export interface AdvertInput {
  type: 'advert';
  /** 0..255; 0 = the master is leaving. */
  priority: number;
  /** Sender's primary address (IP source). */
  source: string;
  /** v3: the packet's interval in µs (centiseconds × 10 000). Ignored for v2. */
  advertInt: Micros;
}

export type MachineInput =
  | { type: 'start' }
  | { type: 'shutdown' }
  /** The shell's timer fired: now ≥ the last returned deadline. Early calls are harmless. */
  | { type: 'timer' }
  | AdvertInput
  /** A fault (interface down, weight-0 tracker failing…) raised or cleared, keyed by `reason`. */
  | { type: 'fault'; on: boolean; reason: string }
  /** New effective priority from the trackers (priority.ts); clamped, ignored for an owner. */
  | { type: 'priority'; priority: number }
  /**
   * The sync group's decision: BACKUP → MASTER (as on a down-timer expiry) or MASTER → BACKUP
   * (as on a higher-priority advert). Ignored in any other state and, to BACKUP, for an owner.
   */
  | { type: 'sync'; to: 'MASTER' | 'BACKUP' };

export type GarpReason =
  | 'master'
  | 'master-delay'
  | 'refresh'
  | 'lower-prio'
  | 'lower-prio-delay'
  /** garp_extra_if: one frame per extra interface; `repeat` is 1. */
  | 'extra-if';

export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export type MachineEffect =
  | { type: 'send-advert'; priority: number; advertInt: Micros }
  /** Add the VIPs (and virtual routes/rules); `accept` false → also install the drop rule. */
  | { type: 'add-vips'; accept: boolean }
  | { type: 'remove-vips'; accept: boolean }
  /** A burst of `repeat` gratuitous ARPs / unsolicited NAs for every VIP. */
  | { type: 'garp'; repeat: number; reason: GarpReason }
  | { type: 'notify'; state: NotifyState; priority: number }
  /** notify_master_rx_lower_pri / FIFO MASTER_RX_LOWER_PRI. */
  | { type: 'notify-master-rx-lower-pri'; priority: number }
  | { type: 'priority-changed'; from: number; to: number; state: VrrpStateName }
  | { type: 'transition'; from: VrrpStateName; to: VrrpStateName; reason: string }
  /** A log line in keepalived's words, instance prefix included. */
  | { type: 'log'; message: string };

export interface StepResult {
  state: MachineState;
  effects: MachineEffect[];
  /** When the shell must call step(…, {type:'timer'}, …) next; null = no timer. */
  deadline: Micros | null;
}
