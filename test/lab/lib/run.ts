// Running programs for the lab: `run` (to completion, with a deadline) and `startProcess`
// (long-running, in its own process group so it and its children can be killed together).
// Commands are argv arrays; nothing here goes through a shell.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { constants } from 'node:os';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Throw when the exit code is not 0 (default true). */
  check?: boolean;
  /** Kill the command (SIGKILL, whole group) and throw after this long (default 10 s). */
  timeoutMs?: number;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  /** Shown in error messages, e.g. the namespace the command ran in. */
  where?: string;
}

/** Kept per stream so a chatty daemon cannot grow the test process without bound. */
const MAX_OUTPUT = 4 * 1024 * 1024;

function describe(argv: readonly string[], where?: string): string {
  return (where ? `[${where}] ` : '') + argv.join(' ');
}

function killGroup(pid: number | undefined, sig: NodeJS.Signals): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, sig);
  } catch {
    // ESRCH: already gone.
  }
}

/** Runs argv to completion. Throws on timeout, and on a non-zero exit unless `check: false`. */
export function run(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  const { check = true, timeoutMs = 10_000, input, where } = opts;
  const what = describe(argv, where);
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      detached: true, // own process group: a timeout kills the command and its children
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.setEncoding('utf8').on('data', (d: string) => {
      if (stdout.length < MAX_OUTPUT) stdout += d;
    });
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      if (stderr.length < MAX_OUTPUT) stderr += d;
    });
    if (input !== undefined && child.stdin) {
      child.stdin.on('error', () => {}); // EPIPE when the command does not read its input
      child.stdin.end(input);
    }
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup(child.pid, 'SIGKILL');
    }, timeoutMs);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(new Error(`cannot run ${what}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (timedOut) {
        reject(new Error(`timed out after ${timeoutMs} ms: ${what}\n${stderr.trim()}`));
        return;
      }
      const rc = code ?? 128 + (signal ? constants.signals[signal] : 0);
      if (check && rc !== 0) {
        const detail = (stderr.trim() || stdout.trim()).slice(0, 2000);
        reject(new Error(`command failed (exit ${rc}): ${what}${detail ? '\n' + detail : ''}`));
        return;
      }
      resolve({ code: rc, stdout, stderr });
    });
  });
}

export interface ProcessOptions {
  /** Also append stdout and stderr to this file. */
  logTo?: string;
  where?: string;
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A long-running process started by the lab. Killing it signals its whole process group. */
export class LabProcess {
  readonly pid: number;
  readonly argv: readonly string[];
  /** Resolves (never rejects) when the process has exited and its output is drained. */
  readonly exited: Promise<ExitStatus>;
  private out = '';
  private status: ExitStatus | undefined;
  private readonly child: ChildProcess;
  private readonly log: WriteStream | undefined;

  constructor(argv: readonly string[], opts: ProcessOptions = {}) {
    this.argv = argv;
    this.child = spawn(argv[0], argv.slice(1), {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    if (this.child.pid === undefined) {
      // spawn failures (ENOENT) are reported asynchronously; the pid is missing synchronously.
      throw new Error(`cannot start ${describe(argv, opts.where)}`);
    }
    this.pid = this.child.pid;
    this.log = opts.logTo ? createWriteStream(opts.logTo, { flags: 'a' }) : undefined;
    const take = (d: Buffer): void => {
      if (this.out.length < MAX_OUTPUT) this.out += d.toString('utf8');
      this.log?.write(d);
    };
    this.child.stdout?.on('data', take);
    this.child.stderr?.on('data', take);
    this.exited = new Promise((resolve) => {
      this.child.on('error', () => {});
      this.child.on('close', (code, signal) => {
        this.status = { code, signal };
        if (this.log) this.log.end(() => resolve({ code, signal }));
        else resolve({ code, signal });
      });
    });
  }

  /** Stdout and stderr so far, interleaved as they arrived. */
  output(): string {
    return this.out;
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /** Signals the process group (default SIGTERM). */
  kill(sig: NodeJS.Signals = 'SIGTERM'): void {
    if (this.running) killGroup(this.pid, sig);
  }

  /** `sig` (SIGTERM), then SIGKILL if it still runs after `graceMs`; resolves once it has exited. */
  async stop(graceMs = 3000, sig: NodeJS.Signals = 'SIGTERM'): Promise<ExitStatus> {
    this.kill(sig);
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
