/**
 * Who gets an smtp_alert mail, as keepalived 2.2.7 decides it. Pure (config in, booleans out).
 *
 * Precedence (vrrp.c, check_data.c):
 * - VRRP instance / sync group: its own `smtp_alert`, else global `smtp_alert_vrrp`, else global
 *   `smtp_alert`, else false.
 * - Real server: its own `smtp_alert`, else global `smtp_alert_checker`, else global `smtp_alert`,
 *   else **true** (keepalived's deliberate exception). The virtual server's flag only governs its
 *   own quorum mails, not its real servers'. (config/lvs/finalize.ts already resolves these.)
 * - Nothing is sent unless `notification_email` lists someone and `smtp_server` is set.
 * - VRRP: no mail for a state equal to the last one mailed (last_email_state); with
 *   `no_email_faults` FAULT is not mailed (and does not count as mailed).
 * - Checkers: a mail when a checker changes verdict and the real server changed with it, or
 *   for any checker change when `no_checker_emails` is unset.
 */
import type { GlobalDefs } from '../config/global/types.js';
import { formatRs, formatVs } from '../config/lvs/format.js';
import type { Config } from '../config/model.js';

/** Mail can go out at all: someone to write to and a server to write through. */
export function mailConfigured(g: GlobalDefs): boolean {
  return g.notificationEmail.length > 0 && g.smtpServer !== null;
}

function vrrpDefault(own: boolean | null, g: GlobalDefs): boolean {
  return own ?? g.smtpAlertVrrp ?? g.smtpAlert ?? false;
}

/** smtp_alert of a VRRP instance (false for an unknown name). */
export function instanceAlerts(config: Config, name: string): boolean {
  const inst = config.vrrp.instances[name];
  return inst ? vrrpDefault(inst.smtpAlert, config.global) : false;
}

/** smtp_alert of a sync group (false for an unknown name). */
export function groupAlerts(config: Config, name: string): boolean {
  const g = config.vrrp.syncGroups[name];
  return g ? vrrpDefault(g.smtpAlert, config.global) : false;
}

/** smtp_alert of the real server `rsId` of virtual server `vsId` (keepalived's spellings). */
export function realServerAlerts(config: Config, vsId: string, rsId: string): boolean {
  const g = config.global;
  for (const vs of config.lvs.virtualServers) {
    if (!vs.usable || formatVs(vs) !== vsId) continue;
    for (const rs of vs.realServers) {
      if (rs.usable && formatRs(rs, vs) === rsId) {
        return rs.smtpAlert ?? g.smtpAlertChecker ?? g.smtpAlert ?? true;
      }
    }
  }
  return false;
}

/** smtp_alert of the virtual server `vsId`: its quorum mails (finalize.ts resolved the default). */
export function virtualServerAlerts(config: Config, vsId: string): boolean {
  for (const vs of config.lvs.virtualServers)
    if (vs.usable && formatVs(vs) === vsId) return vs.smtpAlert ?? false;
  return false;
}

/**
 * vrrp_smtp_notifier's rule: mail `state` when enabled, not a suppressed FAULT, and not the
 * state mailed last. Returns whether to send and the new "last mailed" state.
 */
export function vrrpMailDecision(
  lastMailed: string | undefined,
  state: string,
  enabled: boolean,
  noEmailFaults: boolean,
): { send: boolean; lastMailed: string | undefined } {
  if (!enabled || (noEmailFaults && state === 'FAULT') || lastMailed === state) {
    return { send: false, lastMailed };
  }
  return { send: true, lastMailed: state };
}

/** The checkers' rule: `(rs_was_alive != rs->alive || !no_checker_emails)`. */
export function checkerMailDecision(
  rsChanged: boolean,
  checkerChanged: boolean,
  noCheckerEmails: boolean,
): boolean {
  return checkerChanged && (rsChanged || !noCheckerEmails);
}
