/**
 * Script checks keepalived's checker process makes after reading the
 * config (check_check_script_security and the default script user). Pure:
 * facts about files come from an optional host hook.
 *
 * - A script whose file is missing is dropped with a log line only (a
 *   MISC_CHECK using it is removed): no effect on `-t`'s exit code.
 * - With enable_script_security, an insecure script (writable by non-root
 *   along its path) is dropped the same way.
 * - Without enable_script_security, any runnable check script is a
 *   "SECURITY VIOLATION" (exit 6).
 * - With enable_script_security and no script_user, a MISC_CHECK without
 *   `user` needs the user keepalived_script; if it does not exist the
 *   checker is removed with an error (exit 5).
 */
import { ErrorCodes } from '../../core/errors.js';
import type { ParseCtx } from '../schema.js';
import { factFor, ownUser, scriptUserFor, type ScriptUser } from '../script-user.js';
import { cfgError, cfgInfo } from './common.js';
import { disable } from './checker-common.js';
import type { LvsSection, MiscChecker, ScriptCommand } from './types.js';

/** What the shell can tell about a script's file (proposed HostFacts hook). */
export type { ScriptFileFact } from '../host-facts.js';
import type { ScriptFileFact } from '../host-facts.js';

export interface ScriptFacts {
  /** Facts about the program `path` (first word of the command), or undefined if unknown. */
  scriptFile?: (path: string) => ScriptFileFact | undefined;
}

interface GlobalLoose {
  enableScriptSecurity?: boolean;
  scriptUser?: { user: string; group: string | null } | null;
}

/** The program a command runs. */
export function programOf(cmd: ScriptCommand): string {
  return cmd.argv[0] ?? '';
}

export function checkScriptSecurity(lvs: LvsSection, ctx: ParseCtx): void {
  const g = ctx.config.global as unknown as GlobalLoose;
  const secure = g.enableScriptSecurity === true;
  const facts = (ctx.host as ScriptFacts).scriptFile;
  const fact = (c: ScriptCommand): ScriptFileFact => {
    const p = programOf(c);
    // `</path` only tests that a file opens: never executed.
    if (/^<\s*\//.test(c.command.trim())) return 'ok';
    return facts?.(p) ?? 'ok';
  };
  let anyScript = false;
  let anyInsecure = false;

  const misc: MiscChecker[] = [];
  for (const vs of lvs.virtualServers) {
    if (!vs.usable) continue;
    for (const rs of vs.realServers) {
      if (!rs.usable) continue;
      for (const c of rs.checkers) if (c.type === 'MISC_CHECK' && c.usable) misc.push(c);
    }
  }

  // Default user first: keepalived does it when the MISC_CHECK block ends.
  if (secure && !g.scriptUser && ctx.host.users && !ctx.host.users.has('keepalived_script')) {
    let reported = false;
    for (const c of misc) {
      if (c.user !== null || !c.script) continue;
      if (!reported) {
        cfgError(
          ctx,
          'Unable to set default user keepalived_script for script',
          c.pos,
          ErrorCodes.CONFIG_INVALID_OBJECT,
        );
        reported = true;
      }
      cfgError(
        ctx,
        `Unable to set default user for misc script '${c.script.command}' - removing`,
        c.pos,
        ErrorCodes.CONFIG_INVALID_OBJECT,
      );
      disable(c, 'no default script user');
    }
  }

  const judge = (s: ScriptCommand, what: string, user: ScriptUser | null = null): boolean => {
    // Only a script run with root's ids needs a root-only path (keepalived's check_security).
    const f = factFor(fact(s), user, ctx.host.userIds);
    if (f === 'missing') {
      cfgInfo(
        ctx,
        `Disabling ${what} ${s.command} since not found/accessible`,
        s.pos,
        ErrorCodes.CONFIG_SCRIPT_SECURITY,
      );
      return false;
    }
    if (f === 'not-executable') return false;
    anyScript = true;
    if (f === 'insecure') {
      anyInsecure = true;
      if (secure) {
        cfgInfo(
          ctx,
          `Disabling ${what} ${s.command} due to insecure`,
          s.pos,
          ErrorCodes.CONFIG_SCRIPT_SECURITY,
        );
        return false;
      }
    }
    return true;
  };

  for (const c of misc) {
    if (!c.usable || !c.script) continue;
    const user = scriptUserFor(
      ownUser(c),
      { scriptUser: g.scriptUser ?? null },
      ctx.host.users ?? null,
    );
    if (!judge(c.script, 'misc script', user)) disable(c, 'script missing or insecure');
  }
  for (const vs of lvs.virtualServers) {
    if (!vs.usable) continue;
    if (vs.quorumUp && !judge(vs.quorumUp, 'notify script')) vs.quorumUp = null;
    if (vs.quorumDown && !judge(vs.quorumDown, 'notify script')) vs.quorumDown = null;
    for (const rs of vs.realServers) {
      if (!rs.usable) continue;
      if (rs.notifyUp && !judge(rs.notifyUp, 'notify script')) rs.notifyUp = null;
      if (rs.notifyDown && !judge(rs.notifyDown, 'notify script')) rs.notifyDown = null;
    }
  }

  if (!secure && anyScript) {
    ctx.diag.push({
      code: ErrorCodes.CONFIG_SCRIPT_SECURITY,
      klass: 'security',
      message:
        'SECURITY VIOLATION - check scripts are being executed but script_security not enabled.' +
        (anyInsecure ? ' There are insecure scripts.' : ''),
    });
  }
}
