/**
 * The typed events of stayalive. Pure data: every state change is one event.
 * Logs, notify scripts, the FIFO, metrics, the API and tests subscribe to the
 * bus (bus.ts); no module formats log lines for another.
 */
import type { Diagnostic } from '../config/diagnostics.js';

export type LogLevel = 'debug' | 'info' | 'notice' | 'warning' | 'error';

export interface EventMap {
  /** The daemon started with a configuration. */
  'daemon:start': { version: string; configFile: string; pid: number; argv: string[] };
  /** A configuration was read (at start or reload) and produced these diagnostics. */
  'config:diagnostic': Diagnostic;
  /** A reload finished: applied, or rejected with the running config kept. */
  'daemon:reload': {
    outcome: 'applied' | 'rejected';
    reason?: string;
    changes: { added: number; removed: number; changed: number };
  };
  /** The daemon is stopping; `reason` is the signal or cause. */
  'daemon:stop': { reason: string };
  /** A state dump was written. */
  'daemon:dump': { kind: 'data' | 'stats' | 'json'; path: string };
  /** A VRRP instance (or sync group) changed state. */
  'vrrp:transition': {
    instance: string;
    from: string;
    to: string;
    reason: string;
    priority: number;
    group?: string;
  };
  /**
   * keepalived's notifies for an instance or sync group (its send_*_notifies): a state entered,
   * STOP at shutdown, DELETED (or FAULT) for one a reload removed. Scripts and FIFO lines have
   * gone out; smtp_alert mails follow this event.
   */
  'vrrp:notify': {
    kind: 'INSTANCE' | 'GROUP';
    name: string;
    state: 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
    priority: number;
  };
  /** Free-form message from a subsystem, for what has no event of its own yet. */
  log: { level: LogLevel; subsystem: string; message: string };
}

export type EventName = keyof EventMap;
