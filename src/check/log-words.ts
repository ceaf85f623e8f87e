/**
 * keepalived's log wording for checker and real-server changes (check_tcp.c, check_http.c,
 * check_misc.c, ipwrapper.c), so the lines users grep for stay the same. Pure.
 */
import type { Checker } from '../config/lvs/types.js';
import type { DetailedResult } from './probes.js';

/** One failed attempt, as the checker logs it. */
export function failureLine(
  c: Checker,
  target: string,
  r: DetailedResult,
  rsId: string,
  vsId: string,
): string {
  switch (c.type) {
    case 'TCP_CHECK':
      return r.reason === 'connect timeout'
        ? `TCP connection to ${target} timeout.`
        : `TCP connection to ${target} failed.`;
    case 'HTTP_GET':
    case 'SSL_GET': {
      const url = r.url ?? '/';
      if (r.reason.startsWith('HTTP status ')) {
        return `HTTP status code error to ${target} url(${url}), status_code [${r.status ?? '?'}].`;
      }
      if (r.reason === 'digest mismatch') return `MD5 digest error to ${target} url(${url}).`;
      if (r.reason.startsWith('regex')) return `Regex match failed to ${target} url(${url}).`;
      return `Error connecting server ${target} (${r.reason}).`;
    }
    case 'UDP_CHECK':
      return r.reason === 'reply data mismatch'
        ? `UDP check to ${target} reply data mismatch.`
        : `UDP connection to ${target} failed (${r.reason}).`;
    case 'DNS_CHECK':
      return `DNS_CHECK (${target}) ${r.reason}`;
    case 'MISC_CHECK':
      return `Misc check for [${rsId} VS ${vsId}] by [${c.script?.command ?? ''}] failed (${r.reason}).`;
    default:
      return `${c.type} on service ${target} failed (${r.reason}).`;
  }
}

/** The checker declared down after `attempts` attempts. */
export function downLine(c: Checker, target: string, attempts: number): string {
  const name = c.type === 'HTTP_GET' || c.type === 'SSL_GET' ? 'HTTP_CHECK' : c.type;
  return attempts > 1
    ? `${name} on service ${target} failed after ${attempts - 1} retries.`
    : `${name} on service ${target} failed.`;
}

/** The checker came (back) up. */
export function upLine(
  c: Checker,
  target: string,
  r: DetailedResult,
  rsId: string,
  vsId: string,
): string {
  switch (c.type) {
    case 'TCP_CHECK':
      return `TCP connection to ${target} success.`;
    case 'UDP_CHECK':
      return `UDP connection to ${target} success.`;
    case 'HTTP_GET':
    case 'SSL_GET':
      return `HTTP status code success to ${target} url(s).`;
    case 'MISC_CHECK':
      return `Misc check for [${rsId} VS ${vsId}] by [${c.script?.command ?? ''}] succeeded.`;
    default:
      return `${c.type} to ${target} success (${r.reason}).`;
  }
}

/** ipwrapper.c's perform_svr_state wording. */
export function rsLine(up: boolean, inhibit: boolean, rsId: string, vsId: string): string {
  const verb = up ? (inhibit ? 'Enabling' : 'Adding') : inhibit ? 'Disabling' : 'Removing';
  const prep = inhibit ? 'of' : up ? 'to' : 'from';
  return `${verb} service ${rsId} ${prep} VS ${vsId}`;
}

export function weightLine(
  from: number,
  to: number,
  up: boolean,
  rsId: string,
  vsId: string,
): string {
  return `Changing weight from ${from} to ${to} for ${up ? '' : 'in'}active service ${rsId} of VS ${vsId}`;
}
