/**
 * The daemon's lifecycle: load the configuration, start the subsystems,
 * answer signals (HUP reload, TERM/INT stop, USR1 state dump, USR2 stats)
 * and the control socket, stop cleanly. This is the imperative shell around
 * the config model; the subsystems hold the protocol logic.
 */
import { writeFileSync } from 'node:fs';
import { startSmtpAlerts, type SmtpAlerts } from '../alert/index.js';
import { startControlServer, type ControlServer } from '../api/control.js';
import { diffConfig } from '../config/diff.js';
import { formatDiagnostic } from '../config/diagnostics.js';
import { loadConfig, type Loaded } from '../config/load.js';
import type { Config } from '../config/model.js';
import { reloadBlocker, startBlocker } from '../config/verdict.js';
import type { DaemonOptions } from '../cli/options.js';
import { nodeConfigFs } from '../os/config-fs.js';
import { readHostFacts } from '../os/host.js';
import { publish } from './bus.js';
import { removePidFile, runningPid, writePidFile } from './pidfile.js';
import type { Subsystem } from './subsystem.js';
import { VERSION } from './version.js';
import { runStartStopScript } from './start-stop-script.js';

export interface DaemonDeps {
  /** systemd notification (READY=1, RELOADING=1, STOPPING=1); no-op when not under systemd. */
  notify(state: string): void;
  subsystems: Subsystem[];
}

export class Daemon {
  private config: Config | undefined;
  /** The config a reload is applying: events raised meanwhile are judged by it (mails). */
  private pending: Config | undefined;
  /** Aborts startup_script when a stop comes during it. */
  private startAbort: AbortController | undefined;
  private control: ControlServer | undefined;
  private readonly startedAt = new Date();
  private reloads = 0;
  private lastReload: { at: string; outcome: string; reason?: string } | undefined;
  private stopping: Promise<void> | undefined;
  private markStopped: () => void = () => undefined;
  /** Settles once a stop (SIGTERM/SIGINT) has finished its teardown. */
  readonly stopped = new Promise<void>((resolve) => (this.markStopped = resolve));
  private smtpAlerts: SmtpAlerts | undefined;
  private reloading = Promise.resolve();
  private starting: Promise<void> = Promise.resolve();
  private readonly onSignal = new Map<NodeJS.Signals, () => void>();

  constructor(
    private readonly opts: DaemonOptions,
    private readonly deps: DaemonDeps,
  ) {}

  private pidFiles(): string[] {
    const o = this.opts;
    return [o.pidFile, o.vrrpPidFile, o.checkersPidFile, o.bfdPidFile].filter(
      (p): p is string => !!p,
    );
  }

  private load(): Loaded {
    const host = readHostFacts();
    return loadConfig(
      this.opts.configFile,
      { fs: nodeConfigFs, configId: this.opts.configId ?? host.hostname },
      host,
    );
  }

  /** Start; throws with a clear message when the daemon cannot run. */
  async start(): Promise<void> {
    const other = runningPid(this.opts.pidFile);
    if (other) {
      throw new Error(`daemon is already running (pid ${other} in ${this.opts.pidFile})`);
    }
    publish('daemon:start', {
      version: VERSION,
      configFile: this.opts.configFile,
      pid: process.pid,
      argv: process.argv.slice(2),
    });
    const loaded = this.load();
    loaded.diagnostics.forEach((d) => publish('config:diagnostic', d));
    const blocker = startBlocker(loaded.diagnostics);
    if (blocker) throw new Error(`cannot start: ${formatDiagnostic(blocker)}`);
    this.config = loaded.config;
    // Before the subsystems start, so their first transitions are mailed too.
    this.smtpAlerts = startSmtpAlerts(() => this.pending ?? this.config ?? loaded.config);
    if (this.opts.dumpConf) {
      publish('log', { level: 'info', subsystem: 'config', message: JSON.stringify(this.config) });
    }
    for (const p of this.pidFiles()) writePidFile(p);
    // Signals are ours from here, as keepalived sets them up before its startup script: a
    // SIGTERM during the start ends it (stop() waits for the step in progress), a SIGHUP
    // reloads once the start is done.
    this.trap('SIGTERM', () => void this.stop('SIGTERM'));
    this.trap('SIGINT', () => void this.stop('SIGINT'));
    this.trap('SIGHUP', () => void this.reload());
    this.trap('SIGUSR1', () => void this.dump('data'));
    this.trap('SIGUSR2', () => void this.dump('stats'));
    this.starting = this.startSteps(this.config);
    await this.starting;
  }

  /** The start after the config is in: startup_script, subsystems, control socket, READY. */
  private async startSteps(config: Config): Promise<void> {
    // keepalived runs startup_script to its end (or its timeout) before anything starts.
    this.startAbort = new AbortController();
    await runStartStopScript(config, 'startup', this.startAbort.signal);
    this.startAbort = undefined;
    for (const s of this.deps.subsystems) {
      if (this.stopping) return;
      await s.start(config);
    }
    if (this.stopping) return;
    const extra = Object.assign({}, ...this.deps.subsystems.map((s) => s.commands?.() ?? {}));
    this.control = await startControlServer(this.opts.controlSocket, {
      ...extra,
      status: () => this.status(),
      config: () => this.config,
      reload: () => this.reload().then(() => this.lastReload),
      dump: () => this.dump('data'),
    });
    if (this.stopping) return;
    this.deps.notify(`READY=1\nSTATUS=Startup complete\nMAINPID=${process.pid}`);
  }

  private trap(sig: NodeJS.Signals, fn: () => void): void {
    this.onSignal.set(sig, fn);
    process.on(sig, fn);
  }

  /** SIGHUP: read again; an unusable new config is reported and the running one kept. */
  reload(): Promise<void> {
    // Behind the start: a SIGHUP during startup_script reloads once everything runs.
    this.reloading = this.reloading
      .then(() => this.starting.catch(() => undefined))
      .then(() => this.doReload());
    return this.reloading;
  }

  private async doReload(): Promise<void> {
    if (this.stopping || !this.config) return;
    this.deps.notify('RELOADING=1');
    publish('log', { level: 'notice', subsystem: 'daemon', message: 'Reloading' });
    this.reloads++;
    let loaded: Loaded;
    try {
      loaded = this.load();
    } catch (e) {
      this.rejectReload(`reading the configuration failed: ${(e as Error).message}`);
      return;
    }
    loaded.diagnostics.forEach((d) => publish('config:diagnostic', d));
    const blocker = reloadBlocker(loaded.diagnostics);
    if (blocker) {
      this.rejectReload(formatDiagnostic(blocker));
      return;
    }
    const diff = diffConfig(this.config, loaded.config);
    this.pending = loaded.config;
    try {
      for (const s of this.deps.subsystems) await s.reload(loaded.config, diff);
    } catch (e) {
      this.pending = undefined;
      this.rejectReload(`applying failed: ${(e as Error).message}`);
      return;
    }
    this.pending = undefined;
    this.config = loaded.config;
    this.lastReload = { at: new Date().toISOString(), outcome: 'applied' };
    publish('daemon:reload', { outcome: 'applied', changes: diff });
    this.deps.notify('READY=1\nSTATUS=Reload complete');
  }

  private rejectReload(reason: string): void {
    this.lastReload = { at: new Date().toISOString(), outcome: 'rejected', reason };
    publish('daemon:reload', {
      outcome: 'rejected',
      reason,
      changes: { added: 0, removed: 0, changed: 0 },
    });
    this.deps.notify('READY=1\nSTATUS=Reload rejected; running configuration kept');
  }

  status(): Record<string, unknown> {
    return {
      version: VERSION,
      pid: process.pid,
      configFile: this.opts.configFile,
      startedAt: this.startedAt.toISOString(),
      uptimeSeconds: Math.round((Date.now() - this.startedAt.getTime()) / 1000),
      reloads: this.reloads,
      lastReload: this.lastReload ?? null,
      subsystems: Object.fromEntries(this.deps.subsystems.map((s) => [s.name, s.status()])),
    };
  }

  /** SIGUSR1/SIGUSR2: write the state (or stats) where keepalived users look for it. */
  dump(kind: 'data' | 'stats'): string {
    const g = this.config?.global;
    const path =
      kind === 'data'
        ? (g?.stateDumpFile ?? '/tmp/stayalive.data')
        : (g?.statsDumpFile ?? '/tmp/stayalive.stats');
    const body =
      kind === 'data'
        ? { status: this.status(), config: this.config }
        : { stats: this.deps.subsystems.map((s) => ({ name: s.name, status: s.status() })) };
    writeFileSync(path, JSON.stringify(body, null, 2) + '\n', { mode: 0o600 });
    publish('daemon:dump', { kind, path });
    return path;
  }

  /** SIGTERM/SIGINT: stop subsystems (they remove what they made), files, socket. */
  stop(reason: string): Promise<void> {
    this.startAbort?.abort();
    this.stopping ??= (async () => {
      // Let the start step or reload in progress finish (they look at `stopping` between
      // steps), so nothing they make is left behind after the teardown.
      await this.starting.catch(() => undefined);
      await this.reloading.catch(() => undefined);
      for (const s of this.deps.subsystems) {
        try {
          s.beginStop?.(reason);
        } catch (e) {
          publish('log', {
            level: 'error',
            subsystem: s.name,
            message: `stop failed: ${(e as Error).message}`,
          });
        }
      }
      this.deps.notify('STOPPING=1');
      publish('daemon:stop', { reason });
      for (const s of [...this.deps.subsystems].reverse()) {
        try {
          await s.stop(reason);
        } catch (e) {
          publish('log', {
            level: 'error',
            subsystem: s.name,
            message: `stop failed: ${(e as Error).message}`,
          });
        }
      }
      // After everything is down, as keepalived runs it once its children have gone.
      if (this.config) await runStartStopScript(this.config, 'shutdown');
      this.smtpAlerts?.();
      // Queued alert mails get a short, bounded chance to go out.
      await Promise.race([
        this.smtpAlerts?.idle(),
        new Promise((r) => setTimeout(r, 2000).unref()),
      ]);
      await this.control?.close();
      for (const p of this.pidFiles()) removePidFile(p);
      for (const [sig, fn] of this.onSignal) process.off(sig, fn);
      publish('log', {
        level: 'notice',
        subsystem: 'daemon',
        message: `Stopped stayalive v${VERSION}`,
      });
      this.markStopped();
    })();
    return this.stopping;
  }
}
