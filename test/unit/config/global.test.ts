import assert from 'node:assert/strict';
import { test } from 'node:test';
import { exitCode, load } from './helpers.js';

test('global defaults follow keepalived 2.2.7', () => {
  const { config, diags } = load('');
  const g = config.global;
  assert.equal(diags.length, 0);
  assert.equal(g.routerId, 'node1');
  assert.equal(g.notificationEmailFrom, 'keepalived@node1');
  assert.equal(g.smtpConnectTimeout, 30);
  assert.equal(g.vrrpVersion, 2);
  assert.equal(g.vrrpMcastGroup4, '224.0.0.18');
  assert.equal(g.vrrpMcastGroup6, 'ff02::12');
  assert.equal(g.vrrpGarpMasterDelay, 5);
  assert.equal(g.vrrpGarpMasterRepeat, 5);
  assert.equal(g.vrrpGarpLowerPrioRepeat, 5);
  assert.equal(g.vrrpDownTimerAdverts, 3);
  assert.equal(g.childWaitTime, 5);
  assert.equal(g.startupScriptTimeout, 10);
  assert.equal(g.defaultInterface, 'eth0');
  assert.deepEqual(JSON.parse(JSON.stringify(g)), g, 'plain JSON');
});

test('global_defs keywords fill the model', () => {
  const { config, diags } = load(`global_defs {
  router_id lb1
  notification_email {
    a@example.com
    b@example.com
  }
  notification_email_from ka@example.com
  smtp_server 10.0.0.1 2525
  vrrp_version 3
  vrrp_strict
  vrrp_skip_check_adv_addr
  vrrp_garp_interval 0.001
  vrrp_garp_master_delay 2
  vrrp_notify_priority_changes off
  enable_script_security
  script_user nobody nogroup
  vrrp_notify_fifo /run/k.fifo
  startup_script "/usr/bin/start me" root
  nftables
  process_names
}
net_namespace blue
use_pid_dir
instance one
child_wait_time 9
`);
  assert.equal(diags.length, 0, diags.map((d) => d.message).join('\n'));
  const g = config.global;
  assert.equal(g.routerId, 'lb1');
  assert.deepEqual(g.notificationEmail, ['a@example.com', 'b@example.com']);
  assert.equal(g.notificationEmailFrom, 'ka@example.com');
  assert.deepEqual(g.smtpServer, { host: '10.0.0.1', port: 2525 });
  assert.equal(g.vrrpVersion, 3);
  assert.equal(g.vrrpStrict, true);
  assert.equal(g.vrrpSkipCheckAdvAddr, true);
  assert.equal(g.vrrpGarpInterval, 0.001);
  assert.equal(g.vrrpGarpLowerPrioDelay, 2, 'lower-prio delay defaults to the master delay');
  assert.equal(g.vrrpNotifyPriorityChanges, false);
  assert.equal(g.enableScriptSecurity, true);
  assert.deepEqual(g.scriptUser, { user: 'nobody', group: 'nogroup' });
  assert.equal(g.vrrpNotifyFifo?.path, '/run/k.fifo');
  assert.deepEqual(g.startupScript?.argv, ['/usr/bin/start', 'me']);
  assert.equal(g.startupScript?.user, 'root');
  assert.deepEqual(g.nftables, { table: 'keepalived' });
  assert.deepEqual(g.raw.process_names, [[]]);
  assert.equal(g.netNamespace, 'blue');
  assert.equal(g.usePidDir, true);
  assert.equal(g.instance, 'one');
  assert.equal(g.childWaitTime, 9);
});

test('global range errors carry positions and keep defaults', () => {
  const { config, diags } = load(`global_defs {
  vrrp_version 4
  startup_script_timeout 2000
  vrrp_garp_master_repeat 0
  vrrp_mcast_group4 10.0.0.1
  bogus_keyword
}`);
  assert.equal(config.global.vrrpVersion, 2);
  assert.equal(config.global.startupScriptTimeout, 10);
  assert.equal(config.global.vrrpGarpMasterRepeat, 1, '0 becomes 1');
  assert.equal(config.global.vrrpMcastGroup4, '224.0.0.18');
  const v = diags.find((d) => d.message.includes("'4' outside range [2, 3]"));
  assert.deepEqual(v?.pos, { file: 't.conf', line: 2, col: 16 });
  assert.ok(
    diags.some((d) => d.message === 'vrrp_mcast_group4 [10.0.0.1] is not multicast. Skipping'),
  );
  assert.ok(
    diags.some((d) => d.message === "Unknown keyword 'bogus_keyword'" && d.pos?.line === 6),
  );
  assert.equal(exitCode(diags), 5);
});

test('vrrp_min_garp turns the second burst off', () => {
  const { config } = load('global_defs {\n vrrp_min_garp\n}');
  assert.equal(config.global.vrrpGarpMasterRepeat, 1);
  assert.equal(config.global.vrrpGarpMasterDelay, 0);
  assert.equal(config.global.vrrpGarpMasterRefreshRepeat, 0);
});

test('duplicate net_namespace is reported and the first kept', () => {
  const { config, msgs } = load('net_namespace a\nnet_namespace b\n');
  assert.equal(config.global.netNamespace, 'a');
  assert.ok(msgs.includes('Duplicate net_namespace definition b - ignoring'));
});

test('vrrp_rx_bufs_policy and multiplier: keepalived precedence and messages', () => {
  const g = (lines: string) => load(`global_defs {\n${lines}\n}\n`);
  assert.deepEqual(g(' vrrp_rx_bufs_policy mtu').config.global.vrrpRxBufsPolicy, { kind: 'mtu' });
  assert.deepEqual(g(' vrrp_rx_bufs_policy 50000').config.global.vrrpRxBufsPolicy, {
    kind: 'size',
    size: 50000,
  });
  const both = g(' vrrp_rx_bufs_policy MTU ADVERT');
  assert.deepEqual(both.config.global.vrrpRxBufsPolicy, { kind: 'mtu' });
  assert.ok(
    both.msgs.includes('Cannot set both vrrp_rx_bufs_policy MTU and ADVERT, ignoring ADVERT'),
  );
  const sized = g(' vrrp_rx_bufs_policy 5000 MTU');
  assert.deepEqual(sized.config.global.vrrpRxBufsPolicy, { kind: 'size', size: 5000 });
  assert.equal(exitCode(sized.diags), 5);
  const m = g(' vrrp_rx_bufs_multiplier 0');
  assert.equal(m.config.global.vrrpRxBufsMultiplier, 3);
  assert.ok(m.msgs.includes('Invalid vrrp_rx_bufs_multiplier 0'));
  assert.equal(g(' vrrp_rx_bufs_multiplier 5').config.global.vrrpRxBufsMultiplier, 5);
});
