/**
 * `virtual_server IP [PORT] | fwmark N | group NAME { … }` keywords. Pure.
 *
 * Values that keepalived derives after the whole file is read (scheduler,
 * protocol, forwarding defaults, quorum limits) are left for finalize.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { BlockSpec, Handler, ParseCtx } from '../schema.js';
import { walkBlock } from '../schema.js';
import type { Config } from '../model.js';
import { isIP } from '../ip.js';
import {
  cfgError,
  parseForwarding,
  parseServer,
  uintOpt,
  UINT_MAX,
  WEIGHT_LIMIT,
} from './common.js';
import { realServerHandler } from './real-server.js';
import { scriptOnce, serverKeywords } from './server-keywords.js';
import { stayaliveVsKeywords } from './stayalive-keywords.js';
import type { SchedFlag, VirtualServer, VsKey } from './types.js';

export const SCHEDULERS = [
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'sh',
  'mh',
  'dh',
  'fo',
  'ovf',
  'lblcr',
  'sed',
  'nq',
  'twos',
];
/** keepalived's LVS_MAX_TIMEOUT: 31 days. */
const MAX_PERSISTENCE = 86400 * 31;
const DEFAULT_PERSISTENCE = 360;

type H = Handler<VirtualServer>;

const schedFlag: H = (node, vs, ctx) => {
  const w = node.keyword;
  if (w === 'ops' || w === 'flag-1' || w === 'flag-2' || w === 'flag-3') addFlag(vs, w);
  else if (vs.scheduler === 'sh') {
    if (w === 'sh-port' || w === 'sh-fallback') addFlag(vs, w);
  } else if (vs.scheduler === 'mh') {
    if (w === 'mh-port' || w === 'mh-fallback') addFlag(vs, w);
  } else cfgError(ctx, `${w} only applies to sh scheduler - ignoring`, node.pos);
};

function addFlag(vs: VirtualServer, f: SchedFlag): void {
  if (!vs.schedFlags.includes(f)) vs.schedFlags.push(f);
}

const vsKeywords: Record<string, H> = {
  ip_family: (node, vs, ctx) => {
    const w = node.args[0]?.text ?? '';
    const fam = w === 'inet' ? 4 : w === 'inet6' ? 6 : 0;
    if (!fam) return cfgError(ctx, `unknown address family ${w}`, node.pos);
    if (vs.family !== null && vs.family !== fam) {
      return cfgError(
        ctx,
        `Virtual server specified family ${w} conflicts with server family`,
        node.pos,
      );
    }
    vs.family = fam;
  },
  ...serverKeywords<VirtualServer>('virtual', (vs) => vs),
  inhibit_on_failure: (_node, vs) => {
    vs.inhibitOnFailure = true;
  },
  lb_algo: (node, vs, ctx) => sched(node, vs, ctx),
  lvs_sched: (node, vs, ctx) => sched(node, vs, ctx),
  hashed: schedFlag,
  ops: schedFlag,
  'flag-1': schedFlag,
  'flag-2': schedFlag,
  'flag-3': schedFlag,
  'sh-port': schedFlag,
  'sh-fallback': schedFlag,
  'mh-port': schedFlag,
  'mh-fallback': schedFlag,
  lb_kind: (node, vs, ctx) => forwarding(node, vs, ctx),
  lvs_method: (node, vs, ctx) => forwarding(node, vs, ctx),
  persistence_engine: (node, vs, ctx) => {
    const t = node.args[0];
    if (!t) return;
    if (t.text.length > 15)
      cfgError(ctx, `persistence_name too long, truncating - ${t.text}`, t.pos);
    vs.persistenceEngine = t.text.slice(0, 15);
  },
  persistence_timeout: (node, vs, ctx) => {
    if (!node.args.length) {
      vs.persistenceTimeout = DEFAULT_PERSISTENCE;
      return;
    }
    const v = uintOpt(node, ctx, 1, MAX_PERSISTENCE, () => 'persistence_timeout invalid');
    if (v !== undefined) vs.persistenceTimeout = v;
  },
  persistence_granularity: (node, vs, ctx) => {
    const t = node.args[0];
    if (!t) return;
    const fam = vs.family ?? (t.text.includes('.') ? 4 : 6);
    if (fam === 6) {
      if (!/^\d+$/.test(t.text) || Number(t.text) < 1 || Number(t.text) > 128) {
        return cfgError(ctx, `Invalid IPv6 persistence_granularity specified - ${t.text}`, t.pos);
      }
    } else if (isIP(t.text) !== 4) {
      return cfgError(ctx, `Invalid IPv4 persistence_granularity specified - ${t.text}`, t.pos);
    }
    vs.persistenceGranularity = t.text;
    if (vs.family === null) vs.family = fam;
    if (!vs.persistenceTimeout) vs.persistenceTimeout = DEFAULT_PERSISTENCE;
  },
  protocol: (node, vs, ctx) => {
    const w = node.args[0]?.text ?? '';
    const p = w.toUpperCase();
    if (p === 'TCP' || p === 'UDP' || p === 'SCTP') vs.protocol = p;
    else cfgError(ctx, `Unknown protocol ${w} - ignoring`, node.args[0]?.pos ?? node.pos);
  },
  ha_suspend: (_node, vs) => {
    vs.haSuspend = true;
  },
  alpha: (_node, vs) => {
    vs.alpha = true;
  },
  omega: (_node, vs) => {
    vs.omega = true;
  },
  quorum_up: scriptOnce('quorum_up', 'quorumUp', (vs: VirtualServer) => ({ vs, srv: vs })),
  quorum_down: scriptOnce('quorum_down', 'quorumDown', (vs: VirtualServer) => ({ vs, srv: vs })),
  quorum: (node, vs, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      1,
      UINT_MAX,
      (s) => `Quorum ${s} must be in [1, ${UINT_MAX}]. Setting to 1.`,
    );
    vs.quorum = v ?? 1;
  },
  hysteresis: (node, vs, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      UINT_MAX,
      (s) => `Hysteresis ${s} must be in [0, ${UINT_MAX}] - ignoring`,
    );
    if (v !== undefined) vs.hysteresis = v;
  },
  weight: (node, vs, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      1,
      WEIGHT_LIMIT,
      (s) => `Virtual server weight ${s} is outside range 1-${WEIGHT_LIMIT}`,
    );
    if (v !== undefined) vs.weight = v;
  },
  sorry_server: (node, vs, ctx) => {
    const ip = node.args[0]?.text ?? '';
    const srv = parseServer(ip, node.args[1]?.text);
    if (!srv) return cfgError(ctx, `Invalid sorry server IP address ${ip} - skipping`, node.pos);
    vs.sorryServer = {
      ...srv,
      inhibit: false,
      forwarding: vs.forwarding ? { ...vs.forwarding } : null,
      pos: node.pos,
    };
  },
  sorry_server_inhibit: (node, vs, ctx) => {
    if (vs.sorryServer) vs.sorryServer.inhibit = true;
    else
      cfgError(ctx, 'Ignoring sorry_server inhibit used before or without sorry_server', node.pos);
  },
  sorry_server_lvs_method: (node, vs, ctx) => {
    if (!vs.sorryServer) {
      return cfgError(ctx, 'sorry_server forwarding used without sorry_server', node.pos);
    }
    const f = parseForwarding(node, ctx, 'sorry', vs.sorryServer.forwarding);
    if (f) vs.sorryServer.forwarding = f;
  },
  real_server: realServerHandler,
  ...stayaliveVsKeywords,
};

function sched(node: Parameters<H>[0], vs: VirtualServer, ctx: ParseCtx): void {
  const w = node.args[0]?.text ?? '';
  if (!SCHEDULERS.includes(w)) {
    cfgError(ctx, `Invalid lvs_scheduler '${w}' - ignoring`, node.args[0]?.pos ?? node.pos);
    return;
  }
  vs.scheduler = w;
}

function forwarding(node: Parameters<H>[0], vs: VirtualServer, ctx: ParseCtx): void {
  const f = parseForwarding(node, ctx, 'virtual', vs.forwarding);
  if (f) vs.forwarding = f;
}

const vsSpec: BlockSpec<VirtualServer> = { name: 'virtual_server', keywords: vsKeywords };

export function newVirtualServer(key: VsKey, pos: VirtualServer['pos']): VirtualServer {
  return {
    key,
    pos,
    usable: true,
    family: key.kind === 'address' ? key.family : null,
    scheduler: null,
    schedFlags: [],
    forwarding: null,
    protocol: null,
    persistenceTimeout: 0,
    persistenceGranularity: null,
    persistenceEngine: null,
    haSuspend: false,
    alpha: false,
    omega: false,
    inhibitOnFailure: false,
    quorum: 1,
    hysteresis: 0,
    quorumUp: null,
    quorumDown: null,
    weight: 1,
    delayLoop: 60,
    connectTimeout: 5,
    retry: null,
    delayBeforeRetry: null,
    warmup: null,
    sorryServer: null,
    virtualhost: null,
    smtpAlert: null,
    snmpName: null,
    masquerade: null,
    realServers: [],
  };
}

export const virtualServerHandler: Handler<Config> = (node, config, ctx) => {
  const a0 = node.args[0]?.text ?? '';
  const a1 = node.args[1]?.text;
  let key: VsKey | undefined;
  let bad: string | undefined;
  if (a0 === 'group') {
    key = { kind: 'group', group: a1 ?? '' };
  } else if (a0 === 'fwmark') {
    const n = a1 !== undefined && /^\d+$/.test(a1) ? Number(a1) : NaN;
    if (n >= 0 && n <= UINT_MAX) key = { kind: 'fwmark', fwmark: n };
    else bad = `virtual server fwmark '${a1 ?? ''}' must be in [0, ${UINT_MAX}] - ignoring`;
  } else {
    const srv = parseServer(a0, a1);
    if (srv) key = { kind: 'address', ...srv };
    else {
      const p = a1 !== undefined && !/^0+$/.test(a1) ? a1 : undefined;
      bad = `Invalid virtual server IP address${p ? '/port' : ''} ${a0}${p ? `/${p}` : ''} - skipping`;
    }
  }
  if (!key) {
    cfgError(ctx, bad ?? 'invalid virtual_server', node.pos, ErrorCodes.CONFIG_INVALID_OBJECT);
    const vs = newVirtualServer({ kind: 'address', address: a0, family: 4, port: 0 }, node.pos);
    vs.usable = false;
    vs.why = 'invalid address, port or fwmark';
    config.lvs.virtualServers.push(vs);
    return;
  }
  const vs = newVirtualServer(key, node.pos);
  config.lvs.virtualServers.push(vs);
  walkBlock(node.children ?? [], vsSpec, vs, ctx);
  vsEnd(vs, ctx);
};

/** keepalived's vs_end_handler: settle the family from the sorry/real servers. */
function vsEnd(vs: VirtualServer, ctx: ParseCtx): void {
  const ss = vs.sorryServer;
  if (ss && ss.forwarding?.method !== 'TUN') {
    if (vs.family === null) vs.family = ss.family;
    else if (vs.family !== ss.family) {
      cfgError(
        ctx,
        `Address family of virtual server and sorry server ${ss.address} don't match - skipping sorry server.`,
        ss.pos,
        ErrorCodes.CONFIG_INVALID_OBJECT,
      );
      vs.sorryServer = null;
    }
  }
  if (vs.family === null && vs.key.kind !== 'group') {
    // Only fwmark services with all-tunnelled servers get here.
    const fams = new Set<4 | 6>();
    if (vs.sorryServer) fams.add(vs.sorryServer.family);
    for (const rs of vs.realServers) if (rs.usable) fams.add(rs.family);
    vs.family = fams.size === 1 ? [...fams][0] : 4;
  }
}
