/**
 * Facts about the host that keepalived consults while reading a config
 * (`-t` checks that interfaces exist, that scripts exist and are safe to run
 * as root, that script users exist). Pure data and callbacks; the shell
 * (src/os/host.ts) fills them in, tests pass their own.
 */

/**
 * What the host can tell about the program a script runs. 'insecure': it or a directory
 * above it is writable by a non-root user; 'insecure-setid': that, and the file is set-uid
 * root or set-gid root, so it runs with root's ids whoever starts it.
 */
export type ScriptFileFact = 'ok' | 'missing' | 'insecure' | 'insecure-setid' | 'not-executable';

export interface HostFacts {
  /** Interface names present on the host, or null when unknown (then no interface checks). */
  interfaces: ReadonlySet<string> | null;
  /** Short hostname: default router_id and default config-id. */
  hostname: string;
  /** Users and groups that exist (script_user checks), or null when unknown. */
  users?: ReadonlySet<string> | null;
  groups?: ReadonlySet<string> | null;
  /**
   * Facts about a script's program (`argv[0]`, searched in PATH when it has
   * no slash): missing, not executable, or insecure. Undefined when unknown.
   */
  scriptFile?: (path: string) => ScriptFileFact | undefined;
  /** uid and gid a script would run with as `user [group]`; undefined when unknown. */
  userIds?: (user: string, group: string | null) => { uid: number; gid: number } | undefined;
}

export const UNKNOWN_HOST: HostFacts = { interfaces: null, hostname: 'localhost' };
