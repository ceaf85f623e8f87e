/**
 * The global_defs keyword table (keepalived 2.2.7 global_parser.c). Pure.
 *
 * Keywords stayalive interprets get typed fields; the rest (process names,
 * netlink buffer sizes, CPU affinity, SNMP details, ipsets…) are accepted and
 * kept as written in `raw`, so a keepalived.conf using them still loads.
 */
import { userKnown } from '../script-user.js';
import { ErrorCodes } from '../../core/errors.js';
import { isIPv4, isIPv6 } from '../ip.js';
import type { BlockSpec, Handler } from '../schema.js';
import { arg, parseBoolFlag, parseGarpExtraIf, parseInteger } from '../values.js';
import { boolOpt, flag, intAtLeastOne, intIn, raw, timerIn, word } from './builders.js';
import { parseScriptValue } from './script-value.js';
import { stayaliveGlobalKeywords } from './stayalive-keywords.js';
import type { FifoSpec, GlobalDefs } from './types.js';

type H = Handler<GlobalDefs>;

const UINT_MAX = 4294967295;
const TIMER_SECS_MAX = Math.floor(UINT_MAX / 1e6);

const routerId: H = (node, g, ctx) => {
  const tok = node.args[0];
  if (!tok) {
    ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, 'routerid name missing - ignoring', node.pos);
    return;
  }
  g.routerId = tok.text;
};

const email: H = (node, g, ctx) => {
  const list = [...node.args.map((t) => t.text)];
  for (const c of node.children ?? []) list.push(c.keyword, ...c.args.map((t) => t.text));
  if (list.length === 0) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      'Warning - empty notification_email block',
      node.pos,
    );
  }
  g.notificationEmail.push(...list);
};

const smtpServer: H = (node, g, ctx) => {
  const host = arg(node, ctx);
  if (!host) return;
  let port = 25;
  if (node.args[1]) {
    const p = parseInteger(node.args[1], ctx, 1, 65535);
    if (p === undefined) return;
    port = p;
  }
  g.smtpServer = { host: host.text, port };
};

const scriptUser: H = (node, g, ctx) => {
  const user = arg(node, ctx);
  if (!user) return;
  const group = node.args[1]?.text ?? null;
  if (!userKnown(ctx.host, user.text, group)) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `Unable to set default user to ${user.text}`,
      user.pos,
    );
    // keepalived then refuses every script without a user of its own (default_user_fail).
    g.scriptUserFailed = true;
    return;
  }
  g.scriptUser = { user: user.text, group };
};

function script(field: 'startupScript' | 'shutdownScript'): H {
  return (node, g, ctx) => {
    const what = field === 'startupScript' ? 'startup' : 'shutdown';
    if (g[field]) {
      ctx.diag.warn(ErrorCodes.CONFIG_DUPLICATE, `${what} script already specified`, node.pos);
      return;
    }
    const s = parseScriptValue(node, ctx);
    if (s) g[field] = s;
  };
}

function fifo(field: 'notifyFifo' | 'vrrpNotifyFifo' | 'lvsNotifyFifo', prefix: string): H {
  return (node, g, ctx) => {
    const tok = node.args[0];
    if (!tok) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `No ${prefix}notify_fifo name specified`,
        node.pos,
      );
      return;
    }
    if (g[field]) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_DUPLICATE,
        `${prefix}notify_fifo already specified - ignoring ${tok.text}`,
        tok.pos,
      );
      return;
    }
    const spec: FifoSpec = {
      path: tok.text,
      user: node.args[1]?.text ?? null,
      group: node.args[2]?.text ?? null,
      pos: tok.pos,
    };
    g[field] = spec;
  };
}

function fifoScript(
  field: 'notifyFifoScript' | 'vrrpNotifyFifoScript' | 'lvsNotifyFifoScript',
  prefix: string,
): H {
  return (node, g, ctx) => {
    if (g[field]) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_DUPLICATE,
        `${prefix}notify_fifo_script already specified`,
        node.pos,
      );
      return;
    }
    const s = parseScriptValue(node, ctx);
    if (s) g[field] = s;
  };
}

function mcastGroup(field: 'vrrpMcastGroup4' | 'vrrpMcastGroup6', family: 4 | 6): H {
  return (node, g, ctx) => {
    const tok = arg(node, ctx);
    if (!tok) return;
    const ok = family === 4 ? isIPv4(tok.text) : isIPv6(tok.text);
    const name = node.keyword;
    if (!ok) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `${name} [${tok.text}] is not IPv${family}. Skipping`,
        tok.pos,
      );
      return;
    }
    const mc =
      family === 4
        ? Number(tok.text.split('.')[0]) >= 224 && Number(tok.text.split('.')[0]) <= 239
        : /^ff/i.test(tok.text);
    if (!mc) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `${name} [${tok.text}] is not multicast. Skipping`,
        tok.pos,
      );
      return;
    }
    if (family === 6 && !/^ff.2:/i.test(tok.text)) {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `${name} [${tok.text}] should be link-local multicast.`,
        tok.pos,
      );
    }
    g[field] = tok.text;
  };
}

const garpExtraIf: H = (node, g, ctx) => {
  const v = parseGarpExtraIf(
    node,
    ctx,
    { deprecated: 'vrrp_vmac_garp_intvl', current: 'vrrp_garp_extra_if' },
    1,
  );
  if (!v) return;
  if (v.interval === undefined) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `${node.keyword} specified without time - ignoring`,
      node.pos,
    );
    return;
  }
  g.vrrpGarpExtraIf = { all: v.all, interval: v.interval };
};

/** keepalived's vrrp_rx_bufs_policy: MTU, ADVERT or a size; a size wins over a policy, MTU over ADVERT. */
const rxBufsPolicy: H = (node, g, ctx) => {
  const bad = (m: string): void => ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.pos);
  if (node.args.length === 0) return bad('vrrp_rx_bufs_policy missing');
  let mtu = false;
  let advert = false;
  let size: number | null = null;
  for (const a of node.args) {
    const w = a.text.toUpperCase();
    if (w === 'MTU') mtu = true;
    else if (w === 'ADVERT') advert = true;
    // keepalived reads the number from the first word, whichever word it is looking at.
    else if (/^\d+$/.test(node.args[0].text) && Number(node.args[0].text) <= 0xffffffff)
      size = Number(node.args[0].text);
    else bad(`Invalid vrrp_rx_bufs_policy ${a.text}`);
  }
  if (size !== null && (mtu || advert)) {
    bad('Cannot set vrrp_rx_bufs_policy size and policy, ignoring policy');
    mtu = advert = false;
  } else if (mtu && advert) {
    bad('Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT');
    advert = false;
  }
  if (size !== null) g.vrrpRxBufsPolicy = { kind: 'size', size };
  else if (mtu) g.vrrpRxBufsPolicy = { kind: 'mtu' };
  else if (advert) g.vrrpRxBufsPolicy = { kind: 'advert' };
};

const rxBufsMultiplier: H = (node, g, ctx) => {
  const bad = (m: string): void => ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.pos);
  if (node.args.length !== 1) return bad('Invalid vrrp_rx_bufs_multiplier');
  const t = node.args[0].text;
  const n = /^\d+$/.test(t) ? Number(t) : NaN;
  if (!(n >= 1 && n <= 0xffffffff)) return bad(`Invalid vrrp_rx_bufs_multiplier ${t}`);
  g.vrrpRxBufsMultiplier = n;
};

const minGarp: H = (node, g, ctx) => {
  const v = parseBoolFlag(node, ctx);
  if (v === undefined) return;
  g.vrrpMinGarp = v;
  // keepalived: one GARP, no second burst, no refresh.
  if (v) {
    g.vrrpGarpMasterRepeat = 1;
    g.vrrpGarpMasterRefreshRepeat = 0;
    g.vrrpGarpMasterDelay = 0;
  }
};

const dynamicInterfaces: H = (node, g, ctx) => {
  const opt = node.args[0];
  if (opt && opt.text !== 'allow_if_changes') {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `Unknown dynamic_interfaces option '${opt.text}'`,
      opt.pos,
    );
    return;
  }
  g.dynamicInterfaces = true;
  if (opt) g.dynamicInterfacesAllowIfChanges = true;
};

const nftables: H = (node, g, ctx) => {
  if (g.nftables) {
    ctx.diag.warn(ErrorCodes.CONFIG_DUPLICATE, 'nftables already specified - ignoring', node.pos);
    return;
  }
  g.nftables = { table: node.args[0]?.text ?? 'keepalived' };
};

const iptables: H = (node, g) => {
  g.vrrpIptables = { in: node.args[0]?.text ?? 'INPUT', out: node.args[1]?.text ?? 'OUTPUT' };
};

const reloadCheck: H = (node, g) => {
  g.reloadCheckConfig = { logFile: node.args[0]?.text ?? null };
};

const umask: H = (node, g, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  if (/^0[0-7]*$|^[1-9]\d*$/.test(tok.text)) {
    const n = tok.text.startsWith('0') ? parseInt(tok.text, 8) : Number(tok.text);
    if (n <= 0o777) {
      g.umask = n;
      return;
    }
  }
  // IRUSR|IWGRP… bit names are accepted too: keep them raw.
  (g.raw.umask ??= []).push(node.args.map((t) => t.text));
};

const snmpRfc: H = (_node, g) => {
  g.enableSnmpRfcv2 = true;
  g.enableSnmpRfcv3 = true;
};

const maxAutoPriority: H = (node, g, ctx) => {
  // keepalived: no value means the maximum real-time priority (99).
  if (!node.args[0]) {
    g.maxAutoPriority = 99;
    return;
  }
  const v = parseInteger(node.args[0], ctx, -1, 99);
  if (v !== undefined) g.maxAutoPriority = v;
};

const minAutoPriorityDelay: H = (node, g, ctx) => {
  const v = parseInteger(arg(node, ctx), ctx, 1, 10000000);
  if (v !== undefined) g.minAutoPriorityDelay = v / 1e6;
};

const startupTimeout =
  (field: 'startupScriptTimeout' | 'shutdownScriptTimeout'): H =>
  (node, g, ctx) => {
    const v = parseInteger(arg(node, ctx), ctx, 1, 1000);
    if (v !== undefined) g[field] = v;
  };

const keep = raw<GlobalDefs>();

export const globalDefsSpec: BlockSpec<GlobalDefs> = {
  name: 'global_defs',
  keywords: {
    router_id: routerId,
    notification_email: email,
    notification_email_from: word('notificationEmailFrom'),
    smtp_server: smtpServer,
    smtp_helo_name: word('smtpHeloName'),
    smtp_connect_timeout: intAtLeastOne('smtpConnectTimeout', TIMER_SECS_MAX),
    smtp_alert: boolOpt('smtpAlert'),
    smtp_alert_vrrp: boolOpt('smtpAlertVrrp'),
    smtp_alert_checker: boolOpt('smtpAlertChecker'),
    no_email_faults: flag('noEmailFaults'),
    no_checker_emails: flag('noCheckerEmails'),
    checker_log_all_failures: boolOpt('checkerLogAllFailures'),

    script_user: scriptUser,
    enable_script_security: flag('enableScriptSecurity'),
    startup_script: script('startupScript'),
    startup_script_timeout: startupTimeout('startupScriptTimeout'),
    shutdown_script: script('shutdownScript'),
    shutdown_script_timeout: startupTimeout('shutdownScriptTimeout'),

    vrrp_version: intIn('vrrpVersion', 2, 3),
    vrrp_mcast_group4: mcastGroup('vrrpMcastGroup4', 4),
    vrrp_mcast_group6: mcastGroup('vrrpMcastGroup6', 6),
    default_interface: word('defaultInterface'),
    vrrp_garp_master_delay: intIn('vrrpGarpMasterDelay', 0, TIMER_SECS_MAX),
    vrrp_garp_master_repeat: intAtLeastOne('vrrpGarpMasterRepeat', UINT_MAX, 'keyword'),
    vrrp_garp_master_refresh: intIn('vrrpGarpMasterRefresh', 0, UINT_MAX),
    vrrp_garp_master_refresh_repeat: intAtLeastOne(
      'vrrpGarpMasterRefreshRepeat',
      UINT_MAX,
      'keyword',
    ),
    vrrp_garp_lower_prio_delay: intIn('vrrpGarpLowerPrioDelay', 0, TIMER_SECS_MAX),
    vrrp_garp_lower_prio_repeat: intIn('vrrpGarpLowerPrioRepeat', 0, 2147483647),
    vrrp_garp_interval: timerIn('vrrpGarpInterval', 0.000001, TIMER_SECS_MAX),
    vrrp_gna_interval: timerIn('vrrpGnaInterval', 0.000001, TIMER_SECS_MAX),
    vrrp_min_garp: minGarp,
    vrrp_garp_extra_if: garpExtraIf,
    vrrp_vmac_garp_intvl: garpExtraIf,
    vrrp_down_timer_adverts: intIn('vrrpDownTimerAdverts', 1, 100),
    vrrp_lower_prio_no_advert: boolOpt('vrrpLowerPrioNoAdvert'),
    vrrp_higher_prio_send_advert: boolOpt('vrrpHigherPrioSendAdvert'),
    vrrp_check_unicast_src: flag('vrrpCheckUnicastSrc'),
    vrrp_skip_check_adv_addr: flag('vrrpSkipCheckAdvAddr'),
    vrrp_strict: flag('vrrpStrict'),
    vrrp_notify_priority_changes: boolOpt('vrrpNotifyPriorityChanges'),
    vrrp_startup_delay: timerIn('vrrpStartupDelay', 0, TIMER_SECS_MAX),
    log_unknown_vrids: flag('logUnknownVrids'),
    vmac_prefix: word('vmacPrefix'),
    vmac_addr_prefix: word('vmacAddrPrefix'),
    dynamic_interfaces: dynamicInterfaces,
    disable_local_igmp: flag('disableLocalIgmp'),
    vrrp_rx_bufs_policy: rxBufsPolicy,
    vrrp_rx_bufs_multiplier: rxBufsMultiplier,

    nftables,
    nftables_priority: intIn('nftablesPriority', -2147483648, 2147483647),
    nftables_counters: flag('nftablesCounters'),
    nftables_ifindex: flag('nftablesIfindex'),
    nftables_ipvs: keep,
    nftables_ipvs_priority: keep,
    nftables_ipvs_start_fwmark: keep,
    vrrp_iptables: iptables,
    vrrp_ipsets: keep,

    lvs_flush: keep,
    lvs_flush_on_stop: keep,
    lvs_flush_onstop: keep,
    lvs_timeouts: keep,
    lvs_sync_daemon: keep,

    notify_fifo: fifo('notifyFifo', ''),
    notify_fifo_script: fifoScript('notifyFifoScript', ''),
    vrrp_notify_fifo: fifo('vrrpNotifyFifo', 'vrrp_'),
    vrrp_notify_fifo_script: fifoScript('vrrpNotifyFifoScript', 'vrrp_'),
    lvs_notify_fifo: fifo('lvsNotifyFifo', 'lvs_'),
    lvs_notify_fifo_script: fifoScript('lvsNotifyFifoScript', 'lvs_'),
    fifo_write_vrrp_states_on_reload: flag('fifoWriteVrrpStatesOnReload'),
    rs_init_notifies: flag('rsInitNotifies'),

    vrrp_priority: intIn('vrrpPriority', -20, 19),
    checker_priority: intIn('checkerPriority', -20, 19),
    bfd_priority: intIn('bfdPriority', -20, 19),
    vrrp_no_swap: flag('vrrpNoSwap'),
    checker_no_swap: flag('checkerNoSwap'),
    bfd_no_swap: flag('bfdNoSwap'),
    vrrp_rt_priority: intIn('vrrpRtPriority', 1, 99),
    checker_rt_priority: intIn('checkerRtPriority', 1, 99),
    bfd_rt_priority: intIn('bfdRtPriority', 1, 99),
    vrrp_cpu_affinity: keep,
    checker_cpu_affinity: keep,
    bfd_cpu_affinity: keep,
    vrrp_rlimit_rttime: keep,
    vrrp_rlimit_rtime: keep,
    checker_rlimit_rttime: keep,
    checker_rlimit_rtime: keep,
    bfd_rlimit_rttime: keep,
    bfd_rlimit_rtime: keep,
    max_auto_priority: maxAutoPriority,
    min_auto_priority_delay: minAutoPriorityDelay,
    process_names: keep,
    process_name: keep,
    vrrp_process_name: keep,
    checker_process_name: keep,
    lvs_process_name: keep,
    bfd_process_name: keep,

    vrrp_netlink_cmd_rcv_bufs: keep,
    vrrp_netlink_cmd_rcv_bufs_force: keep,
    vrrp_netlink_monitor_rcv_bufs: keep,
    vrrp_netlink_monitor_rcv_bufs_force: keep,
    lvs_netlink_cmd_rcv_bufs: keep,
    lvs_netlink_cmd_rcv_bufs_force: keep,
    lvs_netlink_monitor_rcv_bufs: keep,
    lvs_netlink_monitor_rcv_bufs_force: keep,
    process_monitor_rcv_bufs: keep,
    process_monitor_rcv_bufs_force: keep,

    snmp_socket: word('snmpSocket'),
    enable_traps: flag('enableTraps'),
    enable_snmp_vrrp: flag('enableSnmpVrrp'),
    enable_snmp_keepalived: flag('enableSnmpVrrp'),
    enable_snmp_checker: flag('enableSnmpChecker'),
    enable_snmp_rfc: snmpRfc,
    enable_snmp_rfcv2: flag('enableSnmpRfcv2'),
    enable_snmp_rfcv3: flag('enableSnmpRfcv3'),
    enable_dbus: flag('enableDbus'),
    dbus_service_name: word('dbusServiceName'),

    umask,
    random_seed: intIn('randomSeed', 0, UINT_MAX),
    reload_check_config: reloadCheck,
    reload_time_file: keep,
    reload_repeat: keep,
    reload_file: word('reloadFile'),
    include_check: keep,
    config_save_dir: keep,
    tmp_config_directory: keep,
    data_use_instance: boolOpt('dataUseInstance'),

    // Added after 2.2.7 (accepted so newer configs load).
    vrrp_owner_ignore_adverts: keep,
    use_symlink_paths: keep,
    snmp_vs_stats_update_interval: keep,
    snmp_rs_stats_update_interval: keep,
    set_supplementary_groups: keep,
    iproute_etc_dir: keep,
    iproute_usr_dir: keep,
    state_dump_file: word('stateDumpFile'),
    stats_dump_file: word('statsDumpFile'),
    json_dump_file: word('jsonDumpFile'),
    json_version: keep,
    dbus_no_interface_name: keep,
    vrrp_delay_after_boot: keep,

    ...stayaliveGlobalKeywords,
  },
};
