/**
 * vrrp_track_process matching and quorum (keepalived.md §1.6). Pure: the caller reads /proc.
 *
 * A process matches on its name — `comm` (what `pgrep NAME` uses), or with `full_command` the
 * first word of its command line — and then on its parameters:
 * - no `param` and no param_match: any parameters;
 * - exact (the default with `param`): exactly these parameters (none, if none are given);
 * - `param_match partial`: these are the first parameters (whole words);
 * - `param_match initial`: as partial, but the last one may be the start of a word.
 * The tracker is up while the number of matches is ≥ quorum and ≤ quorum_max (when set).
 *
 * keepalived differences: none in matching; keepalived hears forks and exits from the netlink
 * proc connector, stayalive polls /proc (trackers.ts).
 */
import type { TrackProcess } from '../config/vrrp/types.js';

export interface ProcInfo {
  /** /proc/PID/stat's second field (at most 15 characters). */
  comm: string;
  /** /proc/PID/cmdline split at NUL; null when it was not read. */
  argv: string[] | null;
}

export type ProcessSpec = Pick<
  TrackProcess,
  'process' | 'params' | 'paramMatch' | 'fullCommand' | 'quorum' | 'quorumMax'
>;

/** Whether the match needs the command line (not just comm). */
export const needsCmdline = (p: ProcessSpec): boolean => p.fullCommand || p.paramMatch !== null;

export function processMatches(p: ProcessSpec, info: ProcInfo): boolean {
  if (!p.process) return false;
  if (needsCmdline(p) && (info.argv === null || info.argv.length === 0)) return false; // zombie
  const name = p.fullCommand ? (info.argv?.[0] ?? '') : info.comm;
  if (name !== p.process) return false;
  if (p.paramMatch === null) return true;
  const args = (info.argv ?? []).slice(1);
  const want = p.params;
  if (p.paramMatch === 'exact') {
    return args.length === want.length && want.every((w, i) => args[i] === w);
  }
  if (args.length < want.length) return false;
  const last = want.length - 1;
  return want.every((w, i) =>
    p.paramMatch === 'initial' && i === last ? args[i].startsWith(w) : args[i] === w,
  );
}

/** Quorum met: quorum ≤ count ≤ quorum_max. */
export function quorumUp(p: ProcessSpec, count: number): boolean {
  return count >= p.quorum && (p.quorumMax === null || count <= p.quorumMax);
}
