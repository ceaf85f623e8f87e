/**
 * global_defs and the root-level single keywords. Pure.
 *
 * `defaultGlobalDefs` holds keepalived 2.2.7's defaults; `globalTopLevel`
 * routes `global_defs { … }` and the root keywords (net_namespace,
 * use_pid_dir, instance, child_wait_time…); `finalizeGlobal` fills values
 * that depend on others (lower-prio GARP defaults, mail sender).
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Position } from '../diagnostics.js';
import type { HostFacts } from '../host-facts.js';
import type { Config } from '../model.js';
import { walkBlock, type Handler, type ParseCtx } from '../schema.js';
import { arg, parseInteger } from '../values.js';
import { globalDefsSpec } from './keywords.js';
import type { GlobalDefs } from './types.js';
import { checkFifoOwners } from './fifo-owners.js';
import { startStopScriptSecurity } from './start-stop-scripts.js';

export type { GlobalDefs, FifoSpec, LvsDataplaneMode } from './types.js';
export type { ScriptValue } from './script-value.js';
export { parseScriptValue, parseCommandLine, splitWords } from './script-value.js';

export function defaultGlobalDefs(host: HostFacts): GlobalDefs {
  return {
    netNamespace: null,
    netNamespaceIpvs: null,
    namespaceWithIpsets: false,
    usePidDir: false,
    instance: null,
    childWaitTime: 5,
    linkbeatUsePolling: false,

    routerId: host.hostname,
    stateDumpFile: null,
    statsDumpFile: null,
    jsonDumpFile: null,
    notificationEmail: [],
    notificationEmailFrom: null,
    smtpServer: null,
    smtpHeloName: host.hostname,
    smtpConnectTimeout: 30,
    smtpAlert: null,
    smtpAlertVrrp: null,
    smtpAlertChecker: null,
    noEmailFaults: false,
    noCheckerEmails: false,
    checkerLogAllFailures: false,

    scriptUser: null,
    scriptUserFailed: false,
    enableScriptSecurity: false,
    startupScript: null,
    startupScriptTimeout: 10,
    shutdownScript: null,
    shutdownScriptTimeout: 10,

    vrrpVersion: 2,
    vrrpMcastGroup4: '224.0.0.18',
    vrrpMcastGroup6: 'ff02::12',
    defaultInterface: 'eth0',
    vrrpGarpMasterDelay: 5,
    vrrpGarpMasterRepeat: 5,
    vrrpGarpMasterRefresh: 0,
    vrrpGarpMasterRefreshRepeat: 1,
    vrrpGarpLowerPrioDelay: null,
    vrrpGarpLowerPrioRepeat: null,
    vrrpGarpInterval: 0,
    vrrpGnaInterval: 0,
    vrrpMinGarp: false,
    vrrpGarpExtraIf: null,
    vrrpRxBufsPolicy: null,
    vrrpRxBufsMultiplier: 3,
    vrrpDownTimerAdverts: 3,
    vrrpLowerPrioNoAdvert: false,
    vrrpHigherPrioSendAdvert: false,
    vrrpCheckUnicastSrc: false,
    vrrpSkipCheckAdvAddr: false,
    vrrpStrict: false,
    vrrpNotifyPriorityChanges: false,
    vrrpStartupDelay: 0,
    logUnknownVrids: false,
    vmacPrefix: null,
    vmacAddrPrefix: null,
    dynamicInterfaces: false,
    dynamicInterfacesAllowIfChanges: false,
    disableLocalIgmp: false,

    nftables: null,
    nftablesPriority: -1,
    nftablesCounters: false,
    nftablesIfindex: false,
    vrrpIptables: null,

    notifyFifo: null,
    notifyFifoScript: null,
    vrrpNotifyFifo: null,
    vrrpNotifyFifoScript: null,
    lvsNotifyFifo: null,
    lvsNotifyFifoScript: null,
    fifoWriteVrrpStatesOnReload: false,
    rsInitNotifies: false,

    vrrpPriority: null,
    checkerPriority: null,
    bfdPriority: null,
    vrrpNoSwap: false,
    checkerNoSwap: false,
    bfdNoSwap: false,
    vrrpRtPriority: null,
    checkerRtPriority: null,
    bfdRtPriority: null,
    maxAutoPriority: 0,
    minAutoPriorityDelay: 1,

    snmpSocket: null,
    enableSnmpVrrp: false,
    enableSnmpChecker: false,
    enableSnmpRfcv2: false,
    enableSnmpRfcv3: false,
    enableTraps: false,
    enableDbus: false,
    dbusServiceName: null,

    reloadCheckConfig: null,
    reloadFile: null,
    umask: null,
    randomSeed: null,
    dataUseInstance: false,
    lvsDataplane: 'auto',

    raw: {},
  };
}

type CH = Handler<Config>;

/** A name that may be defined once; keepalived ignores (and reports) later ones. */
function defineOnce(
  ctx: ParseCtx,
  c: Config,
  field: 'netNamespace' | 'netNamespaceIpvs' | 'instance',
  what: string,
  value: string,
  pos: Position,
): void {
  if (c.global[field] !== null) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_DUPLICATE,
      `Duplicate ${what} definition ${value} - ignoring`,
      pos,
    );
    return;
  }
  c.global[field] = value;
}

const netNamespace: CH = (node, c, ctx) => {
  const tok = node.args[0];
  if (!tok) {
    ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, 'net_namespace name missing - ignoring', node.pos);
    return;
  }
  defineOnce(ctx, c, 'netNamespace', 'net_namespace', tok.text, tok.pos);
};

// No name means "the default namespace" for IPVS.
const netNamespaceIpvs: CH = (node, c, ctx) =>
  defineOnce(ctx, c, 'netNamespaceIpvs', 'net_namespace_ipvs', node.args[0]?.text ?? '', node.pos);

const instance: CH = (node, c, ctx) => {
  const tok = arg(node, ctx);
  if (tok) defineOnce(ctx, c, 'instance', 'instance', tok.text, tok.pos);
};

const childWait: CH = (node, c, ctx) => {
  const v = parseInteger(arg(node, ctx), ctx, 0, 4294967295);
  if (v !== undefined) c.global.childWaitTime = v;
};

/** Top-level keywords owned by this section (global_defs, root-level single keywords). */
export const globalTopLevel: Record<string, CH> = {
  global_defs: (node, c, ctx) => {
    if (!node.children) {
      ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `global_defs requires a '{' block`, node.pos);
      return;
    }
    walkBlock(node.children, globalDefsSpec, c.global, ctx);
  },
  net_namespace: netNamespace,
  net_namespace_ipvs: netNamespaceIpvs,
  namespace_with_ipsets: (_n, c) => {
    c.global.namespaceWithIpsets = true;
  },
  use_pid_dir: (_n, c) => {
    c.global.usePidDir = true;
  },
  instance,
  child_wait_time: childWait,
  linkbeat_use_polling: (_n, c) => {
    c.global.linkbeatUsePolling = true;
  },
};

/** Derived defaults that need the whole global block. */
export function finalizeGlobal(config: Config, ctx: ParseCtx): void {
  const g = config.global;
  g.notificationEmailFrom ??= `keepalived@${ctx.host.hostname}`;
  g.vrrpGarpLowerPrioDelay ??= g.vrrpGarpMasterDelay;
  g.vrrpGarpLowerPrioRepeat ??= g.vrrpGarpMasterRepeat;
  checkFifoOwners(config, ctx);
  startStopScriptSecurity(config, ctx);
}
