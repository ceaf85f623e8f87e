/**
 * Runs a script as keepalived runs its scripts: argv, never through a shell, in its own process
 * group, stdio to /dev/null, optionally as `user [group]` (setgid, supplementary groups dropped,
 * setuid). On timeout (or abort) the group gets SIGTERM, then SIGKILL after a grace period; the
 * promise settles only when the child is gone, and what it left in its group is killed, so none
 * is left behind. Used by MISC_CHECK, the checkers' notify scripts and the start/shutdown
 * scripts. I/O (node:child_process).
 */
import { spawn } from 'node:child_process';
import { lookupIds } from './users.js';

/** Seconds between SIGTERM and SIGKILL. */
const KILL_GRACE_S = 2;

export interface RunOptions {
  timeoutS: number;
  user?: string | null;
  group?: string | null;
}

export interface RunOutcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  error?: string;
}

/** Scripts still running, so a stop can wait until their process groups are gone. */
const running = new Set<Promise<RunOutcome>>();

/**
 * Resolves once every script started so far has finished (a stop aborts them first: SIGTERM to
 * the group, SIGKILL to what is left when the leader exits). Without this wait, a daemon that
 * exits right after the abort can leave a grandchild forked in the same instant behind.
 */
export async function scriptsSettled(): Promise<void> {
  await Promise.allSettled([...running]);
}

/** Runs argv with a timeout; resolves when the child (and its process group leader) is gone. */
export function runScript(
  argv: readonly string[],
  opts: RunOptions,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  const p = startScript(argv, opts, signal);
  running.add(p);
  void p.finally(() => running.delete(p));
  return p;
}

function startScript(
  argv: readonly string[],
  opts: RunOptions,
  signal?: AbortSignal,
): Promise<RunOutcome> {
  return new Promise((resolve) => {
    let ids: { uid: number; gid: number } | undefined;
    if (opts.user) {
      const r = lookupIds(opts.user, opts.group ?? null);
      if (typeof r === 'string')
        return resolve({ code: null, signal: null, timedOut: false, error: r });
      ids = r;
    }
    let child;
    try {
      child = spawn(argv[0], argv.slice(1), { stdio: 'ignore', detached: true, ...ids });
    } catch (e) {
      // A bad argument (a NUL byte, a uid the kernel refuses) throws at once: an outcome too.
      return resolve({ code: null, signal: null, timedOut: false, error: (e as Error).message });
    }
    let timedOut = false;
    let killTimer: NodeJS.Timeout | undefined;
    const killGroup = (sig: NodeJS.Signals): void => {
      try {
        if (child.pid) process.kill(-child.pid, sig);
      } catch {
        // Group already gone.
      }
    };
    const stop = (): void => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      killGroup('SIGTERM');
      killTimer ??= setTimeout(() => killGroup('SIGKILL'), KILL_GRACE_S * 1000);
    };
    let timer: NodeJS.Timeout | undefined = setTimeout(
      () => {
        timedOut = true;
        stop();
      },
      Math.max(1, opts.timeoutS * 1000),
    );
    const onAbort = (): void => stop();
    signal?.addEventListener('abort', onAbort, { once: true });
    const finish = (o: RunOutcome): void => {
      if (timer) clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      signal?.removeEventListener('abort', onAbort);
      // Children the script left in its group do not outlive the check.
      killGroup('SIGKILL');
      resolve(o);
    };
    child.once('error', (e) => finish({ code: null, signal: null, timedOut, error: e.message }));
    child.once('exit', (code, sig) => finish({ code, signal: sig, timedOut }));
  });
}
