/**
 * Users and groups from /etc/passwd and /etc/group, for running scripts as `user [group]`
 * (keepalived resolves names with getpwnam/getgrnam; numbers pass through here too). I/O.
 */
import { readFileSync } from 'node:fs';

export interface RunAs {
  uid: number;
  gid: number;
}

function entry(file: string, name: string): string[] | undefined {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .map((l) => l.split(':'))
      .find((f) => f[0] === name || f[2] === name);
  } catch {
    return undefined;
  }
}

/** uid/gid of a user (its primary group, or `group`), or why not. */
export function lookupIds(user: string, group: string | null): RunAs | string {
  const pw = entry('/etc/passwd', user);
  if (!pw) return `unknown user ${user}`;
  let gid = Number(pw[3]);
  if (group) {
    const gr = entry('/etc/group', group);
    if (!gr) return `unknown group ${group}`;
    gid = Number(gr[2]);
  }
  return { uid: Number(pw[2]), gid };
}

/** The names in a passwd- or group-style file (null when it cannot be read). */
export function namesIn(file: string): Set<string> | null {
  try {
    return new Set(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => l && !l.startsWith('#'))
        .map((l) => l.split(':')[0]),
    );
  } catch {
    return null;
  }
}

/** Names in /etc/passwd (null when it cannot be read). */
export const userNames = (): Set<string> | null => namesIn('/etc/passwd');
