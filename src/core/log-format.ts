/**
 * Turns bus events into log records. Pure.
 *
 * Wording follows keepalived's where one exists, because administrators grep
 * for it ("Unknown keyword 'x'", "Reloading", "Stopped"). Config diagnostics
 * add the file:line:col keepalived lacks.
 */
import { formatDiagnostic } from '../config/diagnostics.js';
import type { EventMap, EventName, LogLevel } from './events.js';

export interface LogRecord {
  level: LogLevel;
  /** keepalived's process idents map to these: Keepalived, Keepalived_vrrp, … */
  subsystem: string;
  event: EventName;
  message: string;
}

const CLASS_LEVEL = {
  info: 'info',
  warning: 'warning',
  error: 'error',
  fatal: 'error',
  'file-not-found': 'error',
  'bad-interface': 'error',
  security: 'error',
} as const;

export function toRecord<K extends EventName>(name: K, ev: EventMap[K]): LogRecord {
  const rec = (level: LogLevel, message: string, subsystem = 'daemon'): LogRecord => ({
    level,
    subsystem,
    event: name,
    message,
  });
  // A switch over the name narrows poorly with generics; cast per case on purpose.
  switch (name) {
    case 'daemon:start': {
      const e = ev as EventMap['daemon:start'];
      return rec('notice', `Starting stayalive v${e.version}, configuration file ${e.configFile}`);
    }
    case 'config:diagnostic': {
      const e = ev as EventMap['config:diagnostic'];
      return rec(CLASS_LEVEL[e.klass], formatDiagnostic(e), 'config');
    }
    case 'daemon:reload': {
      const e = ev as EventMap['daemon:reload'];
      const c = e.changes;
      return e.outcome === 'applied'
        ? rec(
            'notice',
            `Reload finished: ${c.added} added, ${c.removed} removed, ${c.changed} changed`,
          )
        : rec('error', `Reload rejected, keeping the running configuration: ${e.reason ?? ''}`);
    }
    case 'daemon:stop': {
      const e = ev as EventMap['daemon:stop'];
      return rec('notice', `Stopping (${e.reason})`);
    }
    case 'daemon:dump': {
      const e = ev as EventMap['daemon:dump'];
      return rec('info', `Wrote ${e.kind} dump to ${e.path}`);
    }
    case 'vrrp:transition': {
      // The machine already logs keepalived's "(VI_1) Entering MASTER STATE"; this is detail.
      const e = ev as EventMap['vrrp:transition'];
      const who = e.group ? `VRRP_Group(${e.group})` : `(${e.instance})`;
      return rec('debug', `${who} ${e.from} -> ${e.to} (${e.reason})`, 'vrrp');
    }
    case 'log': {
      const e = ev as EventMap['log'];
      return rec(e.level, e.message, e.subsystem);
    }
    default:
      return rec('info', String(name));
  }
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/** keepalived's console time stamp: "Mon Nov 23 15:47:28 2026". */
export function consoleStamp(d: Date): string {
  const hms = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${DAYS[d.getDay()]} ${MONTHS[d.getMonth()]} ${p2(d.getDate())} ${hms} ${d.getFullYear()}`;
}

/** RFC 3164 time stamp: "Nov 23 15:47:28" (day padded with a space). */
export function syslogStamp(d: Date): string {
  const hms = `${p2(d.getHours())}:${p2(d.getMinutes())}:${p2(d.getSeconds())}`;
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${hms}`;
}

const SYSLOG_SEVERITY: Record<LogLevel, number> = {
  error: 3,
  warning: 4,
  notice: 5,
  info: 6,
  debug: 7,
};

/** One RFC 3164 datagram as the local syslog socket expects it. */
export function syslogLine(
  rec: LogRecord,
  facility: number,
  ident: string,
  pid: number,
  d: Date,
): string {
  const pri = facility * 8 + SYSLOG_SEVERITY[rec.level];
  return `<${pri}>${syslogStamp(d)} ${ident}[${pid}]: ${rec.message}`;
}

export function consoleLine(rec: LogRecord, d: Date): string {
  return `${consoleStamp(d)}: ${rec.message}`;
}

export function jsonLine(rec: LogRecord, d: Date): string {
  return JSON.stringify({
    time: d.toISOString(),
    level: rec.level,
    subsystem: rec.subsystem,
    event: rec.event,
    msg: rec.message,
  });
}

/** keepalived's `-S` facility: 0-7 mean local0-7; names are accepted too. */
export function parseFacility(v: string): number | undefined {
  const named: Record<string, number> = { user: 1, daemon: 3 };
  if (/^[0-7]$/.test(v)) return 16 + Number(v);
  const m = /^local([0-7])$/.exec(v);
  if (m) return 16 + Number(m[1]);
  return named[v];
}
