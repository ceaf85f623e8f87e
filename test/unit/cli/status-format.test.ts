import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatStatus, formatVrrp } from '../../../src/cli/status-format.js';

const inst = (name: string, state: string, eff: number, base: number, faults: string[] = []) => ({
  name,
  interface: 'eth0',
  vrid: 51,
  version: 3,
  state,
  basePriority: base,
  effectivePriority: eff,
  masterAddress: '192.0.2.1',
  advertInt: 0.2,
  faults,
  counters: { advertsIn: 12, advertsOut: 3 },
});

const status = {
  version: '0.1.0',
  pid: 42,
  uptimeSeconds: 7,
  configFile: '/etc/keepalived/keepalived.conf',
  reloads: 1,
  lastReload: { at: '2026-11-23T16:00:00.000Z', outcome: 'rejected', reason: 'syntax' },
  subsystems: {
    vrrp: {
      instances: [inst('VI_1', 'MASTER', 150, 150), inst('VI_2', 'FAULT', 90, 100, ['eth1 down'])],
    },
  },
};

test('status summarises subsystems by state', () => {
  const out = formatStatus(status);
  assert.ok(out.startsWith('stayalive v0.1.0  pid 42  up 7 s\n'));
  assert.match(out, /^last reload: rejected at 2026-11-23T16:00:00\.000Z \(syntax\)$/m);
  assert.match(out, /^ {2}vrrp: 2 instance\(s\) \(1 MASTER, 1 FAULT\)$/m);
});

test('vrrp table: one aligned line per instance, effective/base priority when they differ', () => {
  assert.equal(
    formatVrrp(status),
    [
      'INSTANCE  STATE   PRIO    VRID  IF    VER  ADV   MASTER     IN/OUT  FAULTS',
      'VI_1      MASTER  150     51    eth0  v3   0.2s  192.0.2.1  12/3    -',
      'VI_2      FAULT   90/100  51    eth0  v3   0.2s  192.0.2.1  12/3    eth1 down',
      '',
    ].join('\n'),
  );
  assert.equal(formatVrrp({ subsystems: {} }), 'no VRRP instances running\n');
});
