// The gateway runtime over fakes (in-memory rtnetlink, switchable prober, virtual clock): routes
// follow rise/fall, metric fallback, ECMP replace/coalesce, re-adoption after a restart with
// zero kernel writes, stale-route cleanup, stop removing exactly what it holds, reload, and the
// static_ipaddress/static_routes/static_rules installer.
import * as assert from 'node:assert/strict';
import { afterEach, beforeEach, test } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import {
  finalizeGateway,
  gatewaySection,
  gatewayTopLevel,
} from '../../../src/config/gateway/index.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { Config } from '../../../src/config/model.js';
import { emptyConfig } from '../../../src/config/parse.js';
import { walkBlock } from '../../../src/config/schema.js';
import { vrrpTopLevel } from '../../../src/config/vrrp/index.js';
import { subscribe } from '../../../src/core/bus.js';
import { GATEWAY_RTPROT } from '../../../src/gateway/kernel-specs.js';
import { GatewayRuntime } from '../../../src/gateway/runtime.js';
import { FakeProber, FakeRtnl, VirtualClock, toInfo } from './fakes.js';
import { VRRP_HOST } from '../config/helpers.js';

const IFS: Record<string, number> = { lo: 1, eth0: 2, eth1: 3 };
const ifindex = (n: string): number => {
  if (!(n in IFS)) throw Object.assign(new Error(`no interface ${n}`), { code: 'ENODEV' });
  return IFS[n];
};

function config(text: string): Config {
  const diag = new DiagnosticSink();
  const c = emptyConfig('t.conf', VRRP_HOST);
  const ctx = { diag, config: c, host: VRRP_HOST };
  walkBlock(
    treeFromText(text, 't.conf', diag),
    { name: 'top', keywords: { ...vrrpTopLevel, ...gatewayTopLevel } },
    c,
    ctx,
  );
  finalizeGateway(c, ctx);
  assert.deepEqual(
    diag.items.filter((d) => d.klass !== 'info').map((d) => d.message),
    [],
  );
  return c;
}

const TWO = `
gateway_track R1 {
  address 192.0.2.1
  interface eth0
  interval 1
  rise 2
  fall 3
  route {
    default metric 10
  }
}
gateway_track R3 {
  address 198.51.100.1
  interface eth1
  interval 1
  rise 2
  fall 3
  route {
    default metric 20
  }
}`;

let logs: string[] = [];
let states: string[] = [];
let offs: (() => void)[] = [];
beforeEach(() => {
  logs = [];
  states = [];
  offs = [
    subscribe('log', (e) => {
      if (e.subsystem === 'gateway') logs.push(e.message);
    }),
    subscribe('gateway:state', (e) =>
      states.push(`${e.gateway} ${e.up ? 'up' : 'down'} ${e.reason.split(':')[0]}`),
    ),
  ];
});
afterEach(() => offs.forEach((f) => f()));

function setup(): { rtnl: FakeRtnl; prober: FakeProber; clock: VirtualClock; rt: GatewayRuntime } {
  const rtnl = new FakeRtnl();
  const prober = new FakeProber();
  const clock = new VirtualClock();
  const rt = new GatewayRuntime({ rtnl, prober, clock, ifindex, stagger: false });
  return { rtnl, prober, clock, rt };
}

const keys = (r: FakeRtnl): string[] =>
  r.routesTable
    .map((x) => `${x.dst}/${x.prefixLength} m${x.metric ?? 0} via ${x.gateway} p${x.protocol}`)
    .sort();

test("routes follow the gateways: rise adds, fall deletes, with the administrator's lines", async () => {
  const { rtnl, prober, clock, rt } = setup();
  prober.up.set('192.0.2.1', true);
  prober.up.set('198.51.100.1', true);
  await rt.start(config(TWO));
  assert.deepEqual(rtnl.routesTable, [], 'nothing before rise successes');
  await clock.advance(1000); // probes at 0 and 1000
  assert.deepEqual(keys(rtnl), [
    '0.0.0.0/0 m10 via 192.0.2.1 p90',
    '0.0.0.0/0 m20 via 198.51.100.1 p90',
  ]);
  assert.deepEqual(logs.sort(), [
    '192.0.2.1 is reachable, default route added',
    '198.51.100.1 is reachable, default route added',
  ]);
  logs = [];
  prober.up.set('192.0.2.1', false);
  await clock.advance(2000); // losses at 2000, 3000: still up (fall 3)
  assert.equal(rtnl.routesTable.length, 2);
  await clock.advance(1000);
  assert.deepEqual(
    keys(rtnl),
    ['0.0.0.0/0 m20 via 198.51.100.1 p90'],
    'metric fallback: R3 keeps its route',
  );
  assert.deepEqual(logs, ['192.0.2.1 is not reachable, default route deleted']);
  assert.ok(states.includes('R1 down 3 failed probe(s)'));
  prober.up.set('192.0.2.1', true);
  await clock.advance(2000);
  assert.equal(rtnl.routesTable.length, 2, 'restored after rise');
  await rt.stop();
  assert.deepEqual(rtnl.routesTable, []);
  assert.ok(prober.closed && rtnl.closed);
});

test('restart with the same config re-adopts the routes: zero kernel writes', async () => {
  const first = setup();
  first.prober.up.set('192.0.2.1', true);
  first.prober.up.set('198.51.100.1', true);
  await first.rt.start(config(TWO));
  await first.clock.advance(1000);
  assert.equal(first.rtnl.routesTable.length, 2);
  // The first process dies without stop (its clock never runs again); a new one starts.
  const rtnl = first.rtnl;
  rtnl.ops = [];
  const prober = new FakeProber();
  prober.up.set('192.0.2.1', true);
  prober.up.set('198.51.100.1', true);
  const clock = new VirtualClock();
  states = [];
  const rt = new GatewayRuntime({ rtnl, prober, clock, ifindex, stagger: false });
  await rt.start(config(TWO));
  await clock.advance(10_000);
  assert.deepEqual(rtnl.ops, []);
  assert.deepEqual(states.sort(), ['R1 up adopted', 'R3 up adopted']);
  // Adopted but really dead: dropped after `fall` losses, like any other.
  prober.up.set('198.51.100.1', false);
  await clock.advance(3000);
  assert.deepEqual(rtnl.ops, ['del 4 0.0.0.0/0 table 254 metric 20']);
  await rt.stop();
});

test('start removes stale marked routes only; stop removes exactly the routes it held', async () => {
  const { rtnl, prober, clock, rt } = setup();
  const foreign = toInfo({
    dst: '203.0.113.0',
    prefixLength: 24,
    gateway: '192.0.2.9',
    protocol: 4,
  });
  const stale = toInfo({
    dst: '198.51.100.0',
    prefixLength: 24,
    gateway: '192.0.2.1',
    protocol: GATEWAY_RTPROT,
  });
  const wrongGw = toInfo({
    dst: '0.0.0.0',
    prefixLength: 0,
    gateway: '192.0.2.77',
    metric: 10,
    protocol: GATEWAY_RTPROT,
  });
  rtnl.routesTable.push(foreign, stale, wrongGw);
  prober.up.set('192.0.2.1', true);
  await rt.start(config(TWO));
  assert.deepEqual(rtnl.ops.sort(), [
    'del 4 0.0.0.0/0 table 254 metric 10',
    'del 4 198.51.100.0/24 table 254 metric 0',
  ]);
  assert.ok(
    logs.some((l) => l.startsWith('removing stale gateway route 198.51.100.0/24 via 192.0.2.1')),
  );
  await clock.advance(1000);
  assert.deepEqual(keys(rtnl), [
    '0.0.0.0/0 m10 via 192.0.2.1 p90',
    '203.0.113.0/24 m0 via 192.0.2.9 p4',
  ]);
  await rt.stop();
  assert.deepEqual(keys(rtnl), ['203.0.113.0/24 m0 via 192.0.2.9 p4']);
});

const ECMP = `
gateway_track R1 {
  address 192.0.2.1
  interface eth0
  rise 1
  fall 1
  route_multipath {
    203.0.113.0/24 table 100 weight 3
  }
}
gateway_track R3 {
  address 198.51.100.1
  interface eth1
  rise 1
  fall 1
  route_multipath {
    203.0.113.0/24 table 100
  }
}`;

test('ECMP: one route over the live next hops, replaced as members come and go', async () => {
  const { rtnl, prober, clock, rt } = setup();
  prober.up.set('192.0.2.1', true);
  prober.up.set('198.51.100.1', true);
  await rt.start(config(ECMP));
  await clock.advance(0);
  const table = (): string =>
    rtnl.routesTable
      .map(
        (r) =>
          `${r.table} ${r.multipath?.map((h) => `${h.gateway}*${h.weight}`).join(',') ?? r.gateway}`,
      )
      .join(';');
  assert.equal(table(), '100 192.0.2.1*3,198.51.100.1*1');
  prober.up.set('192.0.2.1', false);
  await clock.advance(1000);
  assert.equal(table(), '100 198.51.100.1');
  assert.ok(
    logs.includes(
      '192.0.2.1 is not reachable, next hop removed from 203.0.113.0/24 table 100 route',
    ),
  );
  prober.up.set('198.51.100.1', false);
  await clock.advance(1000);
  assert.equal(table(), '', 'deleted when no member is up');
  prober.up.set('192.0.2.1', true);
  prober.up.set('198.51.100.1', true);
  await clock.advance(1000);
  assert.equal(table(), '100 192.0.2.1*3,198.51.100.1*1');
  // Both joined in the same turn: writes never exceed one per member change.
  assert.ok(rtnl.ops.length <= 6, rtnl.ops.join('\n'));
  // Restart: the multipath route is adopted as is.
  const ops = rtnl.ops.length;
  const rt2 = new GatewayRuntime({
    rtnl,
    prober,
    clock: new VirtualClock(),
    ifindex,
    stagger: false,
  });
  await rt2.start(config(ECMP));
  assert.equal(rtnl.ops.length, ops);
  await rt2.stop();
  assert.equal(table(), '');
});

test('reload: an unchanged gateway keeps its route; a changed metric moves it without waiting for rise', async () => {
  const { rtnl, prober, clock, rt } = setup();
  prober.up.set('192.0.2.1', true);
  prober.up.set('198.51.100.1', true);
  await rt.start(config(TWO));
  await clock.advance(1000);
  rtnl.ops = [];
  await rt.reload(config(TWO));
  assert.deepEqual(rtnl.ops, []);
  await rt.reload(config(TWO.replace('default metric 20', 'default metric 25')));
  assert.deepEqual(rtnl.ops, [
    'del 4 0.0.0.0/0 table 254 metric 20',
    'add 4 0.0.0.0/0 table 254 metric 25 198.51.100.1',
  ]);
  await rt.reload(config(TWO.replace(/gateway_track R3[\s\S]*/, '')));
  assert.deepEqual(keys(rtnl), ['0.0.0.0/0 m10 via 192.0.2.1 p90']);
  await clock.advance(5000);
  await rt.stop();
  assert.deepEqual(rtnl.routesTable, []);
});

test('a gateway whose interface is missing is logged and not tracked', async () => {
  const { rtnl, prober, rt } = setup();
  const c = config(TWO);
  gatewaySection(c).gateways.R3.interface = 'eth9';
  await rt.start(c);
  assert.ok(
    logs.some((l) => /gateway_track R3: no interface eth9 - not tracked/.test(l)),
    logs.join('\n'),
  );
  assert.deepEqual(
    (rt.status() as { gateways: { name: string }[] }).gateways.map((g) => g.name),
    ['R1'],
  );
  await rt.stop();
  assert.equal(prober.probes.filter((a) => a === '198.51.100.1').length, 0);
  assert.deepEqual(rtnl.ops, []);
});

test('static_ipaddress / static_routes / static_rules: installed, adopted on EEXIST, removed on stop', async () => {
  const { rtnl, rt } = setup();
  rtnl.addrs.push({ ifindex: 2, address: '192.0.2.50', prefixLength: 24 });
  await rt.start(
    config(`
static_ipaddress {
  192.0.2.40/24 dev eth0
  192.0.2.50/24 dev eth0
}
static_routes {
  203.0.113.0/24 via 192.0.2.254 dev eth0 table 100
}
static_rules {
  from 192.0.2.0/24 table 100 priority 1000
}`),
  );
  assert.deepEqual(rtnl.ops, [
    'add address 192.0.2.40/24',
    'add 4 203.0.113.0/24 table 100 metric 0 192.0.2.254',
    'add rule 1000',
  ]);
  assert.equal(rtnl.routesTable[0].protocol, 18, "keepalived's protocol for static routes");
  rtnl.ops = [];
  await rt.stop();
  assert.deepEqual(rtnl.ops, [
    'del rule 1000',
    'del 4 203.0.113.0/24 table 100 metric 0',
    'del address 192.0.2.40/24',
    'del address 192.0.2.50/24',
  ]);
});
