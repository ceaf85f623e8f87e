import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASIC, exitCode, load } from './helpers.js';

test('instance defaults: BACKUP, priority 100, v2, 1 s adverts, accept', () => {
  const { config, diags } = load(`${BASIC}}`);
  assert.equal(exitCode(diags), 0);
  const v = config.vrrp.instances.VI_1;
  assert.equal(v.usable, true);
  assert.equal(v.state, 'BACKUP');
  assert.equal(v.priority, 100);
  assert.equal(v.version, 2);
  assert.equal(v.advertInt, 1);
  assert.equal(v.accept, true);
  assert.equal(v.strictMode, false);
  assert.equal(v.garpLowerPrioRepeat, 5);
  assert.equal(v.virtualIpaddress[0].address, '10.0.0.10');
  assert.deepEqual(JSON.parse(JSON.stringify(config.vrrp)), config.vrrp, 'plain JSON');
});

test('state MASTER with no priority gives 255; priority 255 gives MASTER', () => {
  const a = load(`${BASIC} state MASTER\n}`).config.vrrp.instances.VI_1;
  assert.equal(a.priority, 255);
  assert.equal(a.state, 'MASTER');
  const b = load(`${BASIC} priority 255\n}`).config.vrrp.instances.VI_1;
  assert.equal(b.state, 'MASTER');
});

test('nopreempt is cleared with a warning for MASTER and for 255', () => {
  const a = load(`${BASIC} state MASTER\n priority 100\n nopreempt\n}`);
  assert.equal(a.config.vrrp.instances.VI_1.nopreempt, false);
  assert.ok(a.msgs.some((m) => m.includes('nopreempt will not work with initial state MASTER')));
  const b = load(`${BASIC} priority 255\n state BACKUP\n nopreempt\n}`);
  assert.ok(b.msgs.some((m) => m.includes('nopreempt is incompatible with priority 255')));
  const c = load(`${BASIC} nopreempt\n}`);
  assert.equal(c.config.vrrp.instances.VI_1.nopreempt, true);
  assert.equal(exitCode(c.diags), 0);
});

test('advert_int rounds per version', () => {
  const v2 = load(`${BASIC} advert_int 1.5\n}`);
  assert.equal(v2.config.vrrp.instances.VI_1.advertInt, 2);
  assert.equal(exitCode(v2.diags), 5);
  const v3 = load(`${BASIC} version 3\n advert_int 0.015\n}`);
  assert.equal(v3.config.vrrp.instances.VI_1.advertInt, 0.02);
  const big = load(`${BASIC} version 3\n advert_int 50\n}`);
  assert.equal(big.config.vrrp.instances.VI_1.advertInt, 40.95);
  const ok = load(`${BASIC} version 3\n advert_int 0.25\n}`);
  assert.equal(ok.config.vrrp.instances.VI_1.advertInt, 0.25);
  assert.equal(exitCode(ok.diags), 0);
});

test('IPv6 VIPs force version 3', () => {
  const { config, diags } = load(`vrrp_instance V6 {
 interface eth0
 virtual_router_id 9
 version 2
 virtual_ipaddress { fe80::1/64 }
}`);
  const v = config.vrrp.instances.V6;
  assert.equal(v.family, 6);
  assert.equal(v.version, 3);
  assert.equal(exitCode(diags), 0);
});

test('strict mode: accept off, no auth, state must match owner', () => {
  const { config, msgs } = load(`global_defs { vrrp_strict }
${BASIC} state MASTER
 priority 100
 authentication {
  auth_type PASS
  auth_pass secret
 }
}`);
  const v = config.vrrp.instances.VI_1;
  assert.equal(v.strictMode, true);
  assert.equal(v.accept, false);
  assert.equal(v.authType, null);
  assert.equal(v.state, 'BACKUP');
  assert.equal(v.lowerPrioNoAdvert, true);
  assert.equal(v.garpLowerPrioRepeat, 0);
  assert.ok(msgs.some((m) => m.includes('State MASTER must match being address owner')));
  assert.ok(msgs.some((m) => m.includes('Strict mode does not support authentication')));
});

test('auth_pass is truncated to 8 characters with a positioned warning', () => {
  const { config, diags } = load(`${BASIC} authentication {
  auth_type PASS
  auth_pass 123456789
 }
}`);
  const v = config.vrrp.instances.VI_1;
  assert.equal(v.authType, 'PASS');
  assert.equal(v.authPass, '12345678');
  const d = diags.find((x) => x.message === 'Truncating auth_pass to 8 characters');
  assert.deepEqual(d?.pos, { file: 't.conf', line: 9, col: 13 });
});

test('range errors keep defaults and report the token', () => {
  const { config, diags } = load(`${BASIC} priority 300\n}`);
  assert.equal(config.vrrp.instances.VI_1.priority, 100);
  const d = diags.find((x) => x.message === "number '300' outside range [1, 255]");
  assert.deepEqual(d?.pos, { file: 't.conf', line: 7, col: 11 });
});

test('missing virtual_router_id or interface makes the instance unusable', () => {
  const a = load('vrrp_instance A {\n interface eth0\n virtual_ipaddress { 10.0.0.1 }\n}');
  assert.equal(a.config.vrrp.instances.A.usable, false);
  assert.deepEqual(a.config.vrrp.instances.A.problems, ['(A) the virtual router id must be set']);
  assert.equal(exitCode(a.diags), 5);
  const b = load('vrrp_instance B {\n virtual_router_id 3\n virtual_ipaddress { 10.0.0.1 }\n}');
  assert.equal(b.config.vrrp.instances.B.usable, false);
  assert.ok(b.msgs.includes('(B) Unknown interface!'));
  const c = load(
    'vrrp_instance C {\n interface lo\n virtual_router_id 3\n virtual_ipaddress { 10.0.0.1 }\n}',
  );
  assert.equal(c.config.vrrp.instances.C.interface, null);
  assert.equal(c.config.vrrp.instances.C.usable, false);
});

test('an interface missing on the host: warning at the line plus one bad-interface', () => {
  const { diags } = load(`vrrp_instance V {
 interface eth7
 virtual_router_id 5
 virtual_ipaddress { 10.1.1.1/24 }
}`);
  const w = diags.find((d) => d.message.includes('interface eth7 for vrrp_instance V'));
  assert.equal(w?.klass, 'warning');
  assert.equal(w?.pos?.line, 2);
  const bad = diags.filter((d) => d.klass === 'bad-interface');
  assert.equal(bad.length, 1);
  assert.equal(exitCode(diags), 5);
  const unknownHost = load(
    'vrrp_instance V {\n interface eth7\n virtual_router_id 5\n virtual_ipaddress { 10.1.1.1 }\n}',
    {
      interfaces: null,
      hostname: 'h',
    },
  );
  assert.equal(exitCode(unknownHost.diags), 0);
  assert.equal(unknownHost.config.vrrp.instances.V.interface, 'eth7');
});

test('v3 instance without VIPs is unusable; v2 only warns', () => {
  const v3 = load('vrrp_instance V {\n interface eth0\n version 3\n virtual_router_id 5\n}');
  assert.equal(v3.config.vrrp.instances.V.usable, false);
  const v2 = load('vrrp_instance V {\n interface eth0\n virtual_router_id 5\n}');
  assert.equal(v2.config.vrrp.instances.V.usable, true);
  assert.ok(v2.msgs.includes('(V) No VIP specified; at least one is sensible'));
});

test('unicast peers, notify scripts with user, use_vmac', () => {
  const { config, diags } = load(`global_defs { enable_script_security }
${BASIC} unicast_src_ip 10.0.0.1
 unicast_peer {
  10.0.0.2
  10.0.0.3 min_ttl 5 max_ttl 200
 }
 notify_master "/etc/k/master.sh up" nobody nogroup
 notify /etc/k/all.sh
 use_vmac vrrp51
 garp_master_repeat 3
 preempt_delay 2.5
}`);
  // As keepalived -t: unicast with a VMAC forces vmac_xmit_base, with a warning (exit 5).
  assert.deepEqual(
    diags.map((d) => d.message),
    ['(VI_1) unicast with use_vmac requires vmac_xmit_base - setting'],
  );
  assert.equal(exitCode(diags), 5);
  const v = config.vrrp.instances.VI_1;
  assert.equal(v.vmacXmitBase, true);
  assert.deepEqual(v.unicastPeers, [
    { address: '10.0.0.2', minTtl: 0, maxTtl: 255 },
    { address: '10.0.0.3', minTtl: 5, maxTtl: 200 },
  ]);
  assert.equal(v.unicastTtl, 255);
  assert.deepEqual(v.notify.master?.argv, ['/etc/k/master.sh', 'up']);
  assert.equal(v.notify.master?.user, 'nobody');
  assert.equal(v.notify.master?.group, 'nogroup');
  assert.deepEqual(v.notify.any?.argv, ['/etc/k/all.sh']);
  assert.deepEqual(v.useVmac, { ifname: 'vrrp51', mac: null });
  assert.equal(v.garpMasterRepeat, 3);
  assert.equal(v.preemptDelay, 2.5);
});

test('vmac_xmit_base: kept with use_vmac, cleared without it or in strict mode', () => {
  const inst = (extra: string): string =>
    `vrrp_instance V {\n interface eth0\n virtual_router_id 1\n${extra}\n virtual_ipaddress {\n  fe80::1\n }\n}`;
  const kept = load(inst(' use_vmac\n vmac_xmit_base'));
  assert.equal(kept.config.vrrp.instances.V.vmacXmitBase, true);
  assert.equal(exitCode(kept.diags), 0, kept.msgs.join('\n'));
  const alone = load(inst(' vmac_xmit_base'));
  assert.equal(alone.config.vrrp.instances.V.vmacXmitBase, false);
  assert.ok(alone.msgs.includes('(V) vmac_xmit_base is only valid with a vmac'));
  assert.equal(exitCode(alone.diags), 5);
  const strict = load(inst(' use_vmac\n vmac_xmit_base\n strict_mode'));
  assert.equal(strict.config.vrrp.instances.V.vmacXmitBase, false);
  assert.ok(strict.msgs.includes('(V) xmit_base is incompatible with strict mode - resetting'));
});

test('use_vmac MAC: five octets take the VRID; refused MACs and repeats as keepalived says', () => {
  const inst = (extra: string): string =>
    `vrrp_instance V {\n interface eth0\n virtual_router_id 71\n${extra}\n virtual_ipaddress {\n  10.0.0.1\n }\n}`;
  const five = load(inst(' use_vmac 2:0:5e:10:20: vm71'));
  assert.deepEqual(five.config.vrrp.instances.V.useVmac, {
    ifname: 'vm71',
    mac: '02:00:5e:10:20:47',
  });
  assert.equal(exitCode(five.diags), 0, five.msgs.join('\n'));
  // After six octets keepalived ignores the rest.
  const six = load(inst(' use_vmac 02:00:5e:10:20:30:77'));
  assert.equal(six.config.vrrp.instances.V.useVmac?.mac, '02:00:5e:10:20:30');
  const refused = load(
    inst(
      ' use_vmac 00:00:5e:00:01:47\n use_vmac 03:00:00:00:00:01 a1\n use_vmac 02:00:00:00:00:01 a2\n' +
        ' use_vmac 02:00:00:00:00:02\n use_vmac 0g:00:00:00:00:01\n use_vmac 02:00:00:00',
    ),
  );
  assert.deepEqual(refused.msgs, [
    'VMAC MAC address not allowed to be RFC5798 address (00:00:5e:00:01:47) - ignoring',
    'VMAC MAC address is multicast 03:00:00:00:00:01 - ignoring',
    'VMAC interface name already specified',
    'VMAC interface address already specified',
    'VMAC interface address already specified',
    'VMAC interface address already specified',
  ]);
  assert.deepEqual(refused.config.vrrp.instances.V.useVmac, {
    ifname: 'a1',
    mac: '02:00:00:00:00:01',
  });
  const bad = load(inst(' use_vmac 0g:00:00:00:00:01\n use_vmac 02:00:00:00'));
  assert.deepEqual(bad.msgs, [
    'VMAC invalid MAC address 0g:00:00:00:00:01',
    'VMAC invalid MAC address 02:00:00:00 - ignored',
  ]);
  assert.equal(bad.config.vrrp.instances.V.useVmac?.mac, null);
  assert.equal(exitCode(bad.diags), 5);
});

test('a VIP with use_vmac and no dev is kept (keepalived compiled that check out)', () => {
  const { config, diags, msgs } = load(
    'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n virtual_ipaddress {\n  10.0.0.1/24 use_vmac\n }\n}',
  );
  assert.equal(exitCode(diags), 0, msgs.join('\n'));
  assert.equal(config.vrrp.instances.V.virtualIpaddress[0].useVmac, true);
  assert.equal(config.vrrp.instances.V.virtualIpaddress[0].dev, null);
});

test('scripts without enable_script_security are a security violation (exit 6)', () => {
  const { diags } = load(`${BASIC} notify_master /bin/true\n}`);
  const sec = diags.find((d) => d.klass === 'security');
  assert.ok(sec);
  assert.equal(sec.pos?.line, 7);
  assert.equal(exitCode(diags), 6);
});

test('v3_checksum_as_v2 (keepalived 2.2.8) is a boolean on the instance, off by default', () => {
  const on = load(
    'vrrp_instance V {\n interface eth0\n virtual_router_id 1\n version 3\n v3_checksum_as_v2\n}',
  );
  assert.equal(on.config.vrrp.instances.V.v3ChecksumAsV2, true);
  const off = load('vrrp_instance V {\n interface eth0\n virtual_router_id 1\n}');
  assert.equal(off.config.vrrp.instances.V.v3ChecksumAsV2, false);
  assert.deepEqual(
    on.msgs.filter((m) => /v3_checksum/.test(m)),
    [],
  );
});

test('first IPv6 VIP not link-local: noted for multicast only; strict mode warns but runs', () => {
  const inst = (extra: string): string =>
    `vrrp_instance V {\n interface eth0\n virtual_router_id 1\n${extra}\n virtual_ipaddress {\n  2001:db8::1/64\n }\n}`;
  const msg = '(V) the first IPv6 VIP address should be link local';
  assert.ok(load(inst('')).msgs.includes(msg));
  const uc = load(inst(' unicast_src_ip 2001:db8::2\n unicast_peer {\n  2001:db8::3\n }'));
  assert.ok(!uc.msgs.some((m) => m.includes('link local')), uc.msgs.join('\n'));
  const strict = load(inst(' strict_mode'));
  assert.ok(strict.msgs.includes('(V) the first IPv6 VIP address must be link local'));
  assert.equal(strict.config.vrrp.instances.V.usable, true);
  assert.equal(exitCode(strict.diags), 5);
});
