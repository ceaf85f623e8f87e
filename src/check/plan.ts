/**
 * Config model → what the checker runtime runs: one plan per usable real server of each
 * usable virtual server, one checker plan per usable checker (SMTP_CHECK host{} blocks each
 * become a checker of their own, as keepalived does). Unusable objects are listed in
 * `skipped` with keepalived's reason so the runtime can log them. Pure.
 */
import { formatRs, formatVs } from '../config/lvs/format.js';
import type { Checker, ConnOpts, RealServer, VirtualServer } from '../config/lvs/types.js';
import type { Config } from '../config/model.js';
import type { CheckerTiming } from './machine.js';

export interface CheckerPlan {
  /** "TCP_CHECK#0": type and index among the real server's checkers. */
  id: string;
  /** Stable across reloads while the checker's configuration is unchanged. */
  key: string;
  checker: Checker;
  /** For SMTP host{} blocks: the connection to use instead of checker.conn. */
  conn: ConnOpts | null;
  timing: CheckerTiming;
  /** keepalived's FMT_CHK: "[connect_ip]:proto:port" (the RS id for MISC/FILE/BFD). */
  target: string;
}

export interface RsPlan {
  vsId: string;
  rsId: string;
  vs: VirtualServer;
  rs: RealServer;
  weight: number;
  checkers: CheckerPlan[];
}

export interface Skipped {
  what: string;
  why: string;
}

export interface Plan {
  realServers: RsPlan[];
  skipped: Skipped[];
}

/** FILE_CHECK is re-read, and BFD_CHECK's session state looked up, this often (seconds). */
export const FILE_POLL_S = 1;

function timingOf(c: Checker, rs: RealServer, vs: VirtualServer): CheckerTiming {
  const alpha = c.alpha ?? rs.alpha ?? vs.alpha;
  if (c.type === 'FILE_CHECK' || c.type === 'BFD_CHECK') {
    return { delayLoop: FILE_POLL_S, retry: 0, delayBeforeRetry: FILE_POLL_S, warmup: 0, alpha };
  }
  const delayLoop = c.delayLoop ?? rs.delayLoop ?? vs.delayLoop;
  return {
    delayLoop,
    retry: c.retry ?? 1,
    delayBeforeRetry: c.delayBeforeRetry ?? delayLoop,
    warmup: c.warmup ?? delayLoop,
    alpha,
  };
}

function proto(vs: VirtualServer): string {
  return vs.protocol === null ? 'none' : vs.protocol.toLowerCase();
}

/** The checker's configuration without source positions, for reload comparison. */
function stableJson(v: unknown): string {
  return JSON.stringify(v, (k, val: unknown) => (k === 'pos' ? undefined : val));
}

export function planChecks(config: Config): Plan {
  const realServers: RsPlan[] = [];
  const skipped: Skipped[] = [];
  for (const vs of config.lvs.virtualServers) {
    const vsId = formatVs(vs);
    if (!vs.usable) {
      skipped.push({ what: `VS ${vsId}`, why: vs.why ?? 'unusable' });
      continue;
    }
    for (const rs of vs.realServers) {
      const rsId = formatRs(rs, vs);
      if (!rs.usable) {
        skipped.push({ what: `RS ${rsId} of VS ${vsId}`, why: rs.why ?? 'unusable' });
        continue;
      }
      const checkers: CheckerPlan[] = [];
      rs.checkers.forEach((c, i) => {
        const id = `${c.type}#${i}`;
        if (!c.usable) {
          skipped.push({ what: `${id} of RS ${rsId} of VS ${vsId}`, why: c.why ?? 'unusable' });
          return;
        }
        const timing = timingOf(c, rs, vs);
        const conns: Array<ConnOpts | null> =
          c.type === 'SMTP_CHECK' && c.hosts.length ? [null, ...c.hosts] : [null];
        conns.forEach((conn, h) => {
          const cc = conn ?? ('conn' in c ? c.conn : null);
          const target = cc
            ? `[${cc.connectIp ?? rs.address}]:${proto(vs)}:${cc.connectPort ?? rs.port}`
            : rsId;
          const hid = h === 0 ? id : `${id}.host${h}`;
          checkers.push({
            id: hid,
            key: `${vsId}|${rsId}|${hid}|${stableJson(c)}|${stableJson(conn)}|${stableJson(timing)}`,
            checker: c,
            conn,
            timing,
            target,
          });
        });
      });
      realServers.push({ vsId, rsId, vs, rs, weight: rs.weight ?? vs.weight, checkers });
    }
  }
  return { realServers, skipped };
}
