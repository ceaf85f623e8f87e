/**
 * Types of the BFD session reducer (machine.ts). Pure data. Every time and interval is an
 * integer number of microseconds, as on the wire.
 */
import type { BfdControl, BfdDropReason, BfdStateName } from './packet.js';

export type Micros = number;

export interface SessionConfig {
  /** keepalived's bfd_instance name, or a label like "198.51.100.1" for other users. */
  name: string;
  /** bfd.DesiredMinTxInterval once Up (keepalived min_tx). */
  desiredMinTx: Micros;
  /** bfd.RequiredMinRxInterval (keepalived min_rx). */
  requiredMinRx: Micros;
  /** The slow rate while not Up (keepalived idle_tx; RFC 5880 §6.8.3 wants ≥ 1 s). */
  idleTx: Micros;
  detectMult: number;
  /** Passive role (RFC 5880 §6.1): send nothing until the peer has been heard. */
  passive: boolean;
}

export interface SessionState {
  readonly config: SessionConfig;
  readonly state: BfdStateName;
  readonly remoteState: BfdStateName;
  readonly localDisc: number;
  /** 0 until learned; reset when a Detection Time passes in silence. */
  readonly remoteDisc: number;
  readonly diag: number;
  readonly remoteDiag: number;
  /** bfd.RemoteMinRxInterval; 1 until heard (RFC 5880 §6.8.1). 0 = "send nothing". */
  readonly remoteMinRx: Micros;
  /** The peer's Desired Min TX; 0 until heard. */
  readonly remoteMinTx: Micros;
  /** The peer's Detect Mult; 0 until heard. */
  readonly remoteDetectMult: number;
  /** What we advertise now. */
  readonly advTx: Micros;
  readonly advRx: Micros;
  /** What is in force: differs from adv* while a poll sequence runs (RFC 5880 §6.8.3). */
  readonly useTx: Micros;
  readonly useRx: Micros;
  readonly polling: boolean;
  readonly txAt: Micros | null;
  readonly detectAt: Micros | null;
  /** While AdminDown: when to stop announcing it. */
  readonly adminStopAt: Micros | null;
  /** Jitter PRNG state (mulberry32), so the reducer stays pure and replayable. */
  readonly rng: number;
  /** When the last accepted packet arrived (status, "Expired after" log). */
  readonly lastRxAt: Micros | null;
}

export type SessionInput =
  | { type: 'start' }
  | { type: 'timer' }
  | { type: 'packet'; packet: BfdControl }
  | { type: 'admin-down' }
  | { type: 'admin-up' }
  /** Reload: new intervals; a poll sequence starts if the session is Up. */
  | {
      type: 'params';
      desiredMinTx?: Micros;
      requiredMinRx?: Micros;
      idleTx?: Micros;
      detectMult?: number;
    }
  /** Daemon stop: tell the peer (AdminDown, diag 7) once and go quiet. */
  | { type: 'shutdown' };

export type SendReason = 'periodic' | 'state' | 'final' | 'poll' | 'shutdown';

export type SessionEffect =
  | { type: 'send'; packet: BfdControl; reason: SendReason }
  | {
      type: 'state';
      from: BfdStateName;
      to: BfdStateName;
      diag: number;
      remoteDiag: number;
    }
  | { type: 'drop'; reason: BfdDropReason; message: string }
  | { type: 'log'; level: 'debug' | 'info' | 'warning'; message: string };

export interface SessionStep {
  state: SessionState;
  effects: SessionEffect[];
  /** The next time the session needs a `timer` input (null: none). */
  deadline: Micros | null;
}
