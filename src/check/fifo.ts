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
import type { FifoSpec, GlobalDefs } from '../config/global/types.js';
import { ownUser, scriptUserFor } from '../config/script-user.js';
import { FifoWriter, startFifoScript } from '../os/fifo.js';
import { lookupIds, userNames } from '../os/users.js';

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

/** The configured checker FIFOs, or null when there are none. */
export function openCheckFifos(g: GlobalDefs): FifoSink | null {
  const specs: FifoSpec[] = [g.notifyFifo, g.lvsNotifyFifo].filter((s): s is FifoSpec => !!s);
  if (specs.length === 0) return null;
  const users = userNames();
  // Each FIFO's owner: the user written after its path, else the default script user.
  const files = specs.map(
    (s) => new FifoWriter(s.path, s.user ? s : scriptUserFor(null, g, users)),
  );
  let stopScript = (): void => undefined;
  const script = g.lvsNotifyFifoScript;
  if (g.lvsNotifyFifo && script?.argv.length) {
    // As its user (own, else script_user, else keepalived_script), like every notify script.
    const as = scriptUserFor(ownUser(script), g, users);
    const ids = as ? lookupIds(as.user, as.group) : null;
    if (typeof ids !== 'string')
      stopScript = startFifoScript(script.argv, g.lvsNotifyFifo.path, ids);
  }
  return {
    write: (line) => files.forEach((f) => f.write(line)),
    close: () => {
      files.forEach((f) => f.close());
      stopScript();
    },
  };
}
