// gateway_track `method bfd`: the gateway follows a BFD session watched through the shared
// registry (a fake here), ICMP stays for method icmp, and without a registry bfd gateways fall
// back to ICMP. The state board keeps the last 'gateway:state' for VRRP's track_gateway.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BfdListener, BfdParams, BfdSessions } from '../../../src/bfd/sessions.js';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { finalizeGateway, gatewayTopLevel } from '../../../src/config/gateway/index.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { Config } from '../../../src/config/model.js';
import { emptyConfig } from '../../../src/config/parse.js';
import { walkBlock } from '../../../src/config/schema.js';
import { BfdProber } from '../../../src/gateway/bfd-prober.js';
import { GatewayRuntime } from '../../../src/gateway/runtime.js';
import { gatewayStateOf } from '../../../src/gateway/state-board.js';
import { VRRP_HOST } from '../config/helpers.js';
import { FakeProber, FakeRtnl, VirtualClock } from './fakes.js';

/** The part of BfdSessions the prober uses: watch, with the state switched by the test. */
class FakeRegistry {
  readonly watches: { address: string; params: BfdParams }[] = [];
  private readonly listeners = new Map<string, Set<BfdListener>>();
  watch(address: string, params: BfdParams, l: BfdListener): () => void {
    this.watches.push({ address, params });
    const set = this.listeners.get(address) ?? new Set<BfdListener>();
    set.add(l);
    this.listeners.set(address, set);
    l({ name: params.name ?? address, neighbor: address, state: 'Down', up: false, diag: 0 });
    return () => set.delete(l);
  }
  set(address: string, up: boolean): void {
    for (const l of this.listeners.get(address) ?? [])
      l({ name: address, neighbor: address, state: up ? 'Up' : 'Down', up, diag: 0 });
  }
  watching(address: string): number {
    return this.listeners.get(address)?.size ?? 0;
  }
}
const asRegistry = (f: FakeRegistry): BfdSessions => f as unknown as BfdSessions;

function config(text: string): Config {
  const diag = new DiagnosticSink();
  const c = emptyConfig('t.conf', VRRP_HOST);
  const ctx = { diag, config: c, host: VRRP_HOST };
  walkBlock(treeFromText(text, 't.conf', diag), { name: 'top', keywords: gatewayTopLevel }, c, ctx);
  finalizeGateway(c, ctx);
  return c;
}

const CONF = `
gateway_track B1 {
  address 192.0.2.1
  method bfd
  interval 1
  rise 1
  fall 1
  weight -20
}
gateway_track I1 {
  address 192.0.2.2
  interval 1
  rise 1
  fall 1
}`;

test('BfdProber: Up is ok, watches once, retain releases', async () => {
  const reg = new FakeRegistry();
  const p = new BfdProber(() => asRegistry(reg));
  assert.deepEqual(await p.probe({ address: '192.0.2.1', name: 'G' }, 1000), {
    ok: false,
    reason: 'BFD Down',
  });
  assert.equal(reg.watches[0].params.name, 'gateway_track G');
  reg.set('192.0.2.1', true);
  assert.equal((await p.probe({ address: '192.0.2.1' }, 1000)).ok, true);
  assert.equal(reg.watches.length, 1, 'one watch per address');
  p.retain(new Set());
  assert.equal(reg.watching('192.0.2.1'), 0);
  const none = new BfdProber(() => null);
  assert.equal(none.available(), false);
  assert.equal((await none.probe({ address: '192.0.2.1' }, 1000)).ok, false);
});

test('a method bfd gateway follows the BFD session, an icmp one the pings', async () => {
  const reg = new FakeRegistry();
  const rtnl = new FakeRtnl();
  const prober = new FakeProber();
  const clock = new VirtualClock();
  const rt = new GatewayRuntime({
    rtnl,
    prober,
    clock,
    stagger: false,
    bfd: () => asRegistry(reg),
  });
  prober.up.set('192.0.2.1', true); // ICMP would say up: must not be used for B1
  prober.up.set('192.0.2.2', true);
  await rt.start(config(CONF));
  await clock.advance(1500);
  assert.equal(gatewayStateOf('B1')?.up, false);
  assert.equal(gatewayStateOf('I1')?.up, true);
  assert.ok(!prober.probes.includes('192.0.2.1'));
  reg.set('192.0.2.1', true);
  await clock.advance(1000);
  assert.deepEqual(gatewayStateOf('B1'), {
    gateway: 'B1',
    address: '192.0.2.1',
    up: true,
    reason: gatewayStateOf('B1')?.reason ?? '',
    weight: -20,
  });
  await rt.reload(config(CONF));
  assert.equal(reg.watches.length, 1, 'the session is kept across a reload');
  await rt.stop();
  assert.equal(reg.watching('192.0.2.1'), 0, 'released at stop');
  assert.equal(gatewayStateOf('B1'), undefined);
});

test('without a BFD registry a bfd gateway is probed with icmp', async () => {
  const rtnl = new FakeRtnl();
  const prober = new FakeProber();
  const clock = new VirtualClock();
  const rt = new GatewayRuntime({ rtnl, prober, clock, stagger: false, bfd: () => null });
  prober.up.set('192.0.2.1', true);
  await rt.start(config(CONF));
  await clock.advance(1500);
  assert.ok(prober.probes.includes('192.0.2.1'));
  assert.equal(gatewayStateOf('B1')?.up, true);
  await rt.stop();
});

test('a BFD state change is a sample at once, without waiting for the next interval', async () => {
  const reg = new FakeRegistry();
  const rtnl = new FakeRtnl();
  const clock = new VirtualClock();
  const rt = new GatewayRuntime({
    rtnl,
    prober: new FakeProber(),
    clock,
    stagger: false,
    bfd: () => asRegistry(reg),
  });
  await rt.start(config(CONF.replace('interval 1', 'interval 30')));
  await clock.advance(10); // the first sample (Down) starts the watch
  assert.equal(gatewayStateOf('B1')?.up, false);
  reg.set('192.0.2.1', true);
  await clock.advance(1);
  assert.equal(gatewayStateOf('B1')?.up, true, 'up 1 ms after BFD Up, not 30 s');
  reg.set('192.0.2.1', true); // no change: no extra sample
  reg.set('192.0.2.1', false);
  await clock.advance(1);
  assert.equal(gatewayStateOf('B1')?.up, false, 'down 1 ms after BFD Down');
  await rt.stop();
});
