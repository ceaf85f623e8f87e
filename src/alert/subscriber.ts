/**
 * smtp_alert: listens on the bus ('vrrp:notify', 'check:result', 'rs:state') and mails
 * what keepalived would mail (rules.ts decides, compose.ts writes, smtp-client.ts sends).
 * Does I/O through the client; mails go out one at a time in event order, and a failure is a
 * 'log' event (subsystem "smtp"), never an exception in the publisher.
 *
 * Also 'vs:quorum' (virtual-server quorum mails) and 'rs:gone' (a live real server removed by
 * a reload, or stopped with `omega`: "Removing" / "Shutting down").
 *
 * VRRP mails follow keepalived's notifies, so STOP at shutdown and DELETED (or FAULT) at a
 * reload that removes an instance are mailed too.
 *
 * Differences from keepalived: instances of a
 * sync group mail their own transitions too (keepalived skips an instance's notifies when its
 * state already equals its group's); at most 100 mails wait in the queue, the rest are
 * dropped with a warning.
 */
import { publish, subscribe } from '../core/bus.js';
import type { LogLevel } from '../core/events.js';
import type { Config } from '../config/model.js';
import '../check/events.js';
import { alertText, composeMessage, rfc5322Date, type Alert } from './compose.js';
import {
  checkerMailDecision,
  groupAlerts,
  instanceAlerts,
  mailConfigured,
  realServerAlerts,
  virtualServerAlerts,
  vrrpMailDecision,
} from './rules.js';
import {
  describeFailure,
  hostPort,
  sendMail,
  type SmtpMail,
  type SmtpResult,
} from './smtp-client.js';

export interface SmtpAlertOptions {
  /** The SMTP conversation (tests may replace it). */
  send?: (m: SmtpMail) => Promise<SmtpResult>;
  /** Wall clock for the Date header. */
  now?: () => Date;
  /** Mails allowed to wait; beyond that new ones are dropped with a warning. */
  maxQueued?: number;
}

/** Call to unsubscribe; `idle()` resolves when every queued mail has been tried. */
export interface SmtpAlerts {
  (): void;
  idle(): Promise<void>;
}

interface LastCheck {
  checker: string;
  up: boolean;
  reason: string;
}

function log(level: LogLevel, message: string): void {
  publish('log', { level, subsystem: 'smtp', message });
}

export function startSmtpAlerts(getConfig: () => Config, opts: SmtpAlertOptions = {}): SmtpAlerts {
  const send = opts.send ?? sendMail;
  const now = opts.now ?? ((): Date => new Date());
  const maxQueued = opts.maxQueued ?? 100;
  const lastInstance = new Map<string, string>();
  const lastGroup = new Map<string, string>();
  const lastFlag = new Map<string, boolean>();
  const rsUp = new Map<string, boolean>();
  // A checker's state before its first result: its real server's at start (no alpha known here).
  const rsStartUp = new Map<string, boolean>();
  const checkerUp = new Map<string, boolean>();
  const lastCheck = new Map<string, LastCheck>();
  const pendingCheckers = new Set<string>();
  let chain: Promise<void> = Promise.resolve();
  let queued = 0;

  const deliver = async (config: Config, subject: string, body: string): Promise<void> => {
    const g = config.global;
    if (!g.smtpServer) return;
    const { host, port } = g.smtpServer;
    const from = g.notificationEmailFrom ?? `keepalived@${g.smtpHeloName}`;
    const message = composeMessage({
      from,
      to: g.notificationEmail,
      subject,
      body,
      date: rfc5322Date(now()),
    });
    let r: SmtpResult;
    try {
      r = await send({
        host,
        port,
        timeoutMs: g.smtpConnectTimeout * 1000,
        helo: g.smtpHeloName,
        from,
        to: g.notificationEmail,
        message,
      });
    } catch (e) {
      r = { ok: false, stage: 'internal', error: String(e), transcript: [] };
    }
    if (r.ok) log('info', `SMTP alert "${subject}" sent via ${hostPort(host, port)}`);
    else {
      log(
        'warning',
        `Error sending SMTP alert "${subject}" via ${hostPort(host, port)}: ${describeFailure(r)}`,
      );
    }
  };

  const enqueue = (config: Config, alert: Alert): void => {
    const text = alertText(config.global.routerId, alert);
    if (!text) return;
    if (queued >= maxQueued) {
      log('warning', `SMTP alert "${text.subject}" dropped: ${queued} mails already waiting`);
      return;
    }
    queued++;
    chain = chain
      .then(() => deliver(config, text.subject, text.body))
      .catch((e: unknown) => log('error', `SMTP alert failed: ${String(e)}`))
      .finally(() => {
        queued--;
      });
  };

  const onNotify = (e: { kind: 'INSTANCE' | 'GROUP'; name: string; state: string }): void => {
    const config = getConfig();
    if (!mailConfigured(config.global)) return;
    const { name, state } = e;
    const group = e.kind === 'GROUP';
    const alert: Alert = group
      ? { kind: 'vrrp-group', name, state }
      : { kind: 'vrrp-instance', name, state };
    if (!alertText(config.global.routerId, alert)) return;
    const last = group ? lastGroup : lastInstance;
    // A reload may have removed it already (DELETED): it then mails by the flag it had.
    const known = group ? config.vrrp.syncGroups[name] : config.vrrp.instances[name];
    const flagKey = `${e.kind} ${name}`;
    const enabled = known
      ? group
        ? groupAlerts(config, name)
        : instanceAlerts(config, name)
      : (lastFlag.get(flagKey) ?? false);
    lastFlag.set(flagKey, enabled);
    const d = vrrpMailDecision(last.get(name), state, enabled, config.global.noEmailFaults);
    if (!d.send) return;
    if (d.lastMailed !== undefined) last.set(name, d.lastMailed);
    enqueue(config, alert);
  };

  const rsAlert = (key: string, vs: string, rs: string, up: boolean, reason: string): Alert => {
    const c = lastCheck.get(key);
    return {
      kind: 'real-server',
      vs,
      rs,
      up,
      checker: c?.checker ?? null,
      checkerUp: c?.up ?? up,
      reason: c?.reason ?? reason,
    };
  };

  // A checker changed but its real server did not (several checkers): keepalived mails it
  // unless no_checker_emails. Decided after the synchronous 'rs:state' that may follow.
  const flushCheckers = (): void => {
    const keys = [...pendingCheckers];
    pendingCheckers.clear();
    const config = getConfig();
    if (!mailConfigured(config.global)) return;
    for (const key of keys) {
      const [vs = '', rs = ''] = key.split('|');
      if (!checkerMailDecision(false, true, config.global.noCheckerEmails)) continue;
      if (!realServerAlerts(config, vs, rs)) continue;
      enqueue(config, rsAlert(key, vs, rs, rsUp.get(key) ?? true, ''));
    }
  };

  const offs = [
    subscribe('vrrp:notify', onNotify),
    subscribe('vs:quorum', (e) => {
      const config = getConfig();
      if (!mailConfigured(config.global) || !virtualServerAlerts(config, e.vs)) return;
      enqueue(config, { kind: 'virtual-server', ...e });
    }),
    subscribe('rs:gone', (e) => {
      rsUp.set(`${e.vs}|${e.rs}`, false);
      const config = getConfig();
      if (!mailConfigured(config.global) || !e.smtpAlert) return;
      enqueue(config, { kind: 'real-server-gone', vs: e.vs, rs: e.rs, why: e.why });
    }),
    subscribe('check:result', (e) => {
      const key = `${e.vs}|${e.rs}`;
      const ckey = `${key}|${e.checker}`;
      const prev = checkerUp.get(ckey) ?? rsStartUp.get(key);
      checkerUp.set(ckey, e.up);
      if (prev === undefined || prev === e.up) return;
      lastCheck.set(key, {
        checker: e.checker.split('#')[0] ?? e.checker,
        up: e.up,
        reason: e.reason,
      });
      if (pendingCheckers.size === 0) queueMicrotask(flushCheckers);
      pendingCheckers.add(key);
    }),
    subscribe('rs:state', (e) => {
      const key = `${e.vs}|${e.rs}`;
      const prev = rsUp.get(key);
      rsUp.set(key, e.up);
      const cause = e.cause ?? (e.reason === 'start' ? 'start' : 'change');
      if (cause === 'start') rsStartUp.set(key, e.up);
      if (cause !== 'change' || prev === e.up) return;
      pendingCheckers.delete(key);
      const config = getConfig();
      if (!mailConfigured(config.global)) return;
      if (!checkerMailDecision(true, true, config.global.noCheckerEmails)) return;
      if (!realServerAlerts(config, e.vs, e.rs)) return;
      enqueue(config, rsAlert(key, e.vs, e.rs, e.up, e.reason));
    }),
  ];

  const stop = (): void => {
    for (const off of offs.splice(0)) off();
  };
  return Object.assign(stop, { idle: () => chain });
}
