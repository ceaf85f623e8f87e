/**
 * Host facts for the config checks, read from this host (network namespace
 * included): interface names from /sys/class/net, the short hostname, users
 * and groups, and what keepalived's script-security pass asks of a script.
 */
import { accessSync, constants, lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type { HostFacts, ScriptFileFact } from '../config/host-facts.js';
import { lookupIds, namesIn } from './users.js';

/** keepalived runs a bare command name from PATH. */
function locate(program: string): string | undefined {
  if (program.includes('/')) return isAbsolute(program) ? program : resolve(program);
  for (const dir of (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':')) {
    const p = join(dir, program);
    try {
      if (statSync(p).isFile()) return p;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * keepalived's rule, per path component: unsafe if not owned by root, or if a
 * file or a non-sticky directory is writable by the world or by a non-root group.
 */
function writableByOthers(path: string): boolean {
  const st = lstatSync(path);
  if (st.uid !== 0) return true;
  const sticky = st.isDirectory() && (st.mode & 0o1000) !== 0;
  if (sticky) return false;
  return (st.mode & 0o002) !== 0 || (st.gid !== 0 && (st.mode & 0o020) !== 0);
}

/** Set-uid root (owner may execute) or set-gid root (group may execute): runs with root's ids. */
function setIdRoot(path: string): boolean {
  const st = statSync(path);
  return (
    (st.uid === 0 && (st.mode & 0o4100) === 0o4100) ||
    (st.gid === 0 && (st.mode & 0o2010) === 0o2010)
  );
}

export function scriptFileFact(program: string): ScriptFileFact {
  const path = locate(program);
  if (!path) return 'missing';
  try {
    if (!statSync(path).isFile()) return 'missing';
    accessSync(path, constants.X_OK);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not-executable';
  }
  // Judge the real file: symlinks along the way (/bin → usr/bin) are followed, as keepalived does.
  const real = realpathSync(path);
  for (let p = real; ; p = dirname(p)) {
    if (writableByOthers(p)) return setIdRoot(real) ? 'insecure-setid' : 'insecure';
    if (p === dirname(p)) break;
  }
  return 'ok';
}

export function readHostFacts(): HostFacts {
  let interfaces: Set<string> | null;
  try {
    interfaces = new Set(readdirSync('/sys/class/net'));
  } catch {
    interfaces = null;
  }
  return {
    interfaces,
    hostname: hostname().split('.')[0],
    users: namesIn('/etc/passwd'),
    groups: namesIn('/etc/group'),
    scriptFile: scriptFileFact,
    userIds: (user, group) => {
      const r = lookupIds(user, group);
      return typeof r === 'string' ? undefined : r;
    },
  };
}
