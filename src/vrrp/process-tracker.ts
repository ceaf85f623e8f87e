/**
 * vrrp_track_process trackers: one /proc scan every 100 ms serves all of them (I/O module; the
 * matching is process-match.ts). The command line is read only for trackers that need it
 * (`full_command` or `param`), as keepalived avoids it where it can.
 *
 * A tracker starts with the state of the first scan. Losing quorum is reported after
 * `terminate_delay` (default `delay`, default 0) and regaining it after `fork_delay`, unless
 * the count goes back in the meantime.
 *
 * keepalived differences: keepalived hears forks and exits from the netlink proc connector at
 * once; this polls, so a change is seen up to 100 ms (one scan) later.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { TrackProcess } from '../config/vrrp/types.js';
import { needsCmdline, processMatches, quorumUp, type ProcInfo } from './process-match.js';

type Log = (level: 'info' | 'warning' | 'error', message: string) => void;

export const PROCESS_SCAN_MS = 100;

function readProc(pid: string, cmdline: boolean): ProcInfo | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const open = stat.indexOf('(');
    const close = stat.lastIndexOf(')');
    if (open < 0 || close < open) return null;
    if (stat[close + 2] === 'Z') return null; // a zombie is gone already
    const comm = stat.slice(open + 1, close);
    let argv: string[] | null = null;
    if (cmdline) {
      const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      argv = raw === '' ? [] : raw.replace(/\0$/, '').split('\0');
    }
    return { comm, argv };
  } catch {
    return null; // exited while we looked
  }
}

class ProcessTracker {
  up = false;
  count = 0;
  private pending: NodeJS.Timeout | null = null;
  private started = false;

  constructor(
    readonly spec: TrackProcess,
    private readonly changed: () => void,
    private readonly log: Log,
  ) {}

  /** A scan's count of matching processes. */
  update(count: number): void {
    this.count = count;
    const want = quorumUp(this.spec, count);
    if (!this.started) {
      this.started = true;
      this.up = want;
      this.log('info', `Track process ${this.spec.name} ${want ? 'up' : 'down'} (${count})`);
      this.changed();
      return;
    }
    if (want === this.up) {
      if (this.pending) clearTimeout(this.pending);
      this.pending = null;
      return;
    }
    if (this.pending) return;
    const s = this.spec;
    const delay = (want ? s.forkDelay : s.terminateDelay) ?? s.delay ?? 0;
    const apply = (): void => {
      this.pending = null;
      this.up = want;
      this.log('info', `Quorum ${want ? 'gained' : 'lost'} for tracked process ${s.name}`);
      this.changed();
    };
    if (delay <= 0) apply();
    else this.pending = setTimeout(apply, delay * 1000);
  }

  stop(): void {
    if (this.pending) clearTimeout(this.pending);
    this.pending = null;
  }
}

export class ProcessTrackers {
  private readonly trackers = new Map<string, ProcessTracker>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly changed: () => void,
    private readonly log: Log,
  ) {}

  up(name: string): boolean | undefined {
    return this.trackers.get(name)?.up;
  }

  /** Keep exactly the trackers in `specs` (a changed spec starts afresh). */
  sync(specs: TrackProcess[]): void {
    const want = new Map(specs.map((s) => [s.name, s]));
    for (const [n, t] of this.trackers) {
      const s = want.get(n);
      if (!s || JSON.stringify(s) !== JSON.stringify(t.spec)) {
        t.stop();
        this.trackers.delete(n);
      }
    }
    let added = false;
    for (const s of specs) {
      if (this.trackers.has(s.name)) continue;
      this.trackers.set(s.name, new ProcessTracker(s, this.changed, this.log));
      added = true;
    }
    if (this.trackers.size === 0) this.stop();
    else if (added) {
      this.scan(); // new trackers get their state now, not after the first interval
      this.timer ??= setInterval(() => this.scan(), PROCESS_SCAN_MS);
      this.timer.unref();
    }
  }

  private scan(): void {
    const all = [...this.trackers.values()];
    const cmdline = all.some((t) => needsCmdline(t.spec));
    const counts = new Map<ProcessTracker, number>(all.map((t) => [t, 0]));
    let pids: string[];
    try {
      pids = readdirSync('/proc').filter((d) => d >= '1' && d <= '9~' && /^\d+$/.test(d));
    } catch {
      return;
    }
    for (const pid of pids) {
      const info = readProc(pid, cmdline);
      if (!info) continue;
      for (const t of all)
        if (processMatches(t.spec, info)) counts.set(t, (counts.get(t) ?? 0) + 1);
    }
    for (const t of all) t.update(counts.get(t) ?? 0);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const t of this.trackers.values()) t.stop();
    this.trackers.clear();
  }
}
