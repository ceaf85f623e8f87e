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
 * - notify_up/down and quorum_up/down take `CMD [user [group]]`: a user the
 *   host lacks, or a default user keepalived cannot pick, drops the script
 *   (logged only). Every script's path is judged as the user it runs as.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { ParseCtx } from '../schema.js';
import { factFor, ownUser, scriptUserFor, type ScriptUser } from '../script-user.js';
import { scriptUserCheck, securityViolation } from '../script-user-check.js';
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

/** The program a command runs. */
export function programOf(cmd: ScriptCommand): string {
  return cmd.argv[0] ?? '';
}

export function checkScriptSecurity(lvs: LvsSection, ctx: ParseCtx): void {
  const g = ctx.config.global;
  const secure = g.enableScriptSecurity;
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

  // Users first: keepalived resolves them as it reads each script (the MISC_CHECK block's end,
  // each notify line), before this pass.
  const users = scriptUserCheck(g, ctx);
  for (const c of misc) {
    if (!users.defaultFails || c.user !== null || !c.script) continue;
    users.reportDefault(c.pos);
    cfgError(
      ctx,
      `Unable to set default user for misc script '${c.script.command}' - removing`,
      c.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    disable(c, 'no default script user');
  }
  const userOf = (own: ScriptUser | null): ScriptUser | null =>
    scriptUserFor(own, g, ctx.host.users ?? null);

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
    // There, even if not executable: keepalived sets SC_ISSCRIPT before its is_executable test.
    anyScript = true;
    if (f === 'not-executable') return false;
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
    if (!judge(c.script, 'misc script', userOf(ownUser(c))))
      disable(c, 'script missing or insecure');
  }
  const keep = <S extends ScriptCommand>(s: S | null, type: string): S | null =>
    s && users.keep(s, type) && judge(s, 'notify script', userOf(ownUser(s))) ? s : null;
  for (const vs of lvs.virtualServers) {
    if (!vs.usable) continue;
    vs.quorumUp = keep(vs.quorumUp, 'quorum');
    vs.quorumDown = keep(vs.quorumDown, 'quorum');
    for (const rs of vs.realServers) {
      if (!rs.usable) continue;
      rs.notifyUp = keep(rs.notifyUp, 'notify');
      rs.notifyDown = keep(rs.notifyDown, 'notify');
    }
  }
  // The checker process also starts the FIFO scripts, so it checks them too (keepalived does
  // this only when there is a virtual server).
  if (lvs.virtualServers.some((vs) => vs.usable)) {
    g.notifyFifoScript = keep(g.notifyFifoScript, 'notify_fifo');
    g.lvsNotifyFifoScript = keep(g.lvsNotifyFifoScript, 'lvs_notify_fifo');
  }

  if (!secure && anyScript) securityViolation(ctx, 'check scripts', anyInsecure);
}
