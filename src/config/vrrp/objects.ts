/**
 * Top-level VRRP-side objects other than vrrp_instance: vrrp_script,
 * track_file (vrrp_track_file), vrrp_track_process, vrrp_sync_group,
 * track_group, garp_group. Pure.
 */
import { userKnown } from '../script-user.js';
import { ErrorCodes } from '../../core/errors.js';
import { parseCommandLine, parseScriptValue } from '../global/script-value.js';
import type { Position } from '../diagnostics.js';
import type { BlockSpec, Handler, ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { arg, parseInteger, parseTimer } from '../values.js';
import { interfaceKnown } from './common.js';
import { emptyTracking, trackBlock, trackGatewayBlock } from './tracking.js';
import type { GarpGroup, SyncGroup, TrackFile, TrackProcess, VrrpScript } from './types.js';

const UINT_MAX = 4294967295;

/** `weight N [reverse]` of a script, track file or track process, |N| ≤ lim. */
function weightWithReverse<T extends { weight: number; weightReverse: boolean }>(
  lim: number,
): Handler<T> {
  return (node, target, ctx) => {
    const w = parseInteger(arg(node, ctx), ctx, -lim, lim);
    if (w === undefined) return;
    let reverse = false;
    const o = node.args[1];
    if (o) {
      if (o.text === 'reverse') reverse = true;
      else ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, `unknown weight option ${o.text}`, o.pos);
    }
    target.weight = w;
    target.weightReverse = reverse;
  };
}

/** vrrp_script's whole seconds, where keepalived turns 0 into 1 with a warning. */
function scriptSecs(field: 'interval' | 'timeout'): Handler<VrrpScript> {
  return (node, s, ctx) => {
    let n = parseInteger(arg(node, ctx), ctx, 0, Math.floor(UINT_MAX / 1e6));
    if (n === undefined) return;
    if (n === 0) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `(${s.name}): vrrp script ${field} must be greater than 0, setting to 1`,
        node.pos,
      );
      n = 1;
    }
    s[field] = n;
  };
}

/** A sync group's `KEYWORD [on|true|yes|…]`: no word, or a true word, means true. */
function onWord(node: ConfNode): boolean {
  const t = node.args[0]?.text.toLowerCase();
  return t === undefined || ['on', 'true', 'yes'].includes(t);
}

/** Adds a garp_group interface if the host has it. */
function garpInterface(ctx: ParseCtx, g: GarpGroup, name: string, pos: Position): void {
  if (!interfaceKnown(ctx, name, pos)) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `WARNING - interface ${name} specified for garp_group doesn't exist`,
      pos,
    );
    return;
  }
  g.interfaces.push(name);
}

export const scriptSpec: BlockSpec<VrrpScript> = {
  name: 'vrrp_script',
  keywords: {
    script: (node, s, ctx) => {
      s.script = parseCommandLine(node, ctx) ?? null;
    },
    interval: scriptSecs('interval'),
    timeout: scriptSecs('timeout'),
    weight: weightWithReverse(253),
    rise: (node, s, ctx) => {
      s.rise = parseInteger(arg(node, ctx), ctx, 1, 2147483647) ?? 1;
    },
    fall: (node, s, ctx) => {
      s.fall = parseInteger(arg(node, ctx), ctx, 1, 2147483647) ?? 1;
    },
    user: (node, s, ctx) => {
      const u = arg(node, ctx);
      if (!u) return;
      const group = node.args[1]?.text ?? null;
      s.user = { user: u.text, group };
      if (!userKnown(ctx.host, u.text, group)) {
        // keepalived removes the script: it then tracks nothing.
        s.disabled = 'unknown user';
        ctx.diag.error(
          ErrorCodes.CONFIG_BAD_VALUE,
          `Unable to set uid/gid for script ${s.script?.command ?? s.name}`,
          node.pos,
        );
      }
    },
    init_fail: (_n, s) => {
      s.initFail = true;
    },
  },
};

export const trackFileSpec: BlockSpec<TrackFile> = {
  name: 'track_file',
  keywords: {
    file: (node, f, ctx) => {
      const t = arg(node, ctx);
      if (t) f.file = t.text;
    },
    weight: weightWithReverse(254),
    init_file: (node, f, ctx) => {
      let value = 0;
      let overwrite = false;
      for (const t of node.args) {
        if (t.text === 'overwrite') overwrite = true;
        else {
          const n = parseInteger(t, ctx, -2147483648, 2147483647);
          if (n !== undefined) value = n;
        }
      }
      f.initFile = { value, overwrite };
    },
  },
};

const delay =
  (field: 'delay' | 'terminateDelay' | 'forkDelay'): Handler<TrackProcess> =>
  (node, p, ctx) => {
    const n = parseTimer(arg(node, ctx), ctx, 0.000001, 3600);
    if (n === undefined) return;
    if (field !== 'forkDelay') p.terminateDelay = n;
    if (field !== 'terminateDelay') p.forkDelay = n;
    if (field === 'delay') p.delay = n;
  };

export const trackProcessSpec: BlockSpec<TrackProcess> = {
  name: 'vrrp_track_process',
  keywords: {
    process: (node, p, ctx) => {
      if (p.process) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_DUPLICATE,
          `Process already set for track process ${p.name} - ignoring ${node.args[0]?.text ?? ''}`,
          node.pos,
        );
        return;
      }
      const t = arg(node, ctx);
      if (!t) return;
      p.process = t.text;
      p.params = node.args.slice(1).map((a) => a.text);
      if (p.params.length) {
        p.paramMatch ??= 'exact';
        p.fullCommand = true;
      }
    },
    param_match: (node, p, ctx) => {
      const t = node.args[0]?.text;
      if (t === undefined) p.paramMatch = 'exact';
      else if (t === 'initial' || t === 'partial') p.paramMatch = t;
      else
        return ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          `Invalid param_match type ${t} - ignoring`,
          node.pos,
        );
      p.fullCommand = true;
    },
    weight: weightWithReverse(254),
    quorum: (node, p, ctx) => {
      const n = parseInteger(arg(node, ctx), ctx, 1, 65535);
      if (n === undefined) return;
      if (p.quorumMax !== null && n > p.quorumMax) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          'Quorum is greater than quorum_max - ignoring',
          node.pos,
        );
        return;
      }
      p.quorum = n;
    },
    quorum_max: (node, p, ctx) => {
      const n = parseInteger(arg(node, ctx), ctx, 0, 65535);
      if (n === undefined) return;
      if ((n || p.quorum > 1) && n < p.quorum) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          'quorum_max is less than quorum - ignoring',
          node.pos,
        );
        return;
      }
      p.quorumMax = n;
      if (n === 0) p.quorum = 0;
    },
    delay: delay('delay'),
    terminate_delay: delay('terminateDelay'),
    fork_delay: delay('forkDelay'),
    full_command: (_n, p) => {
      p.fullCommand = true;
    },
  },
};

function gnotify(field: 'master' | 'backup' | 'fault' | 'stop' | 'any'): Handler<SyncGroup> {
  return (node, g, ctx) => {
    if (g.notify[field]) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_DUPLICATE,
        `vrrp group ${g.name}: ${node.keyword} script already specified - ignoring ${node.args[0]?.text ?? ''}`,
        node.pos,
      );
      return;
    }
    g.notify[field] = parseScriptValue(node, ctx) ?? null;
  };
}

export const syncGroupSpec: BlockSpec<SyncGroup> = {
  name: 'vrrp_sync_group',
  keywords: {
    group: (node, g, ctx) => {
      if (g.membersSet) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_DUPLICATE,
          `Group list already specified for sync group ${g.name}`,
          node.pos,
        );
        return;
      }
      g.membersSet = true;
      g.members = [
        ...node.args.map((t) => t.text),
        ...(node.children ?? []).flatMap((c) => [c.keyword, ...c.args.map((t) => t.text)]),
      ];
      if (g.members.length === 0) {
        ctx.diag.warn(
          ErrorCodes.CONFIG_INVALID_OBJECT,
          `Warning - sync group ${g.name} has empty group block`,
          node.pos,
        );
      }
    },
    track_interface: trackBlock('interface'),
    track_script: trackBlock('script'),
    track_file: trackBlock('file'),
    track_process: trackBlock('process'),
    track_bfd: trackBlock('bfd'),
    track_gateway: trackGatewayBlock(),
    notify_backup: gnotify('backup'),
    notify_master: gnotify('master'),
    notify_fault: gnotify('fault'),
    notify_stop: gnotify('stop'),
    notify: gnotify('any'),
    smtp_alert: (node, g) => {
      g.smtpAlert = onWord(node);
    },
    global_tracking: (node, g, ctx) => {
      ctx.diag.warn(
        ErrorCodes.CONFIG_DEPRECATED,
        `(${g.name}) global_tracking is deprecated. Use track_interface/script/file on the sync group`,
        node.pos,
      );
      g.trackingWeight = true;
    },
    sync_group_tracking_weight: (_n, g) => {
      g.trackingWeight = true;
    },
    notify_priority_changes: (node, g) => {
      g.notifyPriorityChanges = onWord(node);
    },
  },
};

export function newSyncGroup(name: string, pos: SyncGroup['pos']): SyncGroup {
  return {
    name,
    pos,
    members: [],
    membersSet: false,
    track: emptyTracking(),
    notify: { master: null, backup: null, fault: null, stop: null, any: null },
    smtpAlert: null,
    trackingWeight: false,
    notifyPriorityChanges: null,
  };
}

export const garpGroupSpec: BlockSpec<GarpGroup> = {
  name: 'garp_group',
  keywords: {
    garp_interval: (node, g, ctx) => {
      const n = parseTimer(arg(node, ctx), ctx, 0);
      if (n !== undefined) g.garpInterval = n;
    },
    gna_interval: (node, g, ctx) => {
      const n = parseTimer(arg(node, ctx), ctx, 0);
      if (n !== undefined) g.gnaInterval = n;
    },
    interface: (node, g, ctx) => {
      const t = arg(node, ctx);
      if (t) garpInterface(ctx, g, t.text, t.pos);
    },
    interfaces: (node, g, ctx) => {
      const names = [
        ...node.args,
        ...(node.children ?? []).map((c) => ({ text: c.keyword, pos: c.pos })),
      ];
      if (names.length === 0)
        ctx.diag.warn(
          ErrorCodes.CONFIG_BAD_VALUE,
          'Warning - empty garp_group interfaces block',
          node.pos,
        );
      for (const n of names) garpInterface(ctx, g, n.text, n.pos);
    },
  },
};
