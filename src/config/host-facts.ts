/**
 * Facts about the host that keepalived consults while reading a config
 * (`-t` checks that interfaces exist). Pure data; the shell fills it in.
 */
export interface HostFacts {
  /** Interface names present on the host, or null when unknown (then no interface checks). */
  interfaces: ReadonlySet<string> | null;
  /** Short hostname: default router_id and default config-id. */
  hostname: string;
  /** Users and groups that exist (script_user checks), or null when unknown. */
  users?: ReadonlySet<string> | null;
  groups?: ReadonlySet<string> | null;
}

export const UNKNOWN_HOST: HostFacts = { interfaces: null, hostname: 'localhost' };
