/**
 * FILE_CHECK: read the tracked file (track_file NAME { file PATH }) and turn its number into
 * a verdict with machine.ts's fileVerdict (weight 0: non-zero = down; else value × weight is
 * added to the real server's weight). I/O (node:fs).
 *
 * Differences: keepalived watches the file with inotify; the runtime reads it every
 * delay_loop of the real server (1 s at least), so a change is seen within that time. A
 * missing or unreadable file counts as 0, as keepalived's track_file does.
 */
import { readFile } from 'node:fs/promises';
import { fileVerdict } from './machine.js';
import { result, type ProbeResult } from './probe-util.js';

/** keepalived reads the file's leading integer (strtol); anything else is 0. */
export function parseTrackValue(text: string): number {
  const m = /^\s*([-+]?\d+)/.exec(text);
  return m ? Number(m[1]) : 0;
}

export async function probeFile(
  path: string,
  weight: number,
  reverse: boolean,
): Promise<ProbeResult> {
  const started = performance.now();
  let value: number;
  try {
    value = parseTrackValue(await readFile(path, 'utf8'));
  } catch {
    value = 0;
  }
  const v = fileVerdict(value, weight, reverse);
  return {
    ...result(v.ok, `file value ${value}`, started),
    ...(v.weight ? { weight: v.weight } : {}),
  };
}
