/**
 * A notify FIFO as keepalived keeps one (lib/notify.c fifo_open / fifo_close): created when
 * missing, mode 0644, handed to its owner (its `user [group]`, else the default script user)
 * when it was created here; opened read-write, non-blocking and without following a symlink,
 * so a missing reader never blocks, a full pipe only loses the line, and a link planted at the
 * path is refused; removed when the last holder in this process closes it, if made here.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  chownSync,
  closeSync,
  constants,
  existsSync,
  openSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import type { FifoSpec } from '../config/global/types.js';
import type { ScriptValue } from '../config/global/script-value.js';
import { ownUser, type ScriptUser } from '../config/script-user.js';
import type { ScriptUsers } from './script-users.js';
import { lookupIds, type RunAs } from './users.js';

export interface FifoOwner {
  user: string | null;
  group: string | null;
}

/**
 * The FIFO paths this process holds, shared by the VRRP and checker sides (notify_fifo is
 * both's): made once, removed when the last holder closes it.
 */
const paths = new Map<string, { created: boolean; holders: number }>();

export class FifoWriter {
  private fd: number | null = null;
  private closed = false;

  constructor(
    private readonly path: string,
    owner: FifoOwner | null = null,
  ) {
    const held = paths.get(path);
    if (held) {
      held.holders++;
      return;
    }
    const entry = { created: false, holders: 1 };
    paths.set(path, entry);
    if (existsSync(path)) return;
    // Node has no mkfifo(3); the coreutils tool is part of every Debian base system.
    const made = spawnSync('mkfifo', ['-m', '0644', path], { stdio: 'ignore' });
    entry.created = made.status === 0;
    if (!entry.created || !owner?.user) return;
    const ids = lookupIds(owner.user, owner.group);
    if (typeof ids === 'string') return;
    try {
      chownSync(path, ids.uid, ids.gid);
    } catch {
      // keepalived logs "Failed to set uid:gid" and keeps the FIFO; so do we, silently.
    }
  }

  write(line: string): void {
    if (this.closed) return;
    try {
      this.fd ??= openSync(
        this.path,
        constants.O_RDWR | constants.O_NONBLOCK | constants.O_NOFOLLOW,
      );
      writeSync(this.fd, `${line}\n`);
    } catch {
      // EAGAIN (no reader draining) or a vanished FIFO: the line is lost, as with keepalived.
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    const held = paths.get(this.path);
    if (held && --held.holders === 0) {
      paths.delete(this.path);
      // Unlinked first, as keepalived does, so a reader that loops reopening it cannot.
      if (held.created) {
        try {
          unlinkSync(this.path);
        } catch {
          // Already gone.
        }
      }
    }
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/**
 * A FIFO's script (`*notify_fifo_script`): started with the FIFO's path as its last argument,
 * as `runAs`, in its own process group as keepalived starts it, so a signal to the daemon's
 * group does not reach it. Returns what stops it (SIGTERM to its group): keepalived's script
 * gets SIGTERM when its process ends (PR_SET_PDEATHSIG), ours when its FIFO is closed.
 */
export function startFifoScript(
  argv: readonly string[],
  path: string,
  runAs: RunAs | null,
): () => void {
  const [cmd, ...args] = argv;
  if (!cmd) return () => undefined;
  let child;
  try {
    child = spawn(cmd, [...args, path], { stdio: 'ignore', detached: true, ...(runAs ?? {}) });
  } catch {
    return () => undefined;
  }
  child.on('error', () => {});
  child.unref();
  let alive = true;
  child.on('exit', () => (alive = false));
  return () => {
    if (!alive || !child.pid) return;
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      // Already gone.
    }
  };
}

/** Writes FIFO lines; one per configured FIFO. Starts its script (as its user) once. */
export class NotifyFifo {
  private readonly fifo: FifoWriter;
  private stopScript: () => void = () => undefined;

  constructor(spec: FifoSpec, script: ScriptValue | null, users?: ScriptUsers) {
    // Its owner: the user written after its path, else the default script user.
    this.fifo = new FifoWriter(spec.path, spec.user ? spec : (users?.userFor(null) ?? null));
    if (!script) return;
    const as = users?.runAs(ownUser(script)) ?? null;
    if (typeof as !== 'string') this.stopScript = startFifoScript(script.argv, spec.path, as);
  }

  write(line: string): void {
    this.fifo.write(line);
  }

  close(): void {
    this.fifo.close();
    this.stopScript();
  }
}

/**
 * What a reload compares to decide whether FIFOs (and their scripts) must be reopened: the
 * FIFOs by path and owner, the scripts by what they run and as whom (not where they stand in
 * the file), and script_user, which picks the default user of both.
 */
export function fifoSettingsKey(
  fifos: (FifoSpec | null)[],
  scripts: (ScriptValue | null)[],
  scriptUser: ScriptUser | null,
): string {
  return JSON.stringify([
    fifos.map((f) => f && [f.path, f.user, f.group]),
    scripts.map((x) => x && [x.command, x.user, x.group]),
    scriptUser,
  ]);
}
