// track_gateway inside vrrp_instance and vrrp_sync_group: parsed with the other track_* blocks,
// checked against the gateway_track blocks of the whole file (a gateway may follow the instance).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BASIC, load } from './helpers.js';

const GW = 'gateway_track UP1 {\n address 192.0.2.1\n weight -30\n}\n';

test('track_gateway resolves against a gateway_track defined after the instance', () => {
  const { config, msgs } = load(`${BASIC} track_gateway {\n  UP1 weight -10\n  UP1\n }\n}\n${GW}`);
  const refs = config.vrrp.instances.VI_1.track.gateways;
  assert.deepEqual(
    refs.map((r) => [r.name, r.weight]),
    [['UP1', -10]],
  );
  assert.ok(msgs.includes('duplicate track_gateway UP1 - ignoring'), msgs.join('\n'));
});

test('track_gateway without weight keeps null (the gateway decides)', () => {
  const { config } = load(`${GW}${BASIC} track_gateway {\n  UP1\n }\n}`);
  assert.deepEqual(
    config.vrrp.instances.VI_1.track.gateways.map((r) => r.weight),
    [null],
  );
});

test('an unknown gateway is reported and dropped, in instances and sync groups', () => {
  const { config, msgs } = load(`${GW}${BASIC}}
vrrp_instance VI_2 {
  interface eth0
  virtual_router_id 52
  virtual_ipaddress {
    10.0.0.11/24
  }
}
vrrp_sync_group G1 {
  group {
    VI_1
    VI_2
  }
  track_gateway {
    UP1 weight 0
    NOPE
  }
}`);
  assert.ok(msgs.includes("track_gateway NOPE in G1 doesn't exist - ignoring"), msgs.join('\n'));
  assert.deepEqual(
    config.vrrp.syncGroups.G1.track.gateways.map((r) => [r.name, r.weight]),
    [['UP1', 0]],
  );
  assert.deepEqual(config.vrrp.instances.VI_2.track.gateways, []);
});
