/**
 * Who a checker-side script runs as (MISC_CHECK, notify_up/down, quorum_up/down): keepalived's
 * rule (config/script-user.ts) with the host's user names read once per config, not once per
 * script.
 */
import type { Config } from '../config/model.js';
import { scriptUserFor, type ScriptUser } from '../config/script-user.js';
import { userNames } from '../os/users.js';

const usersByConfig = new WeakMap<Config, ReadonlySet<string> | null>();

function hostUsers(config: Config): ReadonlySet<string> | null {
  if (!usersByConfig.has(config)) usersByConfig.set(config, userNames());
  return usersByConfig.get(config) ?? null;
}

/** The user to run as (null: as the daemon), from the script's own `user [group]` if any. */
export function scriptAs(own: ScriptUser | null, config: Config): ScriptUser | null {
  return scriptUserFor(own, config.global, hostUsers(config));
}
