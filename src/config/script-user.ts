/**
 * Who a script runs as, by keepalived's rules (lib/notify.c): the script's own `user [group]`;
 * else global_defs `script_user`; else the user `keepalived_script` when it exists; else the
 * daemon's own user (root). Pure: the host's user names are passed in.
 */
import type { ScriptFileFact } from './host-facts.js';

export interface ScriptUser {
  user: string;
  group: string | null;
}

export function scriptUserFor(
  own: ScriptUser | null,
  global: { scriptUser: ScriptUser | null },
  users: ReadonlySet<string> | null,
): ScriptUser | null {
  if (own) return own;
  if (global.scriptUser) return global.scriptUser;
  if (users?.has('keepalived_script')) return { user: 'keepalived_script', group: null };
  return null;
}

/**
 * Whether the script runs with root's uid or gid (null: as the daemon, which runs as root).
 * keepalived guards a script's path against non-root writers only then. By the numbers when
 * the host can tell them (a user such as RHEL's `operator` has gid 0), else by the names.
 */
export function runsAsRoot(
  u: ScriptUser | null,
  ids?: (user: string, group: string | null) => { uid: number; gid: number } | undefined,
): boolean {
  if (u === null) return true;
  const n = ids?.(u.user, u.group);
  if (n) return n.uid === 0 || n.gid === 0;
  return u.user === 'root' || u.user === '0' || u.group === 'root' || u.group === '0';
}

/**
 * keepalived cannot pick a default user: `script_user` names a user or group the host lacks,
 * or enable_script_security is on with no script_user and no user `keepalived_script`. A
 * script without a user of its own is then dropped.
 */
export function defaultUserFails(
  g: { enableScriptSecurity: boolean; scriptUser: ScriptUser | null; scriptUserFailed: boolean },
  users: ReadonlySet<string> | null | undefined,
): boolean {
  if (g.scriptUserFailed) return true;
  return g.enableScriptSecurity && !g.scriptUser && !!users && !users.has('keepalived_script');
}

/**
 * A script's file fact once its user is known. keepalived guards the path only of a script that
 * runs with root's ids: started as root, or set-uid/set-gid root (lib/notify.c).
 */
export function factFor(
  f: ScriptFileFact,
  u: ScriptUser | null,
  ids?: (user: string, group: string | null) => { uid: number; gid: number } | undefined,
): ScriptFileFact {
  if (f === 'insecure-setid') return 'insecure';
  if (f === 'insecure' && !runsAsRoot(u, ids)) return 'ok';
  return f;
}

/**
 * False only when the host's lists are known and lack the user or the group (keepalived's
 * getpwnam/getgrnam failing); unknown lists give the benefit of the doubt.
 */
export function userKnown(
  host: { users?: ReadonlySet<string> | null; groups?: ReadonlySet<string> | null },
  user: string,
  group: string | null,
): boolean {
  if (host.users && !host.users.has(user)) return false;
  return !(group !== null && host.groups && !host.groups.has(group));
}

/** The `user [group]` words of a script value, when given. */
export function ownUser(s: { user: string | null; group: string | null }): ScriptUser | null {
  return s.user ? { user: s.user, group: s.group } : null;
}
