/**
 * `real_server IP [PORT] { … }` keywords and the checker dispatch. Pure.
 *
 * Inheritable values stay null here; finalize fills them from the VS.
 * The forwarding method is copied from the VS *as it is when the
 * real_server line is read* (keepalived does the same), and replaced by the
 * VS's final one in finalize only if neither had one.
 */
import { ErrorCodes } from '../../core/errors.js';
import type { BlockSpec, Handler, ParseCtx } from '../schema.js';
import { walkBlock } from '../schema.js';
import type { ConfNode } from '../tree.js';
import {
  boolOpt,
  cfgError,
  parseForwarding,
  parseServer,
  scriptValue,
  timerOpt,
  uintOpt,
  UINT_MAX,
  WEIGHT_LIMIT,
} from './common.js';
import type { RsTarget } from './checker-common.js';
import { bfdCheckKeywords } from './check-bfd.js';
import { dnsCheckKeywords } from './check-dns.js';
import { fileCheckKeywords } from './check-file.js';
import { httpCheckKeywords } from './check-http.js';
import { miscCheckKeywords } from './check-misc.js';
import { pingCheckKeywords } from './check-ping.js';
import { smtpCheckKeywords } from './check-smtp.js';
import { tcpCheckKeywords } from './check-tcp.js';
import { udpCheckKeywords } from './check-udp.js';
import type { RealServer, VirtualServer } from './types.js';

type H = Handler<RsTarget>;

const bool =
  (field: 'inhibitOnFailure' | 'alpha' | 'smtpAlert', what: string): H =>
  (node, { rs }, ctx) => {
    const v = boolOpt(node, ctx, what);
    if (v !== undefined) rs[field] = v;
  };

const rsKeywords: Record<string, H> = {
  weight: (node, { rs }, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      WEIGHT_LIMIT,
      (s) => `Real server weight ${s} is outside range 0-${WEIGHT_LIMIT}`,
    );
    if (v !== undefined) rs.weight = v;
  },
  lvs_method: (node, { rs }, ctx) => {
    const f = parseForwarding(node, ctx, 'real', rs.forwarding);
    if (f) rs.forwarding = f;
  },
  uthreshold: (node, { rs }, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      UINT_MAX,
      (s) => `Invalid real_server uthreshold '${s}' - ignoring`,
    );
    if (v !== undefined) rs.uThreshold = v;
  },
  lthreshold: (node, { rs }, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      UINT_MAX,
      (s) => `Invalid real_server lthreshold '${s}' - ignoring`,
    );
    if (v !== undefined) rs.lThreshold = v;
  },
  inhibit_on_failure: bool('inhibitOnFailure', 'inhibit_on_failure'),
  notify_up: (node, { vs, rs }, ctx) => {
    if (rs.notifyUp) {
      cfgError(
        ctx,
        `(${groupName(vs)}) notify_up script already specified - ignoring ${node.args[0]?.text ?? ''}`,
        node.pos,
        ErrorCodes.CONFIG_DUPLICATE,
      );
      return;
    }
    rs.notifyUp = scriptValue(node, ctx) ?? null;
  },
  notify_down: (node, { vs, rs }, ctx) => {
    if (rs.notifyDown) {
      cfgError(
        ctx,
        `(${groupName(vs)}) notify_down script already specified - ignoring ${node.args[0]?.text ?? ''}`,
        node.pos,
        ErrorCodes.CONFIG_DUPLICATE,
      );
      return;
    }
    rs.notifyDown = scriptValue(node, ctx) ?? null;
  },
  alpha: bool('alpha', 'alpha'),
  retry: (node, { rs }, ctx) => {
    const v = uintOpt(node, ctx, 1, UINT_MAX, (s) => `retry value invalid - ${s}`);
    if (v !== undefined) rs.retry = v;
  },
  delay_before_retry: (node, { rs }, ctx) => {
    const v = timerOpt(
      node,
      ctx,
      0,
      (s) => `real server delay_before_retry '${s}' invalid - ignoring`,
    );
    if (v !== undefined) rs.delayBeforeRetry = v;
  },
  warmup: (node, { rs }, ctx) => {
    const v = timerOpt(node, ctx, 0, (s) => `real server warmup '${s}' invalid - ignoring`);
    if (v !== undefined) rs.warmup = v;
  },
  connect_timeout: (node, { rs }, ctx) => {
    const v = timerOpt(
      node,
      ctx,
      1e-6,
      (s) => `real server connect_timeout ${s} invalid - ignoring`,
      UINT_MAX / 1e6,
    );
    if (v !== undefined) rs.connectTimeout = v;
  },
  delay_loop: (node, { rs }, ctx) => {
    const v = timerOpt(node, ctx, 1e-6, (s) => `real server delay_loop '${s}' invalid - ignoring`);
    if (v !== undefined) rs.delayLoop = v;
  },
  smtp_alert: (node, { rs }, ctx) => {
    const v = boolOpt(node, ctx, 'real_server smtp_alert');
    if (v !== undefined) rs.smtpAlert = v;
  },
  virtualhost: (node, { rs }, ctx) => {
    if (!node.args.length) return cfgError(ctx, 'real server virtualhost missing', node.pos);
    rs.virtualhost = node.args.map((a) => a.text).join(' ');
  },
  snmp_name: (node, { rs }, ctx) => {
    if (node.args.length !== 1) {
      return cfgError(ctx, 'real server snmp_name missing or extra parameters', node.pos);
    }
    rs.snmpName = node.args[0].text;
  },
  ...httpCheckKeywords,
  ...tcpCheckKeywords,
  ...smtpCheckKeywords,
  ...miscCheckKeywords,
  ...dnsCheckKeywords,
  ...udpCheckKeywords,
  ...pingCheckKeywords,
  ...fileCheckKeywords,
  ...bfdCheckKeywords,
};

const rsSpec: BlockSpec<RsTarget> = { name: 'real_server', keywords: rsKeywords };

function groupName(vs: VirtualServer): string {
  return vs.key.kind === 'group' ? vs.key.group : '(null)';
}

export function newRealServer(
  address: string,
  family: 4 | 6,
  port: number,
  node: ConfNode,
  vs: VirtualServer,
): RealServer {
  return {
    address,
    family,
    port,
    pos: node.pos,
    usable: true,
    weight: null,
    forwarding: vs.forwarding ? { ...vs.forwarding } : null,
    uThreshold: null,
    lThreshold: null,
    inhibitOnFailure: null,
    alpha: null,
    retry: null,
    delayBeforeRetry: null,
    warmup: null,
    connectTimeout: null,
    delayLoop: null,
    notifyUp: null,
    notifyDown: null,
    smtpAlert: null,
    virtualhost: null,
    snmpName: null,
    checkers: [],
  };
}

export const realServerHandler: Handler<VirtualServer> = (node, vs, ctx) => {
  const ip = node.args[0]?.text ?? '';
  const portText = node.args[1]?.text;
  const srv = parseServer(ip, portText);
  if (!srv) {
    cfgError(
      ctx,
      `Invalid real server ip address/port ${ip}/${portText ?? '(null)'} - skipping`,
      node.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    // keepalived skips the whole block; keep a marked placeholder.
    const rs = newRealServer(ip, 4, 0, node, vs);
    rs.usable = false;
    rs.why = 'invalid address/port';
    vs.realServers.push(rs);
    return;
  }
  const rs = newRealServer(srv.address, srv.family, srv.port, node, vs);
  vs.realServers.push(rs);
  walkBlock(node.children ?? [], rsSpec, { vs, rs }, ctx);
  rsEnd(vs, rs, ctx);
};

/** keepalived's rs_end_handler: the VS takes the family of its first non-TUN RS. */
function rsEnd(vs: VirtualServer, rs: RealServer, ctx: ParseCtx): void {
  if (rs.forwarding?.method === 'TUN') return;
  if (vs.family === null) vs.family = rs.family;
  else if (vs.family !== rs.family) {
    cfgError(
      ctx,
      `Address family of virtual server and real server ${rs.address} don't match - skipping real server.`,
      rs.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
    rs.usable = false;
    rs.why = 'address family differs from the virtual server';
  }
}
