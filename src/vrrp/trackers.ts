/**
 * Trackers that move VRRP priorities or put instances in FAULT (keepalived.md §1.5, §1.6, §4):
 * interfaces (rtnetlink link events), vrrp_script (argv with a timeout, rise/fall), track_file
 * (a number read from a file, polled), vrrp_track_process (process-tracker.ts), track_bfd
 * ('bfd:state') and track_gateway ('gateway:state'). I/O module; the arithmetic is priority.ts.
 *
 * One TrackerHub per VRRP subsystem: every tracker runs once however many instances use it, and
 * only while something tracks it (keepalived: "a script runs only if something tracks it").
 * Listeners get a call whenever any tracker's state changes; instances then recompute.
 *
 * Scripts run as keepalived runs them (their `user`, else script_user, else keepalived_script
 * when it exists, else root; notify.ts ScriptUsers). keepalived differences: a script
 * starts "up" unless init_fail (keepalived starts it in an init state that counts as up for
 * priority); track_file is polled every 200 ms rather than watched with inotify.
 */
import { readFileSync, unwatchFile, watchFile, writeFileSync, existsSync } from 'node:fs';
import type {} from '../bfd/events.js';
import { bfdIsUp } from '../bfd/state-board.js';
import type { Config } from '../config/model.js';
import type { TrackFile, VrrpScript } from '../config/vrrp/types.js';
import { subscribe } from '../core/bus.js';
import type {} from '../gateway/events.js';
import { gatewayStateOf } from '../gateway/state-board.js';
import { RtnlMonitor, type LinkInfo, type Rtnl } from '../os/rtnl/index.js';
import type { RunAs } from '../os/users.js';
import { runArgv, ScriptUsers } from './notify.js';
import { AddressPresence } from '../os/rtnl/address-presence.js';
import { ProcessTrackers } from './process-tracker.js';

type Log = (level: 'info' | 'warning' | 'error', message: string) => void;

class ScriptTracker {
  ok: boolean;
  private good = 0;
  private bad = 0;
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private stopped = false;

  constructor(
    readonly spec: VrrpScript,
    private readonly changed: () => void,
    private readonly log: Log,
    /** uid/gid to run as (null: as us); a string says why it cannot run. */
    readonly runAs: RunAs | null | string = null,
  ) {
    this.ok = !spec.initFail;
  }

  start(): void {
    this.tick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => this.tick(), Math.max(10, this.spec.interval * 1000));
    if (this.running || !this.spec.script) return; // keepalived skips a run while one is busy
    if (typeof this.runAs === 'string') return this.result(false, false);
    this.running = true;
    const timeoutMs = (this.spec.timeout ?? this.spec.interval) * 1000;
    runArgv(
      this.spec.script.argv,
      timeoutMs,
      (r) => {
        this.running = false;
        if (this.stopped) return;
        this.result(r.code === 0 && !r.timedOut, r.timedOut);
      },
      this.runAs,
    );
  }

  private result(success: boolean, timedOut: boolean): void {
    if (success) {
      this.bad = 0;
      this.good++;
      if (!this.ok && this.good >= this.spec.rise) {
        this.ok = true;
        this.log('info', `VRRP_Script(${this.spec.name}) succeeded`);
        this.changed();
      }
    } else {
      this.good = 0;
      this.bad++;
      if (timedOut) this.log('warning', `VRRP_Script(${this.spec.name}) timed out`);
      if (this.ok && this.bad >= this.spec.fall) {
        this.ok = false;
        this.log('info', `VRRP_Script(${this.spec.name}) failed (exited with status non-zero)`);
        this.changed();
      }
    }
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}

class FileTracker {
  value = 0;

  constructor(
    readonly spec: TrackFile,
    private readonly changed: () => void,
  ) {}

  start(): void {
    const path = this.spec.file;
    if (!path) return;
    const init = this.spec.initFile;
    if (init && (init.overwrite || !existsSync(path))) {
      try {
        writeFileSync(path, `${init.value}\n`);
      } catch {
        // unwritable: the file is simply read as it is
      }
    }
    this.value = this.read();
    watchFile(path, { interval: 200, persistent: false }, () => {
      const v = this.read();
      if (v === this.value) return;
      this.value = v;
      this.changed();
    });
  }

  /** keepalived reads a decimal number; a missing or non-numeric file counts as 0. */
  private read(): number {
    try {
      const n = parseInt(readFileSync(this.spec.file ?? '', 'utf8').trim(), 10);
      return Number.isFinite(n) ? n : 0;
    } catch {
      return 0;
    }
  }

  stop(): void {
    if (this.spec.file) unwatchFile(this.spec.file);
  }
}

export class TrackerHub {
  private readonly scripts = new Map<string, ScriptTracker>();
  private readonly files = new Map<string, FileTracker>();
  private readonly links = new Map<string, boolean>();
  /** Local addresses, for track_src_ip; followed only while an instance watches one. */
  private readonly addresses = new AddressPresence();
  private addrMonitor: RtnlMonitor | null = null;
  private addrWatchers = 0;
  private monitor: RtnlMonitor | null = null;
  private readonly listeners = new Set<() => void>();
  private readonly processes: ProcessTrackers;
  private readonly offBus: (() => void)[];

  constructor(
    private readonly rtnl: Rtnl,
    private readonly log: Log,
  ) {
    this.processes = new ProcessTrackers(() => this.emit(), log);
    // BFD sessions and gateways run in their own subsystems: their last states are on the
    // state boards, and every change arrives on the bus.
    this.offBus = [
      subscribe('bfd:state', () => this.emit()),
      subscribe('gateway:state', () => this.emit()),
    ];
  }

  /** Whether the bfd_instance's session is Up (an unknown or stopped session is down). */
  bfdUp(name: string): boolean {
    return bfdIsUp(name);
  }

  /** A gateway_track's last state; undefined while the gateway subsystem does not track it. */
  gateway(name: string): { up: boolean; weight: number } | undefined {
    const g = gatewayStateOf(name);
    return g ? { up: g.up, weight: g.weight } : undefined;
  }

  /** Link states now, then kept current from link events. */
  async startLinks(): Promise<void> {
    this.monitor = RtnlMonitor.open({ groups: ['link'] });
    this.monitor.on('event', (e) => {
      if (e.type !== 'link') return;
      this.setLink(e.link, e.action === 'del');
    });
    this.monitor.on('overflow', () => {
      this.dumpLinks().catch((err: unknown) => this.dumpFailed('links', err));
    });
    await this.dumpLinks();
  }

  /**
   * track_src_ip: follows the presence of `ip` (rtnetlink address events, opened with the
   * first watcher so a takeover's VIP adds cost nothing otherwise). Returns the unwatch.
   */
  async watchAddress(ip: string): Promise<() => void> {
    const unwatch = this.addresses.watch(ip);
    if (this.addrWatchers++ === 0) {
      const m = RtnlMonitor.open({ groups: ['address'] });
      this.addrMonitor = m;
      m.on('event', (e) => {
        if (e.type === 'address' && this.addresses.apply(e.address, e.action)) this.emit();
      });
      m.on('overflow', () => {
        this.dumpAddresses().catch((err: unknown) => this.dumpFailed('addresses', err));
      });
      await this.dumpAddresses();
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      unwatch();
      if (--this.addrWatchers > 0) return;
      this.addrMonitor?.close();
      this.addrMonitor = null;
    };
  }

  private async dumpAddresses(): Promise<void> {
    if (this.addresses.reset(await this.rtnl.addresses())) this.emit();
  }

  private dumpFailed(what: string, err: unknown): void {
    this.log('warning', `netlink dump of ${what} after an overflow failed: ${String(err)}`);
  }

  /** Whether a local interface carries `ip` (track_src_ip). */
  addressPresent(ip: string): boolean {
    return this.addresses.has(ip);
  }

  private async dumpLinks(): Promise<void> {
    for (const l of await this.rtnl.links()) this.setLink(l, false);
  }

  private setLink(l: LinkInfo, gone: boolean): void {
    const up = !gone && l.up && l.running;
    if (this.links.get(l.name) === up) return;
    const was = this.links.get(l.name);
    this.links.set(l.name, up);
    if (was !== undefined) this.log('info', `Netlink reports ${l.name} ${up ? 'up' : 'down'}`);
    this.emit();
  }

  /** Interface state; unknown interfaces count as down. */
  linkUp(name: string): boolean {
    return this.links.get(name) ?? false;
  }

  scriptOk(name: string): boolean | undefined {
    return this.scripts.get(name)?.ok;
  }

  fileValue(name: string): number | undefined {
    return this.files.get(name)?.value;
  }

  /** Quorum of a vrrp_track_process; undefined before its first scan. */
  processUp(name: string): boolean | undefined {
    return this.processes.up(name);
  }

  /** Start the trackers that `used` names, stop those no longer needed or changed. */
  sync(
    c: Config,
    used: { scripts: Set<string>; files: Set<string>; processes?: Set<string> },
    /** Who runs the scripts under this config (the notifier's, read once per config). */
    users: ScriptUsers = ScriptUsers.of(c.global),
  ): void {
    this.processes.sync(
      [...(used.processes ?? [])].flatMap((n) => {
        const spec = c.vrrp.trackProcesses[n];
        return spec ? [spec] : [];
      }),
    );
    for (const [n, t] of this.scripts) {
      const spec = c.vrrp.scripts[n];
      if (
        !used.scripts.has(n) ||
        !spec ||
        JSON.stringify(spec) !== JSON.stringify(t.spec) ||
        JSON.stringify(users.runAs(spec.user)) !== JSON.stringify(t.runAs)
      ) {
        t.stop();
        this.scripts.delete(n);
      }
    }
    for (const n of used.scripts) {
      const spec = c.vrrp.scripts[n];
      // A disabled script (missing, or insecure with enable_script_security) tracks nothing,
      // as keepalived removes it from the instances that name it.
      if (!spec || spec.disabled || this.scripts.has(n)) continue;
      const runAs = users.runAs(spec.user);
      if (typeof runAs === 'string')
        this.log('warning', `VRRP_Script(${n}) cannot run: ${runAs}; it counts as failed`);
      const t = new ScriptTracker(spec, () => this.emit(), this.log, runAs);
      this.scripts.set(n, t);
      t.start();
    }
    for (const [n, t] of this.files) {
      const spec = c.vrrp.trackFiles[n];
      if (!used.files.has(n) || !spec || JSON.stringify(spec) !== JSON.stringify(t.spec)) {
        t.stop();
        this.files.delete(n);
      }
    }
    for (const n of used.files) {
      const spec = c.vrrp.trackFiles[n];
      if (!spec || this.files.has(n)) continue;
      const t = new FileTracker(spec, () => this.emit());
      this.files.set(n, t);
      t.start();
    }
  }

  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of [...this.listeners]) fn();
  }

  stop(): void {
    for (const t of this.scripts.values()) t.stop();
    for (const t of this.files.values()) t.stop();
    this.processes.stop();
    this.scripts.clear();
    this.files.clear();
    this.monitor?.close();
    this.monitor = null;
    this.addrMonitor?.close();
    this.addrMonitor = null;
    this.listeners.clear();
    for (const off of this.offBus.splice(0)) off();
  }
}
