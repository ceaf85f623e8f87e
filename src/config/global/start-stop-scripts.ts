/**
 * keepalived's check of `startup_script` and `shutdown_script` (core/main.c), made by the parent
 * process before anything starts. Pure: file facts and users come from the host facts.
 *
 * - A script naming a user or group the host lacks, or needing a default user keepalived cannot
 *   pick, is "Invalid" (a config error) and dropped.
 * - A missing or non-executable program is dropped (logged).
 * - Insecure (a path non-root users can write, for a script with root's ids) is dropped with
 *   enable_script_security; without it every runnable script is a "SECURITY VIOLATION" (exit 6).
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Config } from '../model.js';
import type { ParseCtx } from '../schema.js';
import { factFor, ownUser, scriptUserFor, userKnown } from '../script-user.js';
import { scriptUserCheck, securityViolation } from '../script-user-check.js';

export function startStopScriptSecurity(config: Config, ctx: ParseCtx): void {
  const g = config.global;
  const fact = ctx.host.scriptFile;
  const users = scriptUserCheck(g, ctx);
  let anyScript = false;
  let anyInsecure = false;
  for (const [field, what] of [
    ['startupScript', 'startup'],
    ['shutdownScript', 'shutdown'],
  ] as const) {
    const s = g[field];
    if (!s) continue;
    const userOk = s.user ? userKnown(ctx.host, s.user, s.group) : !users.defaultFails;
    if (!userOk) {
      if (!s.user) users.reportDefault(s.pos);
      ctx.diag.warn(ErrorCodes.CONFIG_INVALID_OBJECT, `Invalid ${what} script`, s.pos);
      g[field] = null;
      continue;
    }
    if (!fact || !s.argv[0]) continue;
    const user = scriptUserFor(ownUser(s), g, ctx.host.users ?? null);
    const f = factFor(fact(s.argv[0]) ?? 'ok', user, ctx.host.userIds);
    // A script that is there counts for the violation even when it cannot be executed
    // (keepalived sets SC_ISSCRIPT before its is_executable test).
    if (f !== 'missing') anyScript = true;
    if (f === 'missing' || f === 'not-executable') {
      ctx.diag.info(
        ErrorCodes.CONFIG_SCRIPT_SECURITY,
        `${what} script ${s.argv[0]} ${f === 'missing' ? 'not found' : 'is not executable'} - disabling`,
        s.pos,
      );
      g[field] = null;
      continue;
    }
    if (f !== 'insecure') continue;
    anyInsecure = true;
    if (!g.enableScriptSecurity) continue;
    ctx.diag.info(
      ErrorCodes.CONFIG_SCRIPT_SECURITY,
      `Unsafe permissions found for ${what} script '${s.argv[0]}' - disabling`,
      s.pos,
    );
    g[field] = null;
  }
  if (anyScript && !g.enableScriptSecurity)
    securityViolation(ctx, 'start/shutdown scripts', anyInsecure);
}
