/**
 * Who owns a notify FIFO, as keepalived decides it when it reads `*notify_fifo PATH [user
 * [group]]` (core/global_parser.c): the user given, else the default script user. A user the
 * host lacks, or a default keepalived cannot pick, makes it ignore the FIFO (logged only).
 * Pure: users come from the host facts.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Config } from '../model.js';
import type { ParseCtx } from '../schema.js';
import { userKnown } from '../script-user.js';
import { scriptUserCheck } from '../script-user-check.js';

export function checkFifoOwners(config: Config, ctx: ParseCtx): void {
  const g = config.global;
  const users = scriptUserCheck(g, ctx);
  for (const [field, type] of [
    ['notifyFifo', 'notify_fifo'],
    ['vrrpNotifyFifo', 'vrrp_notify_fifo'],
    ['lvsNotifyFifo', 'lvs_notify_fifo'],
  ] as const) {
    const f = g[field];
    if (!f) continue;
    if (f.user ? userKnown(ctx.host, f.user, f.group) : !users.defaultFails) continue;
    if (!f.user) users.reportDefault(f.pos);
    ctx.diag.info(
      ErrorCodes.CONFIG_BAD_VALUE,
      f.user
        ? `Invalid user/group for ${type} ${f.path} - ignoring`
        : `Failed to set default user for ${type} ${f.path} - ignoring`,
      f.pos,
    );
    g[field] = null;
  }
}
