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
import { scriptOnce, serverKeywords } from './server-keywords.js';
import type { RealServer, VirtualServer } from './types.js';

type H = Handler<RsTarget>;

const bool =
  (field: 'inhibitOnFailure' | 'alpha' | 'smtpAlert', what: string): H =>
  (node, { rs }, ctx) => {
    const v = boolOpt(node, ctx, what);
    if (v !== undefined) rs[field] = v;
  };

const threshold =
  (field: 'uThreshold' | 'lThreshold', what: string): H =>
  (node, { rs }, ctx) => {
    const v = uintOpt(
      node,
      ctx,
      0,
      UINT_MAX,
      (s) => `Invalid real_server ${what} '${s}' - ignoring`,
    );
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
  uthreshold: threshold('uThreshold', 'uthreshold'),
  lthreshold: threshold('lThreshold', 'lthreshold'),
  inhibit_on_failure: bool('inhibitOnFailure', 'inhibit_on_failure'),
  notify_up: scriptOnce('notify_up', 'notifyUp', ({ vs, rs }) => ({ vs, srv: rs })),
  notify_down: scriptOnce('notify_down', 'notifyDown', ({ vs, rs }) => ({ vs, srv: rs })),
  alpha: bool('alpha', 'alpha'),
  ...serverKeywords<RsTarget>('real', (t) => t.rs),
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
