/**
 * Notify scripts and the notify FIFO (keepalived.md §1.9). I/O module.
 *
 * Scripts run from their argv (never through a shell), detached from our stdio, and are killed
 * (SIGTERM, then SIGKILL) after a timeout. `notify_master|backup|fault|stop` get only their
 * configured words; `notify` gets four more: `INSTANCE|GROUP NAME STATE PRIORITY`, and runs
 * after the state script, as in keepalived. Scripts are fire-and-forget: no ordering between them.
 * FIFO lines (`INSTANCE "VI_1" MASTER 100`) are written in order to vrrp_notify_fifo and
 * notify_fifo. The FIFO is opened read-write and non-blocking, so a missing reader never blocks
 * the daemon; a missing FIFO is created with mkfifo(1), and notify_fifo_script, when given, is
 * started with the FIFO path as its argument.
 *
 * Each script runs as keepalived would run it: its own `user [group]`, else `script_user`, else
 * `keepalived_script` when that user exists, else as us (root). Scripts the config's security
 * pass dropped (missing, or insecure with enable_script_security) are not here to run.
 */
import { spawn } from 'node:child_process';
import type { ScriptValue } from '../config/global/script-value.js';
import { ownUser } from '../config/script-user.js';
import type { NotifyFifo } from '../os/fifo.js';
import type { RunAs } from '../os/users.js';
import type { ScriptUsers } from '../os/script-users.js';
import { publish } from '../core/bus.js';

export const NOTIFY_TIMEOUT_MS = 30_000;

export type ScriptDone = (r: {
  code: number | null;
  signal: string | null;
  timedOut: boolean;
}) => void;

export { ScriptUsers } from '../os/script-users.js';
export { NotifyFifo } from '../os/fifo.js';

/** A started script: settles when it has exited; `kill` signals its process group. */
export interface Running {
  exited: Promise<void>;
  kill(sig: NodeJS.Signals): void;
}

/**
 * Runs argv with a timeout, as `runAs` when given (setgid, supplementary groups dropped,
 * setuid: libuv's order); `done` gets the outcome. Spawn errors count as exit code 127.
 */
export function runArgv(
  argv: string[],
  timeoutMs: number,
  done?: ScriptDone,
  runAs?: RunAs | null,
): Running {
  const none: Running = { exited: Promise.resolve(), kill: () => undefined };
  if (argv.length === 0) return none;
  let timedOut = false;
  let child;
  try {
    // Its own process group, as keepalived runs scripts: a timeout kills what it started too,
    // and a signal to the daemon's group does not reach it.
    child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true, ...(runAs ?? {}) });
  } catch {
    done?.({ code: 127, signal: null, timedOut: false });
    return none;
  }
  const pid = child.pid;
  const killGroup = (sig: NodeJS.Signals): void => {
    try {
      if (pid) process.kill(-pid, sig);
    } catch {
      // Group already gone.
    }
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup('SIGTERM');
    setTimeout(() => killGroup('SIGKILL'), 1000).unref();
  }, timeoutMs);
  timer.unref();
  let finished = false;
  let settle: () => void = () => undefined;
  const exited = new Promise<void>((r) => (settle = r));
  const finish = (code: number | null, signal: string | null): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    done?.({ code, signal, timedOut });
    settle();
  };
  child.on('error', () => finish(127, null));
  child.on('exit', (code, signal) => finish(code, signal));
  return { exited, kill: (sig) => !finished && killGroup(sig) };
}

export interface NotifyScripts {
  master: ScriptValue | null;
  backup: ScriptValue | null;
  fault: ScriptValue | null;
  stop: ScriptValue | null;
  /** notify_deleted's script (instances only). */
  deleted?: ScriptValue | null;
  any: ScriptValue | null;
}

export type NotifyStateWord = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';

export class Notifier {
  private readonly running = new Set<Running>();
  /** settle() has begun: the runtime is stopping, no new script runs. */
  private settling = false;
  /** Who runs the scripts (set from the config); without it they run as ourselves. */
  users: ScriptUsers | null = null;
  /** Where a script that cannot run is reported. */
  log: (message: string) => void = () => {};

  constructor(
    private fifos: NotifyFifo[],
    private readonly timeoutMs = NOTIFY_TIMEOUT_MS,
  ) {}

  private run(s: ScriptValue, extra: string[] = []): void {
    // After the stop's settle nothing would wait for it or end it.
    if (this.settling) return this.log(`Not running script ${s.command}: stopping`);
    const as = this.users?.runAs(ownUser(s)) ?? null;
    if (typeof as === 'string') return this.log(`Not running script ${s.command}: ${as}`);
    const r = runArgv([...s.argv, ...extra], this.timeoutMs, undefined, as);
    this.running.add(r);
    void r.exited.then(() => this.running.delete(r));
  }

  /**
   * At stop: the scripts still running get `ms` to finish (keepalived gives STOP scripts 1 s),
   * then SIGTERM to their group — keepalived's scripts get SIGTERM when its process exits.
   */
  async settle(ms: number): Promise<void> {
    const all = [...this.running];
    this.settling = true;
    if (all.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((r) => (timer = setTimeout(r, ms)));
    await Promise.race([Promise.all(all.map((r) => r.exited)), late]);
    clearTimeout(timer);
    // Scripts started meanwhile had less time: keepalived's end them the same way.
    for (const r of this.running) r.kill('SIGTERM');
  }

  /** Reload: the old FIFOs are closed (a FIFO we made is removed), then new ones made. */
  replaceFifos(make: () => NotifyFifo[]): void {
    this.close();
    this.fifos = make();
  }

  /** keepalived's order: FIFO line, state script, then `notify` with the four extra words. */
  notify(
    kind: 'INSTANCE' | 'GROUP',
    name: string,
    state: NotifyStateWord,
    priority: number,
    scripts: NotifyScripts,
  ): void {
    const line = `${kind} "${name}" ${state} ${priority}`;
    for (const f of this.fifos) f.write(line);
    const own = {
      MASTER: scripts.master,
      BACKUP: scripts.backup,
      FAULT: scripts.fault,
      STOP: scripts.stop,
      DELETED: scripts.deleted ?? null,
    }[state];
    if (own) this.run(own);
    if (scripts.any) this.run(scripts.any, [kind, name, state, String(priority)]);
    publish('vrrp:notify', { kind, name, state, priority });
  }

  /** FIFO-only lines (priority changes). */
  line(text: string): void {
    for (const f of this.fifos) f.write(text);
  }

  /** An event line with its script, run first and with no extra words (MASTER_RX_LOWER_PRI). */
  event(text: string, script: ScriptValue | null): void {
    if (script) this.run(script);
    this.line(text);
  }

  close(): void {
    for (const f of this.fifos) f.close();
  }
}
