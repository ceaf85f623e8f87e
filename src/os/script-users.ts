/**
 * Who runs scripts: keepalived's rules (config/script-user.ts) with the host's user names, read
 * once per config (keepalived looks the `keepalived_script` default up once, at load), and
 * turned into uid/gid. One per config's global_defs, shared by the VRRP and checker sides.
 */
import type { ScriptUser } from '../config/script-user.js';
import { scriptUserFor } from '../config/script-user.js';
import { lookupIds, userNames, type RunAs } from './users.js';

type Globals = { scriptUser: ScriptUser | null };

const byConfig = new WeakMap<Globals, ScriptUsers>();

export class ScriptUsers {
  private readonly users = userNames();

  private constructor(private readonly global: Globals) {}

  /** The one for this config's global_defs. */
  static of(global: Globals): ScriptUsers {
    let u = byConfig.get(global);
    if (!u) byConfig.set(global, (u = new ScriptUsers(global)));
    return u;
  }

  /** The user a script runs as (null: ourselves). */
  userFor(own: ScriptUser | null): ScriptUser | null {
    return scriptUserFor(own, this.global, this.users);
  }

  /** uid/gid to run as, null for ourselves, or why the script cannot run. */
  runAs(own: ScriptUser | null): RunAs | null | string {
    const u = this.userFor(own);
    return u ? lookupIds(u.user, u.group) : null;
  }
}
