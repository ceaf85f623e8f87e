/**
 * Whole-config checks and defaults for the LVS section, in the order of
 * keepalived's link_vsg_to_vs() and validate_check_config(). Pure.
 *
 * Messages keepalived prints with report_config_error() are 'error' (they
 * make `-t` exit 5), including its "Warning - …" ones; log-only ones are
 * 'info'. Objects keepalived frees are kept with `usable: false`.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Config } from '../model.js';
import type { ParseCtx } from '../schema.js';
import { cfgError, cfgInfo, defaultForwarding } from './common.js';
import { formatRs, formatVs } from './format.js';
import { checkScriptSecurity } from './script-security.js';
import type { Checker, RealServer, VirtualServer } from './types.js';

interface GlobalLoose {
  smtpAlert?: boolean | null;
  smtpAlertChecker?: boolean | null;
}

export function finalizeLvsSection(config: Config, ctx: ParseCtx): void {
  const lvs = config.lvs;
  for (const vs of lvs.virtualServers) {
    if (vs.usable) linkGroup(vs, config, ctx);
  }
  for (const vs of lvs.virtualServers) {
    if (vs.usable) validateVs(vs, config, ctx);
  }
  checkScriptSecurity(lvs, ctx);
}

function markVs(vs: VirtualServer, why: string): void {
  vs.usable = false;
  vs.why = why;
}

/** keepalived logs (only) and drops a VS whose group is missing. */
function linkGroup(vs: VirtualServer, config: Config, ctx: ParseCtx): void {
  if (vs.key.kind !== 'group') return;
  const name = vs.key.group;
  const g = Object.prototype.hasOwnProperty.call(config.lvs.virtualServerGroups, name)
    ? config.lvs.virtualServerGroups[name]
    : undefined;
  if (!g || !g.usable) {
    cfgInfo(
      ctx,
      `Virtual server group ${name} specified but not configured - ignoring virtual server ${formatVs(vs)}`,
      vs.pos,
      ErrorCodes.CONFIG_BAD_REFERENCE,
    );
    markVs(vs, `virtual_server_group ${name} not configured`);
  }
}

function groupOf(vs: VirtualServer, config: Config) {
  return vs.key.kind === 'group' ? config.lvs.virtualServerGroups[vs.key.group] : undefined;
}

function validateVs(vs: VirtualServer, config: Config, ctx: ParseCtx): void {
  const err = (m: string, code: Parameters<typeof cfgError>[3] = ErrorCodes.CONFIG_BAD_VALUE) =>
    cfgError(ctx, m, vs.pos, code);
  const live = vs.realServers.filter((r) => r.usable);
  if (live.length === 0) {
    err(
      `Virtual server ${formatVs(vs)} has no real servers - ignoring`,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    markVs(vs, 'no real servers');
    return;
  }
  const g = groupOf(vs, config);
  const gRanges = g ? g.entries.filter((e) => e.kind === 'range') : [];
  const gMarks = g ? g.entries.filter((e) => e.kind === 'fwmark') : [];
  const isFwmark = vs.key.kind === 'fwmark';

  if (vs.haSuspend && (isFwmark || gMarks.length)) {
    err(`Virtual server ${formatVs(vs)}: cannot use ha_suspend with fwmarks - clearing ha_suspend`);
    vs.haSuspend = false;
  }
  if ((g && gRanges.length) || (!g && !isFwmark)) {
    if (vs.protocol === null) {
      err(`Virtual server ${formatVs(vs)}: no protocol set - defaulting to UDP`);
      vs.protocol = 'UDP';
    }
    if (vs.schedFlags.includes('ops') && vs.protocol !== 'UDP') {
      err(`Virtual server ${formatVs(vs)}: one packet scheduling requires UDP - resetting`);
      vs.schedFlags = vs.schedFlags.filter((f) => f !== 'ops');
    }
    if (!vs.persistenceTimeout && vs.key.kind === 'address' && vs.key.port === 0) {
      err(`Virtual server ${formatVs(vs)}: zero port only valid for persistent services - setting`);
      vs.persistenceTimeout = 360;
    }
  }
  if (!vs.persistenceTimeout && g && gRanges.some((e) => e.kind === 'range' && e.port === 0)) {
    err(`Virtual server ${formatVs(vs)}: zero port only valid for persistent services - setting`);
    vs.persistenceTimeout = 360;
  }
  if (vs.protocol !== null && ((g && !gRanges.length && gMarks.length) || (!g && isFwmark))) {
    err(
      `Warning: Virtual server ${formatVs(vs)}: protocol specified for fwmark - protocol will be ignored`,
    );
    vs.protocol = null;
  }
  if (vs.scheduler === null) {
    err(`Virtual server ${formatVs(vs)}: no scheduler set, setting default 'wlc'`);
    vs.scheduler = 'wlc';
  }
  const gl = ctx.config.global as unknown as GlobalLoose;
  const globalAlert = gl.smtpAlertChecker ?? gl.smtpAlert ?? null;
  if (vs.smtpAlert === null) vs.smtpAlert = globalAlert ?? false;

  let weightSum = 0;
  // A set, not a scan: a 10,000-server virtual server made the scan quadratic (seconds).
  const seen = new Set<string>();
  for (const rs of vs.realServers) {
    if (!rs.usable) continue;
    const key = `${rs.address} ${rs.port}`;
    if (seen.has(key)) {
      err(
        `VS ${formatVs(vs)}: real server ${formatRs(rs, vs)} is duplicated - removing second rs`,
        ErrorCodes.CONFIG_DUPLICATE,
      );
      rs.usable = false;
      rs.why = 'duplicate real server';
      continue;
    }
    seen.add(key);
    if (rs.forwarding === null) {
      if (vs.forwarding === null) {
        err(`Virtual server ${formatVs(vs)}: no forwarding method set, setting default NAT`);
        vs.forwarding = defaultForwarding('NAT');
      }
      rs.forwarding = { ...vs.forwarding };
    }
    rs.alpha ??= vs.alpha;
    rs.inhibitOnFailure ??= vs.inhibitOnFailure;
    rs.retry ??= vs.retry;
    rs.connectTimeout ??= vs.connectTimeout;
    rs.delayLoop ??= vs.delayLoop;
    rs.warmup ??= vs.warmup;
    rs.delayBeforeRetry ??= vs.delayBeforeRetry;
    rs.weight ??= vs.weight;
    // keepalived defaults real servers to alerting (unlike the VS), for compatibility.
    rs.smtpAlert ??= globalAlert ?? true;
    weightSum += rs.weight;
    const ss = vs.sorryServer;
    if (
      ss &&
      ss.address === rs.address &&
      ss.port === rs.port &&
      ss.inhibit !== rs.inhibitOnFailure
    ) {
      err(
        `Virtual server ${formatVs(vs)}: real server ${formatRs(rs, vs)} matches sorry server, but inhibit setting differs, ${rs.inhibitOnFailure ? 'sett' : 'clear'}ing on sorry server`,
      );
      ss.inhibit = rs.inhibitOnFailure;
    }
  }
  if (vs.sorryServer && vs.sorryServer.forwarding === null) {
    if (vs.forwarding === null) {
      err(`Virtual server ${formatVs(vs)}: no forwarding method set, setting default NAT`);
      vs.forwarding = defaultForwarding('NAT');
    }
    vs.sorryServer.forwarding = { ...vs.forwarding };
  }
  if (vs.quorum > weightSum) {
    err(
      `Warning - quorum ${vs.quorum} for ${formatVs(vs)} exceeds total weight of real servers ${weightSum}, reducing quorum to ${weightSum}`,
    );
    vs.quorum = weightSum;
  }
  if (vs.hysteresis >= vs.quorum) {
    const h = Math.max(0, vs.quorum - 1);
    err(
      `Virtual server ${formatVs(vs)}: hysteresis ${vs.hysteresis} >= quorum ${vs.quorum}; setting hysteresis to ${h}`,
    );
    vs.hysteresis = h;
  }
  fixPorts(vs, gMarks.length > 0, gRanges, ctx);
  checkMasquerade(vs, gMarks.length > 0, ctx);
  for (const rs of vs.realServers) {
    if (!rs.usable) continue;
    for (const c of rs.checkers) resolveChecker(c, vs, rs);
  }
}

/** stayalive's `masquerade`: NAT services on addresses only (the ruleset keys it by VIP). */
function checkMasquerade(vs: VirtualServer, groupHasMarks: boolean, ctx: ParseCtx): void {
  const m = vs.masquerade;
  if (!m) return;
  const methods = new Set(
    [vs.forwarding, ...vs.realServers.filter((r) => r.usable).map((r) => r.forwarding)].map(
      (f) => f?.method ?? 'NAT',
    ),
  );
  let why = '';
  if ([...methods].some((x) => x !== 'NAT')) why = 'only applies to lb_kind NAT';
  else if (vs.key.kind === 'fwmark' || groupHasMarks) why = 'is not supported on fwmark services';
  if (!why) return;
  cfgError(ctx, `Virtual server ${formatVs(vs)}: masquerade ${why} - ignoring`, m.pos);
  vs.masquerade = null;
}

/** Unless NAT, real and virtual ports must agree (fwmark: no RS port). */
function fixPorts(
  vs: VirtualServer,
  groupHasMarks: boolean,
  gRanges: Array<{ port: number }>,
  ctx: ParseCtx,
): void {
  const live = vs.realServers.filter((r) => r.usable);
  const nat = (r: { forwarding: { method: string } | null }) => r.forwarding?.method === 'NAT';
  const warn = (m: string, pos = vs.pos) => cfgError(ctx, m, pos);
  const ss = vs.sorryServer;
  if (vs.key.kind === 'group') {
    if (groupHasMarks) {
      for (const rs of live) {
        if (!nat(rs) && rs.port) {
          warn(
            `WARNING - fwmark virtual server ${formatVs(vs)}, real server ${formatRs(rs, vs)} has port specified - port will be ignored`,
            rs.pos,
          );
        }
      }
      if (ss && !nat(ss) && ss.port) {
        warn(
          `WARNING - fwmark virtual server ${formatVs(vs)}, sorry server has port specified - port will be ignored`,
        );
      }
    }
    for (const e of gRanges) {
      for (const rs of live) {
        if (!nat(rs) && rs.port && e.port !== rs.port) {
          warn(
            `virtual server ${formatVs(vs)} and real server ${formatRs(rs, vs)} ports don't match`,
            rs.pos,
          );
        }
      }
      if (ss && !nat(ss) && ss.port && e.port !== ss.port) {
        warn(
          `WARNING - virtual server ${formatVs(vs)}, sorry server has port specified - port will be ignored`,
        );
      }
    }
    return;
  }
  const vport = vs.key.kind === 'address' ? vs.key.port : 0;
  const isFwmark = vs.key.kind === 'fwmark';
  for (const rs of live) {
    if (nat(rs)) {
      if (!isFwmark && !rs.port) rs.port = vport;
      continue;
    }
    if (isFwmark) {
      if (rs.port) {
        warn(
          `WARNING - fwmark virtual server ${formatVs(vs)}, real server ${formatRs(rs, vs)} has port specified - clearing`,
          rs.pos,
        );
        rs.port = 0;
      }
    } else if (!rs.port) rs.port = vport;
    else if (rs.port !== vport) {
      warn(
        `WARNING - virtual server ${formatVs(vs)} and real server ${formatRs(rs, vs)} ports don't match - resetting`,
        rs.pos,
      );
      rs.port = vport;
    }
  }
  if (ss && !nat(ss)) {
    if (isFwmark) {
      if (ss.port) {
        warn(
          `WARNING - virtual server ${formatVs(vs)}, sorry server has port specified - clearing`,
        );
        ss.port = 0;
      }
    } else if (!ss.port) ss.port = vport;
    else if (ss.port !== vport) {
      warn(
        `WARNING - virtual server ${formatVs(vs)} and sorry server ports don't match - resetting`,
      );
      ss.port = vport;
    }
  }
}

const DEFAULT_RETRY: Partial<Record<Checker['type'], number>> = { MISC_CHECK: 0, DNS_CHECK: 3 };
/** 0 = "use delay_loop" (DNS). */
const DEFAULT_DBR: Partial<Record<Checker['type'], number>> = {
  HTTP_GET: 3,
  SSL_GET: 3,
  DNS_CHECK: 0,
};

/** Checker timing: checker → RS (already holding VS values) → per-type default. */
function resolveChecker(c: Checker, vs: VirtualServer, rs: RealServer): void {
  c.alpha ??= rs.alpha;
  // FILE_CHECK and BFD_CHECK are not scheduled probes: keepalived leaves their timing unset.
  if (c.type === 'FILE_CHECK' || c.type === 'BFD_CHECK') return;
  c.retry ??= rs.retry ?? DEFAULT_RETRY[c.type] ?? 1;
  c.delayLoop ??= rs.delayLoop ?? vs.delayLoop;
  const delayLoop = c.delayLoop;
  c.warmup ??= rs.warmup ?? delayLoop;
  if (c.delayBeforeRetry === null) {
    const d = DEFAULT_DBR[c.type] ?? 1;
    c.delayBeforeRetry = rs.delayBeforeRetry ?? (d || delayLoop);
  }
  if ('conn' in c) {
    c.conn.connectTimeout ??= rs.connectTimeout ?? vs.connectTimeout;
    c.conn.connectIp ??= rs.address;
    c.conn.connectPort ??= rs.port;
    if (c.type === 'SMTP_CHECK') {
      for (const h of c.hosts) {
        h.connectTimeout ??= c.conn.connectTimeout;
        h.connectIp ??= rs.address;
        h.connectPort ??= rs.port;
      }
    }
  }
  if (c.type === 'MISC_CHECK') c.timeout ??= null;
}
