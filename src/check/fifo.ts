/**
 * The checkers' notify FIFO lines (keepalived.md §1.9), written to `notify_fifo` and
 * `lvs_notify_fifo`: `RS [192.0.2.11]:tcp:80 [192.0.2.100]:tcp:80 UP|DOWN` on every real
 * server change and `VS [192.0.2.100]:tcp:80 UP|DOWN` on every quorum change. The line
 * builders and the quorum rule are pure; openCheckFifos does the I/O through os/fifo.ts.
 *
 * Differences: `lvs_notify_fifo_script` is started here, as its user; `notify_fifo_script` is
 * left to the VRRP side, which owns the shared notify_fifo in the same process (so with the
 * checkers alone it does not start). Lines are written on changes only (also at start with
 * `rs_init_notifies`).
 */
import type { GlobalDefs } from '../config/global/types.js';
import { NotifyFifo } from '../os/fifo.js';
import { ScriptUsers } from '../os/script-users.js';

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

/**
 * The configured checker FIFOs, or null when there are none. Only lvs_notify_fifo's script
 * starts here; notify_fifo's is the VRRP side's.
 */
export function openCheckFifos(g: GlobalDefs): FifoSink | null {
  const users = ScriptUsers.of(g);
  const fifos = [
    g.notifyFifo && new NotifyFifo(g.notifyFifo, null, users),
    g.lvsNotifyFifo && new NotifyFifo(g.lvsNotifyFifo, g.lvsNotifyFifoScript, users),
  ].filter((f): f is NotifyFifo => !!f);
  if (fifos.length === 0) return null;
  return {
    write: (line) => fifos.forEach((f) => f.write(line)),
    close: () => fifos.forEach((f) => f.close()),
  };
}
