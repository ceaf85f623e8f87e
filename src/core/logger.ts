/**
 * The log subscriber: the bus's events become lines on the console, in
 * syslog, or as JSON lines. Chosen by the daemon's flags (-l, -G, -S,
 * --log-format). Writing is the only I/O here; formatting is in log-format.ts.
 */
import { subscribeAll } from './bus.js';
import type { EventName, LogLevel } from './events.js';
import { consoleLine, jsonLine, syslogLine, toRecord, type LogRecord } from './log-format.js';

export interface LoggerOptions {
  console: boolean;
  format: 'text' | 'json';
  /** Send to syslog through this sender (null: no syslog). */
  syslog: { send(line: string): void } | null;
  facility: number;
  ident: string;
  /** -D: also log debug-level detail. */
  detail: boolean;
  /** Where console lines go (stdout by default; tests pass their own). */
  write?: (line: string) => void;
}

const ALL_EVENTS: EventName[] = [
  'daemon:start',
  'config:diagnostic',
  'daemon:reload',
  'daemon:stop',
  'daemon:dump',
  'log',
];

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, notice: 2, warning: 3, error: 4 };

/** Start logging; returns the function that stops it. */
export function startLogger(opts: LoggerOptions): () => void {
  const write = opts.write ?? ((line: string) => process.stdout.write(line + '\n'));
  const emit = (rec: LogRecord): void => {
    if (!opts.detail && RANK[rec.level] < RANK.info) return;
    const now = new Date();
    if (opts.console) write(opts.format === 'json' ? jsonLine(rec, now) : consoleLine(rec, now));
    if (opts.syslog) {
      try {
        opts.syslog.send(syslogLine(rec, opts.facility, opts.ident, process.pid, now));
      } catch {
        // A missing or full syslog socket must never stop the daemon.
      }
    }
  };
  return subscribeAll(ALL_EVENTS, (name, ev) => emit(toRecord(name, ev)));
}
