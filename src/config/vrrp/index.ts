/**
 * The VRRP side of the config: vrrp_instance, vrrp_sync_group, vrrp_script,
 * track_file/vrrp_track_file, vrrp_track_process, static_ipaddress,
 * static_routes, static_rules, track_group, garp_group, linkbeat_interfaces,
 * interface_up_down_delays. Pure.
 *
 * Objects are created in file order (so references resolve top-down like
 * keepalived's); `finalizeVrrp` applies instance defaults, resolves sync
 * group members (which may precede their instances) and reports the single
 * keepalived BAD_IF for interfaces the host lacks.
 */
import { checkTrackGateway } from '../gateway/track.js';
import { vrrpCrossChecks } from './cross-checks.js';
import { ErrorCodes } from '../../core/errors.js';
import type { ScriptValue } from '../global/script-value.js';
import type { Config } from '../model.js';
import { walkBlock, type BlockSpec, type Handler, type ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { parseTimer } from '../values.js';
import { parseAddressLine } from './address-line.js';
import { interfacePresent } from './common.js';
import { finalizeInstance } from './instance-finalize.js';
import { instanceSpec, newInstance } from './instance.js';
import {
  garpGroupSpec,
  newSyncGroup,
  scriptSpec,
  syncGroupSpec,
  trackFileSpec,
  trackProcessSpec,
} from './objects.js';
import { parseRouteLine } from './route-line.js';
import { parseRuleLine } from './rule-line.js';
import { vrrpScriptSecurity } from './script-security.js';
import type { VrrpSection } from './types.js';
import { securityViolation } from '../script-user-check.js';

export type * from './types.js';

export function emptyVrrpSection(): VrrpSection {
  return {
    instances: {},
    syncGroups: {},
    scripts: {},
    trackFiles: {},
    trackProcesses: {},
    staticIpaddress: [],
    staticRoutes: [],
    staticRules: [],
    trackGroups: {},
    garpGroups: [],
    linkbeatInterfaces: [],
    interfaceUpDownDelays: [],
    missingInterfaces: [],
  };
}

type CH = Handler<Config>;
const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

/** `KEYWORD NAME {` : exactly one name, a block, and no duplicate. */
/** Walks an object's block; keepalived drops the object, saying why, when a required value is missing. */
function walkRequired<T>(
  node: ConfNode,
  ctx: ParseCtx,
  spec: BlockSpec<T>,
  obj: T,
  missing: (o: T) => string | null,
): boolean {
  walkBlock(node.children ?? [], spec, obj, ctx);
  const why = missing(obj);
  if (why !== null) ctx.diag.warn(ErrorCodes.CONFIG_INVALID_OBJECT, why, node.pos);
  return why === null;
}

function named(node: ConfNode, ctx: ParseCtx, what: string, existing: object): string | undefined {
  if (node.args.length !== 1) {
    ctx.diag.warn(ErrorCodes.CONFIG_SYNTAX, `${what} must have a name - skipping`, node.pos);
    return undefined;
  }
  const name = node.args[0].text;
  if (has(existing, name)) {
    ctx.diag.warn(ErrorCodes.CONFIG_DUPLICATE, `${what} ${name} already defined`, node.args[0].pos);
    return undefined;
  }
  return name;
}

const vrrpInstance: CH = (node, c, ctx) => {
  const name = named(node, ctx, 'vrrp_instance', c.vrrp.instances);
  if (!name) return;
  const v = newInstance(name, node, ctx);
  c.vrrp.instances[name] = v;
  walkBlock(node.children ?? [], instanceSpec, v, ctx);
};

const syncGroup: CH = (node, c, ctx) => {
  const name = named(node, ctx, 'vrrp_sync_group', c.vrrp.syncGroups);
  if (!name) return;
  const g = newSyncGroup(name, node.pos);
  c.vrrp.syncGroups[name] = g;
  walkBlock(node.children ?? [], syncGroupSpec, g, ctx);
};

const vrrpScript: CH = (node, c, ctx) => {
  const name = named(node, ctx, 'vrrp_script', c.vrrp.scripts);
  if (!name) return;
  const s = {
    name,
    pos: node.pos,
    script: null,
    interval: 1,
    timeout: null,
    weight: 0,
    weightReverse: false,
    rise: 1,
    fall: 1,
    user: null,
    initFail: false,
  };
  if (
    walkRequired(node, ctx, scriptSpec, s, (o) =>
      o.script ? null : `No script set for vrrp_script ${name} - removing`,
    )
  )
    c.vrrp.scripts[name] = s;
};

const trackFile: CH = (node, c, ctx) => {
  const name = named(node, ctx, node.keyword, c.vrrp.trackFiles);
  if (!name) return;
  const f = { name, pos: node.pos, file: null, weight: 1, weightReverse: false, initFile: null };
  if (
    walkRequired(node, ctx, trackFileSpec, f, (o) =>
      o.file ? null : `No file set for track_file ${name} - removing`,
    )
  )
    c.vrrp.trackFiles[name] = f;
};

const trackProcess: CH = (node, c, ctx) => {
  const name = named(node, ctx, 'vrrp_track_process', c.vrrp.trackProcesses);
  if (!name) return;
  const p = {
    name,
    pos: node.pos,
    process: null,
    params: [],
    paramMatch: null,
    weight: 0,
    weightReverse: false,
    quorum: 1,
    quorumMax: null,
    delay: null,
    terminateDelay: null,
    forkDelay: null,
    fullCommand: false,
  };
  if (
    walkRequired(node, ctx, trackProcessSpec, p, (o) =>
      o.process ? null : `track process '${name}' process name not specified`,
    )
  )
    c.vrrp.trackProcesses[name] = p;
};

const trackGroup: CH = (node, c, ctx) => {
  const name = named(node, ctx, 'track_group', c.vrrp.trackGroups);
  if (!name) return;
  const tg = { name, members: [] as string[], pos: node.pos };
  for (const ch of node.children ?? []) {
    if (ch.keyword !== 'group') {
      ctx.diag.warn(ErrorCodes.CONFIG_UNKNOWN_KEYWORD, `Unknown keyword '${ch.keyword}'`, ch.pos);
      continue;
    }
    tg.members.push(...ch.args.map((t) => t.text), ...(ch.children ?? []).map((x) => x.keyword));
  }
  c.vrrp.trackGroups[name] = tg;
};

const staticBlock =
  (kind: 'addr' | 'route' | 'rule'): CH =>
  (node, c, ctx) => {
    for (const line of node.children ?? []) {
      if (kind === 'addr') {
        const a = parseAddressLine(line, ctx, 'static');
        if (a) c.vrrp.staticIpaddress.push(a);
      } else if (kind === 'route') {
        const r = parseRouteLine(line, ctx, 'static');
        if (r) c.vrrp.staticRoutes.push(r);
      } else {
        const r = parseRuleLine(line, ctx, 'static');
        if (r) c.vrrp.staticRules.push(r);
      }
    }
  };

const garpGroup: CH = (node, c, ctx) => {
  const g = {
    pos: node.pos,
    garpInterval: null,
    gnaInterval: null,
    interfaces: [],
    interfacesBlock: false,
  };
  walkBlock(node.children ?? [], garpGroupSpec, g, ctx);
  if (g.garpInterval === null && g.gnaInterval === null) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_INVALID_OBJECT,
      `garp group ${g.interfacesBlock ? c.vrrp.garpGroups.filter((x) => x.interfacesBlock).length + 1 : 0} does not have any delay set - removing`,
      node.pos,
    );
    return;
  }
  c.vrrp.garpGroups.push(g);
};

function fatal(ctx: ParseCtx, message: string, pos: ConfNode['pos']): void {
  ctx.diag.push({ code: ErrorCodes.CONFIG_BAD_INTERFACE, klass: 'fatal', message, pos });
}

const linkbeat: CH = (node, c, ctx) => {
  for (const l of node.children ?? []) {
    if (!interfacePresent(ctx, l.keyword)) {
      fatal(ctx, `unknown interface ${l.keyword} specified for linkbeat interface`, l.pos);
      continue;
    }
    const t = l.args[0]?.text;
    const type = t === 'MII' || t === 'ETHTOOL' || t === 'IOCTL' ? t : null;
    if ((t !== undefined && type === null) || l.args.length > 1) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `extra characters ${t ?? ''} in linkbeat interface`,
        l.pos,
      );
    }
    c.vrrp.linkbeatInterfaces.push({ name: l.keyword, type, pos: l.pos });
  }
};

const upDown: CH = (node, c, ctx) => {
  for (const l of node.children ?? []) {
    if (!interfacePresent(ctx, l.keyword)) {
      fatal(ctx, `unknown interface ${l.keyword} specified for up/down delay`, l.pos);
      continue;
    }
    if (!l.args[0]) {
      ctx.diag.info(
        ErrorCodes.CONFIG_BAD_VALUE,
        `No timeouts specified for ${l.keyword} up/down delays`,
        l.pos,
      );
      continue;
    }
    const down = parseTimer(l.args[0], ctx, 0, 255);
    const up = l.args[1] ? parseTimer(l.args[1], ctx, 0, 255) : 0;
    if (down === undefined || up === undefined) continue;
    c.vrrp.interfaceUpDownDelays.push({
      name: l.keyword,
      downDelay: down,
      upDelay: up,
      pos: l.pos,
    });
  }
};

/** Top-level keywords owned by this section. */
export const vrrpTopLevel: Record<string, CH> = {
  vrrp_instance: vrrpInstance,
  vrrp_sync_group: syncGroup,
  vrrp_script: vrrpScript,
  track_file: trackFile,
  vrrp_track_file: trackFile,
  vrrp_track_process: trackProcess,
  track_group: trackGroup,
  static_ipaddress: staticBlock('addr'),
  static_routes: staticBlock('route'),
  static_rules: staticBlock('rule'),
  garp_group: garpGroup,
  linkbeat_interfaces: linkbeat,
  interface_up_down_delays: upDown,
};

/**
 * keepalived's VRRP process: any script (vrrp_script, notify on an instance
 * or group, vrrp/global notify_fifo_script) while enable_script_security is
 * off is a SECURITY VIOLATION (-t exit 6), but only when there is at least
 * one vrrp_instance (otherwise the VRRP process has nothing to run). The
 * path checks (file exists, not writable by non-root) need the file system
 * and belong to the shell.
 */
function checkScriptSecurityEnabled(
  config: Config,
  ctx: ParseCtx,
  insecure: boolean,
  notExecutable: ScriptValue['pos'][],
): void {
  const v = config.vrrp;
  const g = config.global;
  const instances = Object.values(v.instances);
  if (g.enableScriptSecurity || instances.length === 0) return;
  const notifies: ScriptValue[] = [];
  for (const n of [
    ...instances.map((i) => i.notify),
    ...Object.values(v.syncGroups).map((s) => s.notify),
  ]) {
    for (const x of Object.values(n)) if (typeof x === 'object' && x !== null) notifies.push(x);
  }
  // A missing script is no script (keepalived's SC_NOTFOUND), nor one removed for its user; one
  // that cannot be executed still is (SC_ISSCRIPT is set before the is_executable test).
  const scripts = Object.values(v.scripts)
    .filter((s) => s.disabled !== 'not found/accessible' && s.disabled !== 'unknown user')
    .map((s) => s.script?.pos ?? s.pos);
  const fifos = [g.notifyFifoScript?.pos, g.vrrpNotifyFifoScript?.pos].filter(
    (p) => p !== undefined,
  );
  const first = [...scripts, ...notifies.map((n) => n.pos), ...notExecutable, ...fifos][0];
  if (!first) return;
  securityViolation(ctx, 'scripts', insecure, first);
}

/** Instance defaults, sync-group membership, then keepalived's end-of-parse BAD_IF. */
export function finalizeVrrp(config: Config, ctx: ParseCtx): void {
  const v = config.vrrp;
  for (const inst of Object.values(v.instances)) finalizeInstance(inst, config.global, ctx);

  for (const g of Object.values(v.syncGroups)) {
    if (!g.membersSet || g.members.length === 0) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_INVALID_OBJECT,
        `Sync group ${g.name} has no virtual router(s) - removing`,
        g.pos,
      );
      delete v.syncGroups[g.name];
      continue;
    }
    const kept: string[] = [];
    for (const m of g.members) {
      const inst = has(v.instances, m) ? v.instances[m] : undefined;
      if (!inst) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_REFERENCE,
          `Virtual router ${m} specified in sync group ${g.name} doesn't exist - ignoring`,
          g.pos,
        );
        continue;
      }
      if (inst.syncGroup) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_DUPLICATE,
          `vrrp instance ${m} is already in sync group ${inst.syncGroup} - ignoring`,
          g.pos,
        );
        continue;
      }
      inst.syncGroup = g.name;
      kept.push(m);
    }
    g.members = kept;
    if (kept.length === 1) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_INVALID_OBJECT,
        `Sync group ${g.name} has only 1 virtual router(s) - this probably isn't what you want`,
        g.pos,
      );
    }
  }

  // keepalived drops unused vrrp_scripts; its -t prints nothing about it.
  const used = new Set<string>();
  for (const inst of Object.values(v.instances))
    for (const t of inst.track.scripts) used.add(t.name);
  for (const g of Object.values(v.syncGroups)) for (const t of g.track.scripts) used.add(t.name);
  for (const s of Object.values(v.scripts)) {
    if (!used.has(s.name))
      ctx.diag.info(
        ErrorCodes.CONFIG_INVALID_OBJECT,
        `Warning - script ${s.name} is not used`,
        s.pos,
      );
  }

  // notify_priority_changes: the instance's own, else its sync group's, else the global one.
  for (const inst of Object.values(v.instances)) {
    const group =
      inst.syncGroup && has(v.syncGroups, inst.syncGroup) ? v.syncGroups[inst.syncGroup] : null;
    inst.notifyPriorityChanges ??=
      group?.notifyPriorityChanges ?? config.global.vrrpNotifyPriorityChanges;
  }

  // track_gateway references resolve against the whole file's gateway_track blocks.
  for (const x of [...Object.values(v.instances), ...Object.values(v.syncGroups)])
    x.track.gateways = checkTrackGateway(x.track.gateways, config.gateway, ctx, x.name);

  vrrpCrossChecks(config, ctx);
  const { insecure, notExecutable } = vrrpScriptSecurity(config, ctx);
  checkScriptSecurityEnabled(config, ctx, insecure, notExecutable);

  const first = v.missingInterfaces[0];
  if (first) {
    ctx.diag.push({
      code: ErrorCodes.CONFIG_BAD_INTERFACE,
      klass: 'bad-interface',
      message: 'Non-existent interface specified in configuration',
      pos: first.pos,
    });
  }
}
