import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deepEqual, diffConfig } from '../../../src/config/diff.js';
import { emptyGatewaySection } from '../../../src/config/gateway/index.js';
import type { Config } from '../../../src/config/model.js';

/** A config-shaped value; the diff is generic over the sections' collections. */
function cfg(parts: {
  routerId?: string;
  instances?: Record<string, unknown>;
  virtualServers?: unknown[];
}): Config {
  return {
    source: 'x.conf',
    global: { routerId: parts.routerId ?? 'r1' },
    vrrp: { instances: parts.instances ?? {} },
    lvs: { virtualServers: parts.virtualServers ?? [] },
    bfd: { instances: {} },
    gateway: emptyGatewaySection(),
  } as unknown as Config;
}

test('identical models have no changes', () => {
  const a = cfg({ instances: { VI_1: { priority: 100 } } });
  const r = diffConfig(a, structuredClone(a));
  assert.deepEqual(r.changes, []);
});

test('instances are matched by name: added, removed, changed with field names', () => {
  const a = cfg({ instances: { VI_1: { priority: 100, vrid: 1 }, VI_2: { priority: 50 } } });
  const b = cfg({ instances: { VI_1: { priority: 150, vrid: 1 }, VI_3: { priority: 50 } } });
  const r = diffConfig(a, b);
  assert.deepEqual(
    r.changes.map((c) => [c.kind, c.collection, c.key, c.fields]),
    [
      ['changed', 'vrrp.instances', 'VI_1', ['priority']],
      ['removed', 'vrrp.instances', 'VI_2', undefined],
      ['added', 'vrrp.instances', 'VI_3', undefined],
    ],
  );
  assert.equal(r.added + r.removed + r.changed, 3);
});

test('array collections are matched by key, not position', () => {
  const a = cfg({
    virtualServers: [
      { key: 'A', rs: 1 },
      { key: 'B', rs: 2 },
    ],
  });
  const b = cfg({
    virtualServers: [
      { key: 'B', rs: 2 },
      { key: 'A', rs: 1 },
    ],
  });
  assert.deepEqual(diffConfig(a, b).changes, []);
  const c = cfg({
    virtualServers: [
      { key: 'B', rs: 3 },
      { key: 'A', rs: 1 },
    ],
  });
  assert.deepEqual(
    diffConfig(a, c).changes.map((x) => [x.kind, x.key]),
    [['changed', 'B']],
  );
});

test('global settings report the changed fields', () => {
  const r = diffConfig(cfg({ routerId: 'a' }), cfg({ routerId: 'b' }));
  assert.deepEqual(r.changes, [
    { kind: 'changed', collection: 'global', key: '', fields: ['routerId'] },
  ]);
});

test('deepEqual ignores key order and undefined fields', () => {
  assert.ok(deepEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1, d: undefined }));
  assert.ok(!deepEqual({ a: [1, 2] }, { a: [2, 1] }));
});

test('structured keys (virtual servers) identify objects: one real server added is one change', () => {
  const k = { kind: 'address', address: '192.0.2.100', port: 80 };
  const a = cfg({ virtualServers: [{ key: k, realServers: ['rs1'] }] });
  const b = cfg({ virtualServers: [{ key: { ...k }, realServers: ['rs1', 'rs2'] }] });
  assert.deepEqual(
    diffConfig(a, b).changes.map((c) => [c.kind, c.key, c.fields]),
    [['changed', JSON.stringify(k), ['realServers']]],
  );
});
