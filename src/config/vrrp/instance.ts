/**
 * vrrp_instance keywords (keepalived 2.2.7 vrrp_parser.c). Pure.
 * Defaults and cross-keyword checks happen later in instance-finalize.ts,
 * matching keepalived's vrrp_complete_instance.
 */
import { ErrorCodes } from '../../core/errors.js';
import { parseScriptValue } from '../global/script-value.js';
import type { BlockSpec, Handler } from '../schema.js';
import { arg, parseBoolFlag, parseGarpExtraIf, parseInteger, parseTimer } from '../values.js';
import { bad, interfaceKnown } from './common.js';
import {
  addrBlock,
  familyKnown,
  mcastDst,
  srcIp,
  takeFamily,
  unicastPeer,
  useIpvlan,
  useVmac,
  walkAuth,
} from './instance-peers.js';
import { parseRouteLine } from './route-line.js';
import { parseRuleLine } from './rule-line.js';
import { trackBlock, trackGatewayBlock } from './tracking.js';
import type { VrrpInstance } from './types.js';

export { newInstance } from './instance-new.js';

type H = Handler<VrrpInstance>;
const UINT_MAX = 4294967295;

const state: H = (node, v, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  if (tok.text === 'MASTER') v.stateSet = 'MASTER';
  else if (tok.text === 'BACKUP') {
    if (v.stateSet === 'MASTER')
      bad(ctx, node, `(${v.name}) state previously set as MASTER - ignoring BACKUP`);
    else v.stateSet = 'BACKUP';
  } else {
    bad(ctx, node, `(${v.name}) unknown state '${tok.text}', defaulting to BACKUP`);
    v.stateSet = 'BACKUP';
  }
};

const iface: H = (node, v, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  if (tok.text.length >= 16)
    return bad(ctx, node, `Interface name '${tok.text}' too long - ignoring`);
  if (!interfaceKnown(ctx, tok.text, tok.pos)) {
    bad(ctx, node, `WARNING - interface ${tok.text} for vrrp_instance ${v.name} doesn't exist`);
    v.interface = null;
    return;
  }
  if (tok.text === 'lo') {
    bad(ctx, node, `(${v.name}) cannot use a loopback interface (lo) for vrrp - ignoring`);
    v.interface = null;
    return;
  }
  v.interface = tok.text;
};

const vrid: H = (node, v, ctx) => {
  const n = parseInteger(arg(node, ctx), ctx, 1, 255);
  if (n === undefined) {
    if (node.args[0])
      bad(
        ctx,
        node,
        `(${v.name}): VRID '${node.args[0].text}' not valid - must be between 1 & 255`,
      );
    return;
  }
  v.virtualRouterId = n;
};

const priority: H = (node, v, ctx) => {
  const n = parseInteger(arg(node, ctx), ctx, 1, 255);
  if (n === undefined) {
    bad(ctx, node, `(${v.name}) Priority not valid! must be between 1 & 255. Using default 100`);
    v.prioritySet = 100;
    return;
  }
  v.prioritySet = n;
};

const advertInt: H = (node, v, ctx) => {
  const n = parseTimer(arg(node, ctx), ctx, 0.01, 255);
  if (n === undefined || n <= 0) {
    bad(
      ctx,
      node,
      `(${v.name}) Advert interval (${node.args[0]?.text ?? ''}) not valid! Must be > 0 - ignoring`,
    );
    return;
  }
  v.advertInt = n;
};

const version: H = (node, v, ctx) => {
  const n = parseInteger(arg(node, ctx), ctx, 2, 3);
  if (n === undefined) return bad(ctx, node, `(${v.name}): Version must be either 2 or 3`);
  if (
    (v.versionSet !== null && v.versionSet !== n) ||
    (n === 2 && familyKnown(v) && v.family === 6)
  ) {
    bad(
      ctx,
      node,
      `(${v.name}) vrrp_version ${n} conflicts with configured or deduced version ${v.versionSet ?? 3}; ignoring.`,
    );
    return;
  }
  v.versionSet = n as 2 | 3;
};

const routes: H = (node, v, ctx) => {
  for (const line of node.children ?? []) {
    const r = parseRouteLine(line, ctx, 'virtual');
    if (r) v.virtualRoutes.push(r);
  }
};
const rules: H = (node, v, ctx) => {
  for (const line of node.children ?? []) {
    const r = parseRuleLine(line, ctx, 'virtual');
    if (r) v.virtualRules.push(r);
  }
};

function boolField(
  field:
    | 'strictModeSet'
    | 'lowerPrioNoAdvert'
    | 'higherPrioSendAdvert'
    | 'notifyPriorityChanges'
    | 'smtpAlert'
    | 'v3ChecksumAsV2',
): H {
  return (node, v, ctx) => {
    const b = parseBoolFlag(node, ctx);
    if (b !== undefined) v[field] = b;
  };
}

/** A GARP count or delay; the repeat counts turn 0 into 1 with a warning. */
function garpInt(
  field:
    | 'garpMasterDelay'
    | 'garpMasterRefresh'
    | 'garpLowerPrioDelay'
    | 'garpLowerPrioRepeat'
    | 'garpMasterRepeat'
    | 'garpMasterRefreshRepeat',
  max: number,
  zeroToOne = false,
): H {
  return (node, v, ctx) => {
    let n = parseInteger(arg(node, ctx), ctx, 0, max);
    if (n === undefined)
      return bad(
        ctx,
        node,
        `(${v.name}): ${node.keyword} '${node.args[0]?.text ?? ''}' invalid - ignoring`,
      );
    if (zeroToOne && n === 0) {
      bad(ctx, node, `(${v.name}): ${node.keyword} must be greater than 0, setting to 1`);
      n = 1;
    }
    v[field] = n;
  };
}

const garpExtraIf: H = (node, v, ctx) => {
  const g = parseGarpExtraIf(
    node,
    ctx,
    { deprecated: 'vmac_garp_intvl', current: 'garp_extra_if' },
    0,
  );
  if (!g) return;
  if (g.interval === undefined)
    return bad(ctx, node, `(${v.name}): ${node.keyword} specified without time - ignoring`);
  v.garpExtraIf = { all: g.all, interval: g.interval };
};

function notify(field: 'master' | 'backup' | 'fault' | 'stop' | 'any' | 'masterRxLowerPri'): H {
  return (node, v, ctx) => {
    if (v.notify[field])
      return bad(
        ctx,
        node,
        `(${v.name}) ${node.keyword} script already specified - ignoring ${node.args[0]?.text ?? ''}`,
      );
    const s = parseScriptValue(node, ctx);
    if (s) v.notify[field] = s;
  };
}

const notifyDeleted: H = (node, v, ctx) => {
  if (v.notify.notifyDeleted)
    return bad(
      ctx,
      node,
      `(${v.name}) notify_deleted already specified - ignoring ${node.args[0]?.text ?? ''}`,
    );
  if (node.args.length) v.notify.deleted = parseScriptValue(node, ctx) ?? null;
  v.notify.notifyDeleted = true;
};

const setTrue =
  (
    f:
      | 'dontTrackPrimary'
      | 'promoteSecondaries'
      | 'trackSrcIp'
      | 'nopreempt'
      | 'useVmacAddr'
      | 'vmacXmitBase',
  ): H =>
  (_n, v) => {
    v[f] = true;
  };

const later: H = (node, _v, ctx) => {
  ctx.diag.info(
    ErrorCodes.CONFIG_DEPRECATED,
    `'${node.keyword}' is newer than keepalived 2.2.7; ignored`,
    node.pos,
  );
};

export const instanceSpec: BlockSpec<VrrpInstance> = {
  name: 'vrrp_instance',
  keywords: {
    use_vmac: useVmac,
    use_vmac_addr: setTrue('useVmacAddr'),
    vmac_xmit_base: setTrue('vmacXmitBase'),
    use_ipvlan: useIpvlan,
    unicast_peer: unicastPeer,
    unicast_fault_no_peer: (_n, v) => {
      v.unicastConfigured = true;
      v.unicastFaultNoPeer = true;
    },
    check_unicast_src: (_n, v) => {
      v.unicastConfigured = true;
      v.checkUnicastSrc = true;
    },
    old_unicast_checksum: (node, v, ctx) => {
      v.unicastConfigured = true;
      if (!node.args[0]) v.oldUnicastChecksum = 'config';
      else if (node.args[0].text === 'never') v.oldUnicastChecksum = 'never';
      else
        bad(
          ctx,
          node,
          `(${v.name}) Unknown old_unicast_chksum mode ${node.args[0].text} - ignoring`,
        );
    },
    native_ipv6: (node, v, ctx) => {
      if (familyKnown(v) && v.family === 4)
        return bad(ctx, node, `(${v.name}) Cannot specify native_ipv6 with IPv4 addresses`);
      takeFamily(v, 6);
      v.versionSet = 3;
    },
    state,
    interface: iface,
    vrf: (node, v, ctx) => {
      const tok = arg(node, ctx);
      if (!tok) return;
      if (v.interface)
        return bad(ctx, node, `(${v.name}) Cannot specify VRF interface and interface - ignoring`);
      if (!interfaceKnown(ctx, tok.text, tok.pos))
        return bad(ctx, node, `(${v.name}) WARNING - VRF interface ${tok.text} doesn't exist`);
      v.vrf = tok.text;
    },
    dont_track_primary: setTrue('dontTrackPrimary'),
    track_interface: trackBlock('interface'),
    track_script: trackBlock('script'),
    track_file: trackBlock('file'),
    track_process: trackBlock('process'),
    track_bfd: trackBlock('bfd'),
    track_gateway: trackGatewayBlock(),
    mcast_src_ip: srcIp('mcastSrcIp'),
    unicast_src_ip: srcIp('unicastSrcIp'),
    mcast_dst_ip: mcastDst,
    track_src_ip: setTrue('trackSrcIp'),
    virtual_router_id: vrid,
    unicast_ttl: (node, v, ctx) => {
      const n = parseInteger(arg(node, ctx), ctx, 0, 255);
      if (n === undefined)
        return bad(
          ctx,
          node,
          `(${v.name}): TTL '${node.args[0]?.text ?? ''}' not valid - must be between 0 & 255`,
        );
      v.unicastTtl = n;
    },
    version,
    priority,
    advert_int: advertInt,
    virtual_ipaddress: addrBlock('virtualIpaddress'),
    virtual_ipaddress_excluded: addrBlock('virtualIpaddressExcluded'),
    promote_secondaries: setTrue('promoteSecondaries'),
    linkbeat_use_polling: (node, v, ctx) => {
      v.linkbeatUsePolling = true;
      ctx.diag.warn(
        ErrorCodes.CONFIG_DEPRECATED,
        `(${v.name}) 'linkbeat_use_polling' in vrrp instance deprecated - use linkbeat_interfaces block`,
        node.pos,
      );
    },
    virtual_routes: routes,
    virtual_rules: rules,
    accept: (_n, v) => {
      v.acceptSet = true;
    },
    no_accept: (_n, v) => {
      v.acceptSet = false;
    },
    skip_check_adv_addr: (node, v, ctx) => {
      // keepalived sets the flag for any valid <BOOL>, even "off".
      if (parseBoolFlag(node, ctx) !== undefined) v.skipCheckAdvAddr = true;
    },
    strict_mode: boolField('strictModeSet'),
    preempt: (_n, v) => {
      v.nopreempt = false;
    },
    nopreempt: setTrue('nopreempt'),
    preempt_delay: (node, v, ctx) => {
      const n = parseTimer(arg(node, ctx), ctx, 0, 1000);
      if (n === undefined) {
        bad(ctx, node, `(${v.name}) Preempt_delay not valid! must be between 0-1000`);
        v.preemptDelay = 0;
        return;
      }
      v.preemptDelay = n;
    },
    debug: (node, v, ctx) => {
      const n = parseInteger(arg(node, ctx), ctx, 0, 4);
      if (n === undefined)
        return bad(
          ctx,
          node,
          `(${v.name}) Debug value '${node.args[0]?.text ?? ''}' not valid; must be between 0-4`,
        );
      v.debug = n;
    },
    notify_backup: notify('backup'),
    notify_master: notify('master'),
    notify_fault: notify('fault'),
    notify_stop: notify('stop'),
    notify_deleted: notifyDeleted,
    notify: notify('any'),
    notify_master_rx_lower_pri: notify('masterRxLowerPri'),
    smtp_alert: boolField('smtpAlert'),
    notify_priority_changes: boolField('notifyPriorityChanges'),
    lvs_sync_daemon_interface: (node, v, ctx) => {
      ctx.diag.warn(
        ErrorCodes.CONFIG_DEPRECATED,
        `(${v.name}) Specifying lvs_sync_daemon_interface against a vrrp is deprecated.`,
        node.pos,
      );
      (ctx.config.global.raw.lvs_sync_daemon_interface ??= []).push([
        ...node.args.map((t) => t.text),
        v.name,
      ]);
    },
    garp_master_delay: garpInt('garpMasterDelay', Math.floor(UINT_MAX / 1e6)),
    garp_master_refresh: garpInt('garpMasterRefresh', UINT_MAX),
    garp_master_repeat: garpInt('garpMasterRepeat', UINT_MAX, true),
    garp_master_refresh_repeat: garpInt('garpMasterRefreshRepeat', UINT_MAX, true),
    garp_lower_prio_delay: garpInt('garpLowerPrioDelay', Math.floor(UINT_MAX / 1e6)),
    garp_lower_prio_repeat: garpInt('garpLowerPrioRepeat', 2147483647),
    down_timer_adverts: (node, v, ctx) => {
      const n = parseInteger(arg(node, ctx), ctx, 1, 100);
      if (n === undefined)
        return bad(
          ctx,
          node,
          `(${v.name}): Invalid down_timer_adverts [1:100] '${node.args[0]?.text ?? ''}'`,
        );
      v.downTimerAdverts = n;
    },
    garp_extra_if: garpExtraIf,
    vmac_garp_intvl: garpExtraIf,
    lower_prio_no_advert: boolField('lowerPrioNoAdvert'),
    higher_prio_send_advert: boolField('higherPrioSendAdvert'),
    kernel_rx_buf_size: (node, v, ctx) => {
      const n = node.args.length === 1 ? parseInteger(node.args[0], ctx, 0, UINT_MAX) : undefined;
      if (n === undefined)
        return bad(ctx, node, `(${v.name}) invalid kernel_rx_buf_size specified`);
      v.kernelRxBufSize = n;
    },
    // Added after 2.2.7: accepted so newer configs load; not acted on.
    // keepalived 2.2.8: VRRPv3/IPv4 checksum without the pseudo-header (RFC 9568).
    v3_checksum_as_v2: boolField('v3ChecksumAsV2'),
    no_virtual_ipaddress: later,
    owner_ignore_adverts: later,
    authentication: (node, v, ctx) => {
      if (node.children) walkAuth(node.children, v, ctx);
    },
  },
};
