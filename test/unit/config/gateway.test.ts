// gateway_track parsing (src/config/gateway): defaults, every keyword, route lines (implied
// next hop, own via, table, metric, src, weight), and the cross-gateway checks. The section is
// walked directly with gatewayTopLevel + finalizeGateway (parse.ts wiring is the lead's).
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import {
  checkTrackGateway,
  emptyGatewaySection,
  finalizeGateway,
  gatewaySection,
  gatewayTopLevel,
  parseTrackGateway,
  type GatewaySection,
} from '../../../src/config/gateway/index.js';
import { treeFromText } from '../../../src/config/lexer.js';
import { emptyConfig } from '../../../src/config/parse.js';
import { walkBlock, type ParseCtx } from '../../../src/config/schema.js';
import { VRRP_HOST } from './helpers.js';

function load(text: string): { sec: GatewaySection; msgs: string[]; ctx: ParseCtx } {
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 't.conf', diag);
  const config = emptyConfig('t.conf', VRRP_HOST);
  const ctx: ParseCtx = { diag, config, host: VRRP_HOST };
  walkBlock(tree, { name: 'top level', keywords: gatewayTopLevel }, config, ctx);
  finalizeGateway(config, ctx);
  return { sec: gatewaySection(config), msgs: diag.items.map((d) => d.message), ctx };
}

test('the brief example: every keyword and three route lines', () => {
  const { sec, msgs } = load(`
gateway_track UPLINK1 {
    address 192.0.2.1
    interface eth1
    method icmp
    interval 0.2
    timeout 0.5
    rise 2
    fall 3
    weight -50
    route {
        default metric 10
        2001:db8:ffff::/48 via 2001:db8:1::1 table 100
        203.0.113.0/24 src 198.51.100.5
    }
}`);
  assert.deepEqual(msgs, []);
  const g = sec.gateways.UPLINK1;
  assert.equal(g.address, '192.0.2.1');
  assert.equal(g.family, 4);
  assert.equal(g.interface, 'eth1');
  assert.deepEqual([g.interval, g.timeout, g.rise, g.fall, g.weight], [0.2, 0.5, 2, 3, -50]);
  const [def, v6, src] = g.routes;
  assert.deepEqual(
    [def.family, def.dst, def.prefixLength, def.via, def.dev, def.table, def.metric, def.text],
    [4, '0.0.0.0', 0, '192.0.2.1', 'eth1', 254, 10, 'default'],
  );
  // An own `via` keeps its family and does not borrow the gateway's interface.
  assert.deepEqual(
    [v6.family, v6.dst, v6.prefixLength, v6.via, v6.dev, v6.table, v6.metric],
    [6, '2001:db8:ffff::', 48, '2001:db8:1::1', null, 100, null],
  );
  assert.deepEqual(
    [src.dst, src.prefixLength, src.via, src.src],
    ['203.0.113.0', 24, '192.0.2.1', '198.51.100.5'],
  );
});

test('defaults: icmp, interval 1, timeout = interval, rise 2, fall 3, weight 0', () => {
  const { sec } = load('gateway_track G { address 2001:db8::1\n interval 3 }');
  const g = sec.gateways.G;
  assert.deepEqual(
    [g.family, g.method, g.interval, g.timeout, g.rise, g.fall, g.weight, g.interface],
    [6, 'icmp', 3, 3, 2, 3, 0, null],
  );
  assert.deepEqual(g.routes, []);
});

test('an IPv6 gateway gives `default` the IPv6 family', () => {
  const { sec } = load(
    'gateway_track G6 {\n address 2001:db8:1::1\n route {\n  default metric 5\n }\n}',
  );
  const r = sec.gateways.G6.routes[0];
  assert.deepEqual([r.family, r.dst, r.prefixLength, r.via], [6, '::', 0, '2001:db8:1::1']);
});

test('method bfd is accepted without a diagnostic (the runtime follows a BFD session)', () => {
  const { sec, msgs } = load('gateway_track B { address 192.0.2.1\n method bfd }');
  assert.equal(sec.gateways.B.method, 'bfd');
  assert.deepEqual(msgs, []);
});

test('bad values keep the default and are reported with their position', () => {
  const diag = new DiagnosticSink();
  const text = 'gateway_track G {\n address 192.0.2.1\n rise 0\n interval abc\n method ping\n}';
  const tree = treeFromText(text, 't.conf', diag);
  const config = emptyConfig('t.conf', VRRP_HOST);
  walkBlock(tree, { name: 'top', keywords: gatewayTopLevel }, config, {
    diag,
    config,
    host: VRRP_HOST,
  });
  const g = gatewaySection(config).gateways.G;
  assert.deepEqual([g.rise, g.interval, g.method], [2, 1, 'icmp']);
  const lines = diag.items.map((d) => `${d.pos?.line}:${d.pos?.col} ${d.message}`);
  assert.deepEqual(lines, [
    "3:7 number '0' outside range [1, 1000]",
    "4:11 invalid number 'abc'",
    "5:9 invalid method 'ping' (expected icmp|bfd)",
  ]);
});

test('objects keepalived-style: no name, duplicate, no address, link-local without interface', () => {
  const { sec, msgs } = load(`
gateway_track { address 192.0.2.1 }
gateway_track A { address 192.0.2.1 }
gateway_track A { address 192.0.2.2 }
gateway_track N { interval 1 }
gateway_track LL { address fe80::1 }
gateway_track LL2 { address fe80::1
 interface eth0 }
`);
  assert.deepEqual(Object.keys(sec.gateways), ['A', 'LL2']);
  assert.equal(sec.gateways.A.address, '192.0.2.1');
  assert.deepEqual(msgs, [
    'gateway_track must have a name - skipping',
    'gateway_track A already defined',
    'gateway_track N has no address - removing',
    'gateway_track LL: link-local fe80::1 needs an interface - removing',
  ]);
});

test('route lines: family mismatch, unknown table and unsupported options are reported', () => {
  const { sec, msgs } = load(`
gateway_track G {
 address 192.0.2.1
 route {
  2001:db8::/32
  203.0.113.0/24 table wan
  198.51.100.0/24 mtu 1400 protocol 4
  blackhole 198.51.100.128/25
 }
}`);
  assert.deepEqual(
    sec.gateways.G.routes.map((r) => r.text),
    ['198.51.100.0/24'],
  );
  assert.deepEqual(msgs, [
    "gateway route '2001:db8::/32': family differs from gateway 192.0.2.1",
    "gateway route '203.0.113.0/24 table wan': unknown table wan",
    "gateway route '198.51.100.0/24 mtu 1400 protocol 4': option mtu not supported for gateway routes - ignoring",
    "gateway route '198.51.100.0/24 mtu 1400 protocol 4': protocol is stayalive's own marker - ignoring 4",
    "gateway route 'blackhole 198.51.100.128/25': type blackhole has no next hop",
  ]);
});

test('route lines before `address` still get the gateway as next hop', () => {
  const { sec } = load('gateway_track G {\n route {\n  default\n }\n address 198.51.100.1\n}');
  assert.equal(sec.gateways.G.routes[0].via, '198.51.100.1');
});

test('metric fallback: same prefix, different metrics in two gateways is fine', () => {
  const { sec, msgs } = load(`
gateway_track R1 { address 192.0.2.1
 route {
  default metric 10
 } }
gateway_track R3 { address 198.51.100.1
 route {
  default metric 20
 } }`);
  assert.deepEqual(msgs, []);
  assert.equal(sec.gateways.R1.routes.length + sec.gateways.R3.routes.length, 2);
});

test('the same plain route in two gateways is dropped from the second, with the hint', () => {
  const { sec, msgs } = load(`
gateway_track R1 { address 192.0.2.1
 route {
  default metric 10
 } }
gateway_track R3 { address 198.51.100.1
 route {
  default metric 10
 } }`);
  assert.equal(sec.gateways.R3.routes.length, 0);
  assert.match(
    msgs[0],
    /route default \(4 0\.0\.0\.0\/0 table 254 metric 10\) is already held by R1 - use different metrics for fallback or route_multipath for ECMP/,
  );
});

test('ECMP: route_multipath lines with the same key form one group; weight; src must agree', () => {
  const { sec, msgs } = load(`
gateway_track R1 { address 192.0.2.1
 route_multipath {
  default table 100 weight 3
 } }
gateway_track R3 { address 198.51.100.1
 route_multipath {
  default table 100
 } }
gateway_track R4 { address 203.0.113.1
 route_multipath {
  default table 100 src 203.0.113.9
 } }
gateway_track R5 { address 192.0.2.1
 route_multipath {
  default table 100
 } }`);
  assert.deepEqual(
    sec.gateways.R1.multipath.map((r) => [r.weight, r.table]),
    [[3, 100]],
  );
  assert.deepEqual(
    sec.gateways.R3.multipath.map((r) => r.weight),
    [1],
  );
  assert.equal(sec.gateways.R4.multipath.length, 0);
  assert.equal(sec.gateways.R5.multipath.length, 0);
  assert.match(
    msgs[0],
    /R4: multipath route default .* has src 203\.0\.113\.9 but R1 has none - skipping/,
  );
  assert.match(
    msgs[1],
    /R5: multipath route default .* has next hop 192\.0\.2\.1 already from R1 - skipping/,
  );
});

test('weight is only for route_multipath; a plain route with weight is reported', () => {
  const { msgs } = load('gateway_track G { address 192.0.2.1\n route {\n  default weight 2\n } }');
  assert.deepEqual(msgs, [
    "gateway route 'default weight 2': option weight not supported for gateway routes - ignoring",
  ]);
});

test('track_gateway { NAME [weight W] } and the reference check', () => {
  const diag = new DiagnosticSink();
  const tree = treeFromText(
    'track_gateway {\n UP1\n UP2 weight -20\n UP3 weight\n UP4 prio 3\n}',
    't.conf',
    diag,
  );
  const config = emptyConfig('t.conf', VRRP_HOST);
  const ctx: ParseCtx = { diag, config, host: VRRP_HOST };
  const refs = parseTrackGateway(tree[0], ctx);
  assert.deepEqual(
    refs.map((r) => [r.name, r.weight]),
    [
      ['UP1', null],
      ['UP2', -20],
    ],
  );
  const sec = emptyGatewaySection();
  sec.gateways.UP2 = {} as never; // only the name is looked up
  const kept = checkTrackGateway(refs, sec, ctx, 'vrrp_instance VI_1');
  assert.deepEqual(
    kept.map((r) => r.name),
    ['UP2'],
  );
  assert.ok(
    diag.items.some(
      (d) => d.message === "track_gateway UP1 in vrrp_instance VI_1 doesn't exist - ignoring",
    ),
  );
  assert.ok(diag.items.some((d) => d.message === "track_gateway UP4: unknown 'prio'"));
});
