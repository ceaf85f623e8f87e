/**
 * keepalived resolves a script's user as it reads the script (lib/notify.c notify_script_init):
 * a `user [group]` the host lacks drops the script ("Invalid user/group for TYPE script …"); with
 * no user of its own it takes the default, and when keepalived cannot pick one (see
 * defaultUserFails) the script is dropped too ("Failed to set default user …"), after one
 * "Unable to set default user keepalived_script for script" error. Shared by the VRRP and
 * checker script passes. Pure: users come from the host facts.
 */
import { ErrorCodes } from '../core/errors.js';
import type { Position } from './diagnostics.js';
import type { GlobalDefs } from './global/types.js';
import type { ParseCtx } from './schema.js';
import { defaultUserFails, userKnown } from './script-user.js';

export interface ScriptUserCheck {
  /** Whether keepalived keeps the script for its user; logs why not. */
  keep(
    s: { user: string | null; group: string | null; argv: string[]; pos: Position },
    type: string,
  ): boolean;
  /** The default user cannot be picked: report it once. */
  reportDefault(pos: Position): void;
  /** Whether scripts without a user of their own are dropped. */
  readonly defaultFails: boolean;
}

/** One report per parse, as keepalived's default user is looked up once per process. */
const reportedIn = new WeakMap<ParseCtx, boolean>();

export function scriptUserCheck(g: GlobalDefs, ctx: ParseCtx): ScriptUserCheck {
  const defaultFails = defaultUserFails(g, ctx.host.users);
  // A failed script_user was reported where it stood; only the keepalived_script case here.
  const reportDefault = (pos: Position): void => {
    if (g.scriptUserFailed || reportedIn.get(ctx)) return;
    reportedIn.set(ctx, true);
    ctx.diag.error(
      ErrorCodes.CONFIG_INVALID_OBJECT,
      'Unable to set default user keepalived_script for script',
      pos,
    );
  };
  return {
    defaultFails,
    reportDefault,
    keep(s, type) {
      if (s.user) {
        if (userKnown(ctx.host, s.user, s.group)) return true;
        ctx.diag.info(
          ErrorCodes.CONFIG_BAD_VALUE,
          `Invalid user/group for ${type} script ${s.argv[0]} - ignoring`,
          s.pos,
        );
        return false;
      }
      if (!defaultFails) return true;
      reportDefault(s.pos);
      ctx.diag.info(
        ErrorCodes.CONFIG_SCRIPT_SECURITY,
        `Failed to set default user for ${type} script ${s.argv[0]} - ignoring`,
        s.pos,
      );
      return false;
    },
  };
}

/**
 * keepalived's "SECURITY VIOLATION - WHAT are being executed but script_security not enabled."
 * (-t exit 6), with its tail when some script was insecure. Each process says it for its own
 * scripts: `what` is "scripts" (VRRP), "check scripts" or "start/shutdown scripts".
 */
export function securityViolation(
  ctx: ParseCtx,
  what: string,
  insecure: boolean,
  pos?: Position,
): void {
  ctx.diag.push({
    code: ErrorCodes.CONFIG_SCRIPT_SECURITY,
    klass: 'security',
    message:
      `SECURITY VIOLATION - ${what} are being executed but script_security not enabled.` +
      (insecure ? ' There are insecure scripts.' : ''),
    ...(pos ? { pos } : {}),
  });
}
