/**
 * The checkers' notify FIFO lines (keepalived.md §1.9), written to `notify_fifo` and
 * `lvs_notify_fifo`: `RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 UP|DOWN` on every real
 * server change and `VS [192.0.2.100]:tcp:80 UP|DOWN` on every quorum change. The line
 * builders and the quorum rule are pure; CheckFifo does the I/O (the FIFO is opened read-write
 * and non-blocking, so a missing reader never blocks; a missing FIFO is created with mkfifo).
 *
 * Differences: `lvs_notify_fifo_script` is started here; `notify_fifo_script` is left to the
 * VRRP side, which owns the shared notify_fifo in the same process. Lines are written on
 * changes only (also at start with `rs_init_notifies`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, writeSync } from 'node:fs';
import type { FifoSpec, GlobalDefs } from '../config/global/types.js';

export function rsFifoLine(rs: string, vs: string, up: boolean): string {
  return `RS ${rs} ${vs} ${up ? 'UP' : 'DOWN'}`;
}

export function vsFifoLine(vs: string, up: boolean): string {
  return `VS ${vs} ${up ? 'UP' : 'DOWN'}`;
}

/** keepalived's quorum at start: the live weight reaches quorum + hysteresis. */
export function initialQuorum(liveWeight: number, quorum: number, hysteresis: number): boolean {
  return liveWeight >= quorum + hysteresis;
}

/**
 * keepalived's quorum transition: down → up at quorum + hysteresis, up → down below
 * quorum − hysteresis (or when no live weight is left).
 */
export function nextQuorum(
  up: boolean,
  liveWeight: number,
  quorum: number,
  hysteresis: number,
): boolean {
  const threshold = quorum + (up ? -hysteresis : hysteresis);
  if (!up) return liveWeight >= threshold;
  return !(liveWeight === 0 || liveWeight < threshold);
}

/** Where FIFO lines go; a fake in tests. */
export interface FifoSink {
  write(line: string): void;
  close(): void;
}

class FifoFile {
  private fd: number | null = null;
  constructor(private readonly path: string) {
    if (!existsSync(path)) spawnSync('mkfifo', ['-m', '0600', path], { stdio: 'ignore' });
  }
  write(line: string): void {
    try {
      this.fd ??= openSync(this.path, constants.O_RDWR | constants.O_NONBLOCK);
      writeSync(this.fd, `${line}\n`);
    } catch {
      // EAGAIN (no reader draining) or a vanished FIFO: the line is lost, as with keepalived.
    }
  }
  close(): void {
    if (this.fd !== null) closeSync(this.fd);
    this.fd = null;
  }
}

/** The configured checker FIFOs, or null when there are none. */
export function openCheckFifos(g: GlobalDefs): FifoSink | null {
  const specs: FifoSpec[] = [g.notifyFifo, g.lvsNotifyFifo].filter((s): s is FifoSpec => !!s);
  if (specs.length === 0) return null;
  const files = specs.map((s) => new FifoFile(s.path));
  if (g.lvsNotifyFifo && g.lvsNotifyFifoScript?.argv.length) {
    const [cmd, ...args] = g.lvsNotifyFifoScript.argv;
    if (cmd) {
      const child = spawn(cmd, [...args, g.lvsNotifyFifo.path], { stdio: 'ignore' });
      child.on('error', () => {});
      child.unref();
    }
  }
  return {
    write: (line) => files.forEach((f) => f.write(line)),
    close: () => files.forEach((f) => f.close()),
  };
}
