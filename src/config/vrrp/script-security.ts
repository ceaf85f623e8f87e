/**
 * keepalived's check_vrrp_script_security, once the VRRP config is read. Pure: file facts come
 * from the host hook, user names from the host facts.
 *
 * - A tracked vrrp_script whose program is missing, or insecure while enable_script_security
 *   is on, is disabled ("Disabling track script …", a config error) and tracks nothing.
 * - A notify script (instance, sync group, notify FIFO scripts) that is missing or not
 *   executable, or insecure with enable_script_security, is dropped and never runs; keepalived
 *   only logs that, so `-t` is not affected.
 * - "Insecure" (a path component writable by non-root) only counts for a script that runs with
 *   root's uid or gid: one run as another user needs no protection (script-user.ts).
 *
 * - With enable_script_security, no script_user and no user keepalived_script, or with a
 *   script_user the host lacks, a script that names no user of its own is dropped (keepalived
 *   cannot pick a user for it).
 *
 * Returns whether any script was insecure, for the SECURITY VIOLATION line's tail.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { ScriptValue } from '../global/script-value.js';
import type { ScriptFileFact } from '../host-facts.js';
import type { Config } from '../model.js';
import type { ParseCtx } from '../schema.js';
import { factFor, ownUser, scriptUserFor, type ScriptUser } from '../script-user.js';
import { scriptUserCheck } from '../script-user-check.js';

function has<T>(r: Record<string, T>, k: string): boolean {
  return Object.prototype.hasOwnProperty.call(r, k);
}

/**
 * keepalived resolves a script's user as it reads it. A notify script naming a user or group
 * the host lacks is dropped. The default user fails with enable_script_security, no
 * script_user and no user `keepalived_script`, or with a script_user the host lacks; a script
 * without a user of its own is then dropped (a vrrp_script with a config error, a notify
 * script with a log line).
 */
function dropScriptsWithoutUser(config: Config, ctx: ParseCtx): void {
  const users = scriptUserCheck(config.global, ctx);
  for (const s of Object.values(config.vrrp.scripts)) {
    if (!users.defaultFails || s.user || !s.script || s.disabled) continue;
    users.reportDefault(s.pos);
    s.disabled = 'no default script user';
    ctx.diag.error(
      ErrorCodes.CONFIG_INVALID_OBJECT,
      `Unable to set default user for vrrp script ${s.name} - removing`,
      s.pos,
    );
  }
  keepNotifyScripts(config, (x, type) => users.keep(x, type));
}

/**
 * Every notify script of the VRRP side (instances, sync groups, the notify FIFO scripts), each
 * dropped (set to null) where `keep` says no; `type` is keepalived's word for it in messages.
 */
function keepNotifyScripts(
  config: Config,
  keep: (s: ScriptValue, type: 'notify' | 'notify_fifo' | 'vrrp_notify_fifo') => boolean,
): void {
  const each = <K extends string>(n: Record<K, ScriptValue | null>, keys: K[]): void => {
    for (const k of keys) {
      const x = n[k];
      if (x && !keep(x, 'notify')) n[k] = null;
    }
  };
  for (const i of Object.values(config.vrrp.instances))
    each(i.notify, ['master', 'backup', 'fault', 'stop', 'deleted', 'any', 'masterRxLowerPri']);
  for (const sg of Object.values(config.vrrp.syncGroups))
    each(sg.notify, ['master', 'backup', 'fault', 'stop', 'any']);
  const g = config.global;
  if (g.notifyFifoScript && !keep(g.notifyFifoScript, 'notify_fifo')) g.notifyFifoScript = null;
  if (g.vrrpNotifyFifoScript && !keep(g.vrrpNotifyFifoScript, 'vrrp_notify_fifo'))
    g.vrrpNotifyFifoScript = null;
}

export function vrrpScriptSecurity(
  config: Config,
  ctx: ParseCtx,
): { insecure: boolean; notExecutable: ScriptValue['pos'][] } {
  const fact = ctx.host.scriptFile;
  const out = { insecure: false, notExecutable: [] as ScriptValue['pos'][] };
  if (Object.keys(config.vrrp.instances).length === 0) return out;
  dropScriptsWithoutUser(config, ctx);
  if (!fact) return out;
  const g = config.global;
  const secure = g.enableScriptSecurity;
  const userOf = (own: ScriptUser | null): ScriptUser | null =>
    scriptUserFor(own, g, ctx.host.users ?? null);
  /** 'run', or why it must not run. */
  const judge = (program: string, user: ScriptUser | null): ScriptFileFact => {
    const f = factFor(fact(program) ?? 'ok', user, ctx.host.userIds);
    if (f !== 'insecure') return f;
    out.insecure = true;
    return secure ? 'insecure' : 'ok';
  };

  const tracked = new Set<string>();
  for (const i of Object.values(config.vrrp.instances))
    i.track.scripts.forEach((t) => tracked.add(t.name));
  for (const s of Object.values(config.vrrp.syncGroups))
    s.track.scripts.forEach((t) => tracked.add(t.name));
  for (const name of tracked) {
    if (!has(config.vrrp.scripts, name)) continue;
    const s = config.vrrp.scripts[name];
    const program = s.script?.argv[0];
    if (!program || s.disabled) continue;
    const f = judge(program, userOf(s.user));
    if (f === 'missing') {
      s.disabled = 'not found/accessible';
      ctx.diag.error(
        ErrorCodes.CONFIG_INVALID_OBJECT,
        `Disabling track script ${name} since not found/accessible`,
        s.pos,
      );
    } else if (f === 'insecure') {
      s.disabled = 'insecure';
      ctx.diag.error(
        ErrorCodes.CONFIG_SCRIPT_SECURITY,
        `Disabling track script ${name} due to insecure`,
        s.pos,
      );
    } else if (f === 'not-executable') {
      s.disabled = 'not executable';
    }
  }

  keepNotifyScripts(config, (s) => {
    if (!s.argv[0]) return true;
    const f = judge(s.argv[0], userOf(ownUser(s)));
    if (f === 'ok') return true;
    // Dropped, but still a script for the SECURITY VIOLATION (keepalived's SC_ISSCRIPT).
    if (f === 'not-executable') out.notExecutable.push(s.pos);
    const why =
      f === 'missing'
        ? `could not find script '${s.argv[0]}' - disabling`
        : f === 'insecure'
          ? `unsafe permissions found for script '${s.argv[0]}' - disabling`
          : `script '${s.argv[0]}' is not executable - disabling`;
    ctx.diag.info(ErrorCodes.CONFIG_SCRIPT_SECURITY, `Notify script: ${why}`, s.pos);
    return false;
  });
  return out;
}
