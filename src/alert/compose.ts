/**
 * The text of an smtp_alert mail: subject and body in keepalived's words (smtp.c, vrrp_notify.c,
 * the checkers), the RFC 5322 header block and SMTP dot-stuffing. Pure: no I/O, the date comes in.
 *
 * Differences from keepalived: the X-Mailer header says "stayalive"; subjects and bodies are not
 * truncated at 256/512 bytes; CR/LF in a subject is replaced by a space (no header injection).
 */
import type { VsQuorumEvent } from '../check/events.js';

/** What an alert is about. `state`: VRRP state name ("MASTER", "BACKUP", "FAULT", "STOP"…). */
export type Alert =
  | { kind: 'vrrp-instance'; name: string; state: string }
  | { kind: 'vrrp-group'; name: string; state: string }
  | {
      kind: 'real-server';
      vs: string;
      rs: string;
      /** The real server's state after the change (keepalived's rs->alive). */
      up: boolean;
      /** The checker type that caused it ("TCP_CHECK"), when known. */
      checker: string | null;
      /** Whether that checker passed (it can differ from `up` with several checkers). */
      checkerUp: boolean;
      reason: string;
    }
  | { kind: 'real-server-gone'; vs: string; rs: string; why: 'shutdown' | 'removed' }
  | ({ kind: 'virtual-server' } & VsQuorumEvent);

export interface AlertText {
  subject: string;
  body: string;
}

const INSTANCE_TEXT: Record<string, [string, string]> = {
  MASTER: ['Entering MASTER state', '=> VRRP Instance is now owning VRRP VIPs <='],
  BACKUP: ['Entering BACKUP state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  FAULT: ['Entering FAULT state', '=> VRRP Instance is no longer owning VRRP VIPs <='],
  STOP: ['Stopping', '=> VRRP Instance stopping <='],
  DELETED: ['Deleted', '=> VRRP Deleted at reload <='],
};

const GROUP_TEXT: Record<string, [string, string]> = {
  MASTER: ['Entering MASTER state', '=> All VRRP group instances are now in MASTER state <='],
  BACKUP: ['Entering BACKUP state', '=> All VRRP group instances are now in BACKUP state <='],
  FAULT: ['Entering FAULT state', '=> All VRRP group instances are now in FAULT state <='],
  STOP: ['Stopping', '=> All VRRP group instances are now stopping <='],
};

/** The body line each checker type writes (check_tcp.c, check_http.c, …). */
export function checkerBody(checker: string | null, ok: boolean, reason: string): string {
  const verb = ok ? 'succeed' : 'failed';
  switch (checker) {
    case 'TCP_CHECK':
      return `=> TCP CHECK ${verb} on service <=`;
    case 'UDP_CHECK':
      return `=> UDP CHECK ${verb} on service <=`;
    case 'PING_CHECK':
      return `=> ICMP CHECK ${verb} on service <=`;
    case 'DNS_CHECK':
      return `=> DNS_CHECK: ${verb} on service <=`;
    case 'HTTP_GET':
    case 'SSL_GET':
      return ok
        ? '=> CHECK succeed on service <='
        : '=> CHECK failed on service : HTTP request failed <=';
    case 'SMTP_CHECK':
      return ok || !reason
        ? `=> CHECK ${verb} on service <=`
        : `=> CHECK failed on service : ${reason} <=`;
    case 'MISC_CHECK':
      return `=> MISC CHECK ${ok ? 'succeeded' : reason.includes('timeout') ? 'timed out' : 'failed'} on service <=`;
    case 'BFD_CHECK':
      return `=> BFD CHECK ${ok ? 'succeeded' : 'failed'} on service <=`;
    case null:
      return `=> CHECK ${verb} on service <=`;
    default:
      return `=> ${checker} ${ok ? 'succeeded' : 'failed'} on service <=`;
  }
}

/** Subject and body of an alert, or null for a state keepalived does not mail (INIT). */
export function alertText(routerId: string, a: Alert): AlertText | null {
  switch (a.kind) {
    case 'vrrp-instance': {
      const t = INSTANCE_TEXT[a.state];
      return t ? { subject: `[${routerId}] VRRP Instance ${a.name} - ${t[0]}`, body: t[1] } : null;
    }
    case 'vrrp-group': {
      const t = GROUP_TEXT[a.state];
      return t ? { subject: `[${routerId}] VRRP Group ${a.name} - ${t[0]}`, body: t[1] } : null;
    }
    case 'real-server':
      return {
        subject: `[${routerId}] Realserver ${a.rs} of virtual server ${a.vs} - ${a.up ? 'UP' : 'DOWN'}`,
        body: checkerBody(a.checker, a.checkerUp, a.reason),
      };
    case 'real-server-gone':
      return {
        subject: `[${routerId}] Realserver ${a.rs} of virtual server ${a.vs} - DOWN`,
        body: a.why === 'shutdown' ? '=> Shutting down <=' : '=> Removing <=',
      };
    case 'virtual-server': {
      const what = a.init
        ? `Starting with quorum ${a.up ? 'up' : 'down'}`
        : a.up
          ? 'Gained quorum'
          : 'Lost quorum';
      // keepalived writes "+" whichever way the hysteresis was applied.
      return {
        subject: `[${routerId}] Virtualserver ${a.vs} - ${a.up ? 'UP' : 'DOWN'}`,
        body: a.stopping
          ? '=> Shutting down <='
          : `=> ${what} ${a.quorum}+${a.hysteresis}=${a.threshold} <= ${a.weight} <=`,
      };
    }
    default: {
      const never: never = a;
      throw new Error(`unknown alert ${JSON.stringify(never)}`);
    }
  }
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const p2 = (n: number): string => String(n).padStart(2, '0');

/**
 * RFC 5322 date in the given zone ("Mon, 23 Nov 2026 17:12:35 +0100"), like keepalived's
 * strftime("%a, %d %b %Y %H:%M:%S %z") in local time. `offsetMin`: minutes east of UTC.
 */
export function rfc5322Date(d: Date, offsetMin = -d.getTimezoneOffset()): string {
  const l = new Date(d.getTime() + offsetMin * 60_000);
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  const zone = `${sign}${p2(Math.floor(abs / 60))}${p2(abs % 60)}`;
  const hms = `${p2(l.getUTCHours())}:${p2(l.getUTCMinutes())}:${p2(l.getUTCSeconds())}`;
  return `${DAYS[l.getUTCDay()]}, ${p2(l.getUTCDate())} ${MONTHS[l.getUTCMonth()]} ${l.getUTCFullYear()} ${hms} ${zone}`;
}

export interface MessageParts {
  from: string;
  to: readonly string[];
  subject: string;
  body: string;
  date: string;
}

const oneLine = (s: string): string => s.replace(/[\r\n]+/g, ' ');

/**
 * The message as sent after DATA, before dot-stuffing: keepalived's header order (Date, From,
 * Subject, X-Mailer, To), a blank line, the body; CRLF line ends, ending with CRLF.
 */
export function composeMessage(m: MessageParts): string {
  const headers = [
    `Date: ${m.date}`,
    `From: ${oneLine(m.from)}`,
    `Subject: ${oneLine(m.subject)}`,
    'X-Mailer: stayalive',
    `To: ${m.to.map(oneLine).join(', ')}`,
  ];
  const body = m.body.replace(/\r?\n/g, '\r\n');
  return `${headers.join('\r\n')}\r\n\r\n${body}\r\n`;
}

/** RFC 5321 §4.5.2: a line starting with "." gets one more; then the "." terminator line. */
export function dotStuff(message: string): string {
  const text = message.endsWith('\r\n') ? message : `${message}\r\n`;
  return `${text.replace(/^\./gm, '..')}.\r\n`;
}
