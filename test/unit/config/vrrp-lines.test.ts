import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASIC, exitCode, load } from './helpers.js';

test('VIP line options', () => {
  const { config, diags } = load(
    `${BASIC.replace(
      '    10.0.0.10/24\n',
      `    10.0.0.10/24 brd + dev eth1 scope link label eth1:v no_track
    10.0.0.11/30 broadcast - preferred_lft forever dev eth0 use_vmac
    10.0.0.12 peer 10.0.0.99
`,
    )}}`,
  );
  assert.equal(exitCode(diags), 0, diags.map((d) => d.message).join('\n'));
  const [a, b, c] = config.vrrp.instances.VI_1.virtualIpaddress;
  assert.equal(a.broadcast, '10.0.0.255');
  assert.equal(a.dev, 'eth1');
  assert.equal(a.scope, 'link');
  assert.equal(a.label, 'eth1:v');
  assert.equal(a.noTrack, true);
  assert.equal(b.broadcast, '10.0.0.8');
  assert.equal(b.preferredLft, 0xffffffff);
  assert.equal(b.useVmac, true);
  assert.equal(c.peer, '10.0.0.99');
  assert.equal(c.prefixLength, 32);
});

test('bad VIPs: invalid address dropped, unknown option ignored, family mismatch dropped', () => {
  const { config, diags } = load(`vrrp_instance V {
 interface eth0
 virtual_router_id 5
 virtual_ipaddress {
  10.1.1.300/24
  10.1.1.2/24 foo
  fe80::1
 }
}`);
  const vips = config.vrrp.instances.V.virtualIpaddress;
  assert.deepEqual(
    vips.map((x) => x.address),
    ['10.1.1.2'],
  );
  assert.ok(
    diags.some(
      (d) =>
        d.message === 'VRRP parsed invalid IP 10.1.1.300/24. skipping IP...' && d.pos?.line === 5,
    ),
  );
  assert.ok(
    diags.some(
      (d) =>
        d.message === "Unknown configuration entry 'foo' for ip address - ignoring" &&
        d.pos?.line === 6,
    ),
  );
  assert.ok(
    diags.some(
      (d) => d.message === '(V): address family must match VRRP instance [fe80::1] - ignoring',
    ),
  );
});

test('virtual_ipaddress_excluded may mix families', () => {
  const { config, diags } = load(
    `${BASIC} virtual_ipaddress_excluded {\n  fe80::5/64\n  10.9.9.9\n }\n}`,
  );
  assert.equal(exitCode(diags), 0);
  assert.deepEqual(
    config.vrrp.instances.VI_1.virtualIpaddressExcluded.map((x) => x.family),
    [6, 4],
  );
});

test('static_ipaddress takes the default interface and track_group', () => {
  const { config, diags } = load(`track_group TG { group { VI_1 } }
static_ipaddress {
 192.168.5.5/24
 192.168.6.6/24 dev eth1 track_group TG
}`);
  assert.equal(exitCode(diags), 0, diags.map((d) => d.message).join('\n'));
  const [a, b] = config.vrrp.staticIpaddress;
  assert.equal(a.dev, 'eth0');
  assert.equal(b.trackGroup, 'TG');
  assert.deepEqual(config.vrrp.trackGroups.TG.members, ['VI_1']);
});

test('static address with no usable default interface is fatal (exit 4)', () => {
  const { diags } = load('global_defs { default_interface eth9 }\nstatic_ipaddress { 1.2.3.4/24 }');
  assert.equal(diags.at(-1)?.klass, 'fatal');
  assert.equal(exitCode(diags), 4);
});

test('route lines', () => {
  const { config, diags } = load(`static_routes {
 10.2.0.0/16 via 10.0.0.254 dev eth0 metric 5 table 100
 default via 10.0.0.1
 blackhole 10.66.0.0/16
 src 10.0.0.1 192.168.0.0/24 dev eth1 mtu 1400 onlink
 inet6 2001:db8::/32 via fe80::1 dev eth0
}`);
  assert.equal(exitCode(diags), 0, diags.map((d) => d.message).join('\n'));
  const [a, b, c, d, e] = config.vrrp.staticRoutes;
  assert.deepEqual(
    [a.to, a.via, a.dev, a.metric, a.table],
    ['10.2.0.0/16', '10.0.0.254', 'eth0', 5, '100'],
  );
  assert.deepEqual([b.to, b.via, b.family], ['default', '10.0.0.1', 4]);
  assert.deepEqual([c.type, c.to], ['blackhole', '10.66.0.0/16']);
  assert.deepEqual([d.src, d.options.mtu, 'onlink' in d.options], ['10.0.0.1', '1400', true]);
  assert.equal(e.family, 6);
});

test('route family mismatch and missing values are rejected', () => {
  const { config, msgs } = load('static_routes {\n 10.0.0.0/8 via fe80::1\n 10.1.0.0/16 via\n}');
  assert.equal(config.vrrp.staticRoutes.length, 0);
  assert.equal(msgs.length, 2);
});

test('rule lines and automatic preferences counting down per family', () => {
  const { config, diags } = load(`static_rules {
 from 10.0.0.0/8 table 10
 from 10.1.0.0/16 lookup 11
 to 10.2.0.0/16 table 12 priority 100
 inet6 from 2001:db8::/32 table 13
}`);
  const r = config.vrrp.staticRules;
  assert.deepEqual(
    r.map((x) => x.priority),
    [16384, 16383, 100, 16384],
  );
  assert.deepEqual(
    r.map((x) => x.table),
    ['10', '11', '12', '13'],
  );
  assert.equal(r[3].family, 6);
  const w = diags.filter((d) => d.message.startsWith('Rule has no preference specified'));
  assert.deepEqual(
    w.map((d) => d.pos?.line),
    [2, 3, 5],
  );
});

test('linkbeat and up/down delays on unknown interfaces are fatal (exit 4)', () => {
  const a = load('linkbeat_interfaces {\n eth5\n eth0 MII\n}');
  assert.equal(exitCode(a.diags), 4);
  assert.deepEqual(
    a.config.vrrp.linkbeatInterfaces.map((l) => [l.name, l.type]),
    [['eth0', 'MII']],
  );
  const b = load('interface_up_down_delays {\n eth0 2.5 1\n eth5 2\n}');
  assert.equal(exitCode(b.diags), 4);
  assert.deepEqual(
    b.config.vrrp.interfaceUpDownDelays.map((d) => [d.downDelay, d.upDelay]),
    [[2.5, 1]],
  );
});

test('garp_group needs a delay', () => {
  const a = load('garp_group {\n garp_interval 0.002\n interfaces {\n  eth0\n  eth1\n }\n}');
  assert.equal(exitCode(a.diags), 0);
  assert.deepEqual(a.config.vrrp.garpGroups[0].interfaces, ['eth0', 'eth1']);
  const b = load('garp_group { interface eth0 }');
  assert.ok(b.msgs.includes('garp group 0 does not have any delay set - removing'));
});
