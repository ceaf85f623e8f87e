import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASIC, exitCode, load } from './helpers.js';

const SEC = 'global_defs { enable_script_security }\n';

test('track_script naming a script defined later is "not found, ignoring"', () => {
  const { config, diags } = load(`${SEC}${BASIC} track_script {
  chk
 }
}
vrrp_script chk {
 script /bin/true
}`);
  assert.deepEqual(config.vrrp.instances.VI_1.track.scripts, []);
  const d = diags.find((x) => x.message === '(VI_1) track script chk not found, ignoring...');
  assert.equal(d?.pos?.line, 9);
  assert.equal(exitCode(diags), 5);
});

test('track_script defined above resolves, with the script weight as default', () => {
  const { config, diags } = load(`${SEC}vrrp_script chk {
 script "/usr/bin/check --fast"
 interval 2
 weight -20 reverse
 rise 3
 fall 2
}
${BASIC} track_script {
  chk
 }
}`);
  assert.equal(exitCode(diags), 0, diags.map((d) => d.message).join('\n'));
  const s = config.vrrp.scripts.chk;
  assert.deepEqual(s.script?.argv, ['/usr/bin/check', '--fast']);
  assert.equal(s.interval, 2);
  assert.equal(s.rise, 3);
  assert.equal(s.fall, 2);
  const t = config.vrrp.instances.VI_1.track.scripts[0];
  assert.equal(t.name, 'chk');
  assert.equal(t.weight, -20);
  assert.equal(t.reverse, true);
});

test('track weights: override, noreverse, ±254 clamped to ±253', () => {
  const { config, msgs } = load(`${SEC}vrrp_script a { script /bin/true
 weight 5 reverse }
${BASIC} track_script {
  a weight 10 noreverse
 }
 track_interface {
  eth1 weight 254
  eth0
 }
}`);
  const v = config.vrrp.instances.VI_1;
  assert.deepEqual(
    v.track.scripts.map((t) => [t.weight, t.reverse]),
    [[10, false]],
  );
  assert.deepEqual(
    v.track.interfaces.map((t) => [t.name, t.weight]),
    [['eth1', 253]],
  );
  assert.ok(msgs.includes('(VI_1) weight for eth1 cannot be +/-254. Setting to +/-253'));
  assert.ok(msgs.includes('(VI_1) Ignoring track_interface eth0 since own interface'));
});

test('track_file must precede its reference; vrrp_track_file is an alias', () => {
  const late = load(`${BASIC} track_file { tf }\n}\ntrack_file tf { file /tmp/tf }`);
  assert.ok(late.msgs.includes('(VI_1) track file tf not found, ignoring...'));
  const early = load(
    `vrrp_track_file tf {\n file /tmp/tf\n weight -3 reverse\n init_file 7 overwrite\n}\n${BASIC} track_file { tf }\n}`,
  );
  assert.equal(exitCode(early.diags), 0);
  assert.deepEqual(early.config.vrrp.trackFiles.tf.initFile, { value: 7, overwrite: true });
  assert.deepEqual(
    early.config.vrrp.instances.VI_1.track.files.map((t) => t.weight),
    [-3],
  );
});

test('track_bfd resolves against config.bfd.instances', () => {
  const { config, msgs } = load(`${BASIC} track_bfd { b1 }\n}`);
  assert.deepEqual(config.vrrp.instances.VI_1.track.bfds, []);
  assert.ok(msgs.includes('(VI_1) track bfd b1 not found, ignoring...'));
});

test('track_bfd: the bfd_instance weight is the default; checker-only instances are unknown to VRRP', () => {
  const { config, msgs } = load(`bfd_instance b1 {
 neighbor_ip 192.0.2.9
 weight -20 reverse
}
bfd_instance b2 {
 neighbor_ip 192.0.2.10
 checker
}
bfd_instance b3 {
 neighbor_ip 192.0.2.11
 weight 7
}
bfd_instance b4 {
 neighbor_ip 192.0.2.12
}
${BASIC} track_bfd {
  b1
  b2
  b3 weight 254
  b4 weight 5 no_reverse
 }
}`);
  const t = config.vrrp.instances.VI_1.track.bfds.map(({ name, weight, reverse }) => ({
    name,
    weight,
    reverse,
  }));
  // b3: 254 is out of range for track_bfd (not clamped as for scripts): the instance's 7 stays.
  assert.deepEqual(t, [
    { name: 'b1', weight: -20, reverse: true },
    { name: 'b3', weight: 7, reverse: false },
  ]);
  assert.deepEqual(msgs, [
    '(VI_1) track bfd b2 not found, ignoring...',
    '(VI_1) weight for track bfd b3 must be in [-253..253] inclusive. Ignoring...',
    '(VI_1) unknown track bfd b4 weight option no_reverse - ignoring',
  ]);
});

test('vrrp_track_process: fields and reference', () => {
  const { config, diags } = load(`vrrp_track_process nginx {
 process nginx -g daemon
 weight 10
 quorum 2
 delay 1.5
}
${BASIC} track_process { nginx }
}`);
  assert.equal(exitCode(diags), 0, diags.map((d) => d.message).join('\n'));
  const p = config.vrrp.trackProcesses.nginx;
  assert.deepEqual(p.params, ['-g', 'daemon']);
  assert.equal(p.paramMatch, 'exact');
  assert.equal(p.quorum, 2);
  assert.equal(p.forkDelay, 1.5);
  assert.equal(config.vrrp.instances.VI_1.track.processes[0].weight, 10);
});

test('sync groups may precede their instances', () => {
  const { config, diags } = load(`vrrp_sync_group G {
 group {
  VI_1
  VI_2
 }
}
${BASIC}}
vrrp_instance VI_2 {
 interface eth0
 virtual_router_id 52
 virtual_ipaddress { 10.0.0.11/24 }
}`);
  assert.equal(exitCode(diags), 0, diags.map((d) => d.message).join('\n'));
  assert.deepEqual(config.vrrp.syncGroups.G.members, ['VI_1', 'VI_2']);
  assert.equal(config.vrrp.instances.VI_2.syncGroup, 'G');
});

test('sync group with an unknown member and a single member', () => {
  const { config, msgs } = load(`vrrp_sync_group G { group { VI_1 X } }\n${BASIC}}`);
  assert.deepEqual(config.vrrp.syncGroups.G.members, ['VI_1']);
  assert.ok(msgs.includes("Virtual router X specified in sync group G doesn't exist - ignoring"));
  assert.ok(msgs.some((m) => m.startsWith('Sync group G has only 1 virtual router(s)')));
});

test('duplicate instance names are rejected', () => {
  const { config, msgs } = load(`${BASIC}}\n${BASIC} priority 7\n}`);
  assert.equal(config.vrrp.instances.VI_1.priority, 100);
  assert.ok(msgs.includes('vrrp_instance VI_1 already defined'));
});

test('vrrp_script without script is removed', () => {
  const { config, msgs } = load('vrrp_script s {\n interval 3\n}');
  assert.equal(config.vrrp.scripts.s, undefined);
  assert.ok(msgs.includes('No script set for vrrp_script s - removing'));
});

test('notify_priority_changes: the instance, else its sync group, else global_defs', () => {
  const inst = (name: string, vrid: number, own = ''): string =>
    `vrrp_instance ${name} {\n interface eth0\n virtual_router_id ${vrid}\n${own} virtual_ipaddress {\n  10.0.0.${vrid}\n }\n}\n`;
  const { config } = load(
    'global_defs {\n vrrp_notify_priority_changes off\n}\n' +
      inst('A', 1) +
      inst('B', 2, ' notify_priority_changes off\n') +
      inst('C', 3) +
      inst('D', 4) +
      'vrrp_sync_group G {\n group {\n  A\n  B\n }\n notify_priority_changes on\n}\n',
  );
  const n = (x: string) => config.vrrp.instances[x].notifyPriorityChanges;
  assert.deepEqual([n('A'), n('B'), n('C'), n('D')], [true, false, false, false]);
});
