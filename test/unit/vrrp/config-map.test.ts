import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  advertAddresses,
  advertEncoder,
  advertTemplate,
  instanceFingerprint,
  rxBufShare,
  intervalCs,
  toExpectations,
  toMachineConfig,
  unsupportedReason,
} from '../../../src/vrrp/config-map.js';
import { evaluateTracking, type TrackView } from '../../../src/vrrp/track-eval.js';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { Config } from '../../../src/config/model.js';
import { parseConfig } from '../../../src/config/parse.js';

/** Config text → model, against a host with eth0 (no file system involved). */
function load(text: string): { config: Config } {
  const diag = new DiagnosticSink();
  const host = { interfaces: new Set(['lo', 'eth0']), hostname: 'node1' };
  return parseConfig(treeFromText(text, 't.conf', diag), 't.conf', host, diag);
}

const inst = (body: string, globals = ''): ReturnType<typeof load> =>
  load(
    `global_defs {\n${globals}\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n${body}\n}\n`,
  );

test('defaults: v2, 1 s → 1 000 000 µs, priority 100, 5 GARPs then 5 more after 5 s', () => {
  const { config } = inst(' virtual_ipaddress {\n 10.0.0.10/24\n }');
  const v = config.vrrp.instances.VI_1;
  const m = toMachineConfig(v, config.global, '10.0.0.1');
  assert.equal(m.name, 'VI_1');
  assert.equal(m.version, 2);
  assert.equal(m.advertInt, 1_000_000);
  assert.equal(m.priority, 100);
  assert.equal(m.wantMaster, false);
  assert.equal(m.primaryAddress, '10.0.0.1');
  assert.equal(m.garpMasterRepeat, 5);
  assert.equal(m.garpMasterDelay, 5_000_000);
  assert.equal(m.accept, true);
});

test('v3 centisecond interval, preempt_delay and garp delays in µs', () => {
  const { config } = inst(
    ' version 3\n advert_int 0.25\n preempt_delay 2.5\n garp_master_delay 1\n garp_master_repeat 2\n virtual_ipaddress {\n 10.0.0.10/24\n }',
  );
  const v = config.vrrp.instances.VI_1;
  const m = toMachineConfig(v, config.global, '10.0.0.1');
  assert.equal(m.version, 3);
  assert.equal(m.advertInt, 250_000);
  assert.equal(intervalCs(v), 25);
  assert.equal(m.preemptDelay, 2_500_000);
  assert.equal(m.garpMasterDelay, 1_000_000);
  assert.equal(m.garpMasterRepeat, 2);
});

test('global vrrp_version 3 applies; vrrp_min_garp gives one GARP and no second burst', () => {
  const { config } = inst(
    ' virtual_ipaddress {\n 10.0.0.10/24\n }',
    ' vrrp_version 3\n vrrp_min_garp',
  );
  const v = config.vrrp.instances.VI_1;
  const m = toMachineConfig(v, config.global, '10.0.0.1');
  assert.equal(m.version, 3);
  assert.equal(m.garpMasterRepeat, 1);
  assert.equal(m.garpMasterDelay, 0);
});

test('state MASTER priority 255 wants master; nopreempt carried', () => {
  const a = inst(' state MASTER\n virtual_ipaddress {\n 10.0.0.10/24\n }').config;
  const ma = toMachineConfig(a.vrrp.instances.VI_1, a.global, '10.0.0.1');
  assert.equal(ma.priority, 255);
  assert.equal(ma.wantMaster, true);
  const b = inst(
    ' state BACKUP\n priority 90\n nopreempt\n virtual_ipaddress {\n 10.0.0.10/24\n }',
  ).config;
  const mb = toMachineConfig(b.vrrp.instances.VI_1, b.global, '10.0.0.1');
  assert.equal(mb.nopreempt, true);
  assert.equal(mb.priority, 90);
});

test('expectations: PASS auth, advertised VIPs of the instance family only, unicast peers', () => {
  const { config } = inst(
    ' authentication {\n auth_type PASS\n auth_pass secret1\n }\n unicast_src_ip 10.0.0.1\n unicast_peer {\n 10.0.0.2 min_ttl 250\n }\n virtual_ipaddress {\n 10.0.0.10/24\n 10.0.0.11/24\n }\n virtual_ipaddress_excluded {\n 10.0.0.12/24\n }',
  );
  const v = config.vrrp.instances.VI_1;
  const e = toExpectations(v, config.global);
  assert.equal(e.authType, 'PASS');
  assert.equal(e.authPass, 'secret1');
  assert.deepEqual(e.addresses, ['10.0.0.10', '10.0.0.11']);
  assert.equal(e.unicastPeers?.[0].address, '10.0.0.2');
  assert.equal(e.unicastPeers?.[0].minTtl, 250);
  assert.equal(e.intervalCs, 100);
  const t = advertTemplate(v);
  assert.equal(t.authType, 1);
  assert.deepEqual(t.addresses, advertAddresses(v));
});

test('v3 ignores auth (the config layer drops it); AH is refused by the runtime', () => {
  const v3 = inst(
    ' version 3\n authentication {\n auth_type PASS\n auth_pass x\n }\n virtual_ipaddress {\n 10.0.0.10/24\n }',
  ).config;
  assert.equal(advertTemplate(v3.vrrp.instances.VI_1).authType, 0);
  const ah = inst(
    ' authentication {\n auth_type AH\n auth_pass x\n }\n virtual_ipaddress {\n 10.0.0.10/24\n }',
  ).config;
  assert.match(unsupportedReason(ah.vrrp.instances.VI_1) ?? '', /AH/);
  const ok = inst(' virtual_ipaddress {\n 10.0.0.10/24\n }').config;
  assert.equal(unsupportedReason(ok.vrrp.instances.VI_1), null);
});

test('fingerprint: same config → same; priority or a tracked script change → different', () => {
  const text = (prio: number, interval: number): string =>
    `global_defs {\n enable_script_security\n script_user root\n}\nvrrp_script chk {\n script "/bin/true"\n interval ${interval}\n}\nvrrp_instance VI_1 {\n interface eth0\n virtual_router_id 51\n priority ${prio}\n track_script {\n chk\n }\n virtual_ipaddress {\n 10.0.0.10/24\n }\n}\nvrrp_instance VI_2 {\n interface eth0\n virtual_router_id 52\n virtual_ipaddress {\n 10.0.0.20/24\n }\n}\n`;
  const a = load(text(100, 1)).config;
  const b = load(text(100, 1)).config;
  const c = load(text(90, 1)).config;
  const d = load(text(100, 2)).config;
  const fp = (cfg: typeof a, n: string): string => instanceFingerprint(cfg.vrrp.instances[n], cfg);
  assert.equal(fp(a, 'VI_1'), fp(b, 'VI_1'));
  assert.notEqual(fp(a, 'VI_1'), fp(c, 'VI_1'));
  assert.notEqual(fp(a, 'VI_1'), fp(d, 'VI_1'));
  assert.equal(fp(a, 'VI_2'), fp(d, 'VI_2'), 'VI_2 does not track chk');
  // Global keywords an instance reads when it starts.
  const withGlobal = (kw: string, t = text(100, 1)) =>
    load(t.replace('script_user root\n', `script_user root\n ${kw}\n`)).config;
  assert.notEqual(fp(a, 'VI_2'), fp(withGlobal('vrrp_garp_interval 0.01'), 'VI_2'));
  // VMAC name prefixes rename VMACs: they restart an instance that has some, not the others.
  const vmac = text(100, 1).replace(
    ' virtual_router_id 52\n',
    ' virtual_router_id 52\n use_vmac\n',
  );
  const v0 = load(vmac).config;
  for (const kw of ['vmac_prefix vr', 'vmac_addr_prefix va']) {
    assert.equal(fp(a, 'VI_2'), fp(withGlobal(kw), 'VI_2'), `${kw}: no VMAC, no restart`);
  }
  assert.notEqual(fp(v0, 'VI_2'), fp(withGlobal('vmac_prefix vr', vmac), 'VI_2'));
  assert.notEqual(fp(v0, 'VI_2'), fp(withGlobal('vmac_addr_prefix va', vmac), 'VI_2'));
});

const view = (
  links: Record<string, boolean>,
  scripts: Record<string, boolean>,
  files: Record<string, number> = {},
): TrackView => ({
  linkUp: (n) => links[n] ?? false,
  scriptOk: (n) => scripts[n],
  fileValue: (n) => files[n],
});

const refs = (
  names: [string, number, boolean?][],
): {
  name: string;
  weight: number;
  reverse: boolean;
  pos: { file: string; line: number; col: number };
}[] =>
  names.map(([name, weight, reverse]) => ({
    name,
    weight,
    reverse: reverse ?? false,
    pos: { file: '', line: 0, col: 0 },
  }));

const noTrack = { interfaces: [], scripts: [], files: [], processes: [], bfds: [], gateways: [] };

test('tracking: negative script weight while failing, positive while up, clamp, own interface fault', () => {
  const own = {
    ...noTrack,
    scripts: refs([
      ['down', -60],
      ['up', 10],
    ]),
  };
  const r = evaluateTracking(
    { basePriority: 150, ownInterface: 'eth0', own, group: null, zeroWeights: false },
    view({ eth0: true }, { down: false, up: true }),
  );
  assert.equal(r.priority, 100);
  assert.deepEqual(r.faults, []);
  const r2 = evaluateTracking(
    { basePriority: 250, ownInterface: 'eth0', own, group: null, zeroWeights: false },
    view({ eth0: false }, { down: true, up: true }),
  );
  assert.equal(r2.priority, 254, 'never above 254');
  assert.deepEqual(r2.faults, ['interface eth0 down']);
});

test('tracking: weight 0 → FAULT, reverse flips, sync-group weights forced to 0', () => {
  const own = { ...noTrack, interfaces: refs([['eth1', 0]]), scripts: refs([['s', 0, true]]) };
  const r = evaluateTracking(
    { basePriority: 100, ownInterface: null, own, group: null, zeroWeights: false },
    view({ eth1: false }, { s: true }),
  );
  assert.deepEqual(r.faults, ['track_interface eth1 down', 'track_script s failed']);
  const grp = { ...noTrack, scripts: refs([['g', -50]]) };
  const r2 = evaluateTracking(
    { basePriority: 100, ownInterface: null, own: noTrack, group: grp, zeroWeights: true },
    view({}, { g: false }),
  );
  assert.equal(r2.priority, 100);
  assert.deepEqual(r2.faults, ['track_script g failed']);
});

test('tracking: track_file value × weight; weight 0 and non-zero value → FAULT', () => {
  const own = {
    ...noTrack,
    files: refs([
      ['f', 5],
      ['z', 0],
    ]),
  };
  const r = evaluateTracking(
    { basePriority: 100, ownInterface: null, own, group: null, zeroWeights: false },
    view({}, {}, { f: -4, z: 0 }),
  );
  assert.equal(r.priority, 80);
  assert.deepEqual(r.faults, []);
  const r2 = evaluateTracking(
    { basePriority: 100, ownInterface: null, own, group: null, zeroWeights: false },
    view({}, {}, { f: 0, z: 1 }),
  );
  assert.deepEqual(r2.faults, ['track_file z value 1']);
});

test('advertEncoder: v2 PASS advert with the priority asked for and the password at the end', () => {
  const { config } = inst(
    ' priority 120\n authentication {\n  auth_type PASS\n  auth_pass secret\n }\n virtual_ipaddress {\n  192.0.2.10\n }',
  );
  const encode = advertEncoder(config.vrrp.instances.VI_1, '192.0.2.1');
  const b = encode(0, '224.0.0.18');
  assert.equal(b[0], 0x21); // version 2, type advertisement
  assert.equal(b[1], 51); // VRID
  assert.equal(b[2], 0); // the priority passed, not the configured 120
  assert.equal(b[3], 1); // one address
  assert.equal(b[4], 1); // auth type PASS
  assert.deepEqual([...b.slice(8, 12)], [192, 0, 2, 10]);
  assert.equal(Buffer.from(b.slice(12, 18)).toString(), 'secret');
  assert.equal(encode(120, '224.0.0.18')[2], 120);
  // Encoded once per (priority, destination): a master's every advert reuses the bytes.
  assert.equal(encode(0, '224.0.0.18'), b);
  assert.notEqual(encode(0, '192.0.2.7'), b);
});

test('rxBufShare: kernel_rx_buf_size, else vrrp_rx_bufs_policy (size, MTU or advert length)', () => {
  const body =
    ' version 2\n authentication {\n auth_type PASS\n auth_pass x\n }\n virtual_ipaddress {\n 10.0.0.10/24\n 10.0.0.11/24\n }';
  const share = (own: string, globals: string, mtu = 1500): number => {
    const c = inst(own + body, globals).config;
    return rxBufShare(c.vrrp.instances.VI_1, c.global, mtu);
  };
  assert.equal(share('', ''), 0, 'no policy: the kernel default');
  assert.equal(share(' kernel_rx_buf_size 70000\n', ' vrrp_rx_bufs_policy MTU'), 70000);
  assert.equal(share('', ' vrrp_rx_bufs_policy 50000'), 50000);
  assert.equal(share('', ' vrrp_rx_bufs_policy MTU'), 3 * 1500);
  assert.equal(share('', ' vrrp_rx_bufs_policy MTU\n vrrp_rx_bufs_multiplier 5'), 5 * 1500);
  // v2 advert with PASS and two IPv4 VIPs: 8 + 2×4 + 8 = 24 bytes, plus the IPv4 header.
  assert.equal(share('', ' vrrp_rx_bufs_policy ADVERT'), 3 * (24 + 20));
});
