import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  clampPriority,
  compareAddresses,
  effectivePriority,
  trackerContribution,
} from '../../../src/vrrp/priority.js';

test('positive weight adds while up, negative subtracts while down', () => {
  assert.equal(trackerContribution({ weight: 10, reverse: false, ok: true }), 10);
  assert.equal(trackerContribution({ weight: 10, reverse: false, ok: false }), 0);
  assert.equal(trackerContribution({ weight: -20, reverse: false, ok: false }), -20);
  assert.equal(trackerContribution({ weight: -20, reverse: false, ok: true }), 0);
});

test('reverse flips the contribution', () => {
  assert.equal(trackerContribution({ weight: 10, reverse: true, ok: true }), -10);
  assert.equal(trackerContribution({ weight: -20, reverse: true, ok: false }), 20);
});

test('effective = base + Σ contributions, clamped to [1, 254]', () => {
  const up = { weight: 100, reverse: false, ok: true };
  assert.deepEqual(effectivePriority(100, [up]), { priority: 200, fault: false });
  assert.deepEqual(effectivePriority(200, [up]), { priority: 254, fault: false });
  const down = { weight: -200, reverse: false, ok: false };
  assert.deepEqual(effectivePriority(100, [down]), { priority: 1, fault: false });
});

test('owner 255 never changes; weight 0 failing means FAULT', () => {
  assert.deepEqual(effectivePriority(255, [{ weight: -50, reverse: false, ok: false }]), {
    priority: 255,
    fault: false,
  });
  assert.equal(effectivePriority(100, [{ weight: 0, reverse: false, ok: false }]).fault, true);
  assert.equal(effectivePriority(100, [{ weight: 0, reverse: true, ok: true }]).fault, true);
  assert.equal(effectivePriority(100, [{ weight: 0, reverse: false, ok: true }]).fault, false);
  assert.equal(clampPriority(100, 255), 254);
});

test('track_file values multiply the weight; weight 0 faults on non-zero', () => {
  assert.equal(effectivePriority(100, [], [{ weight: 2, value: 10 }]).priority, 120);
  assert.equal(effectivePriority(100, [], [{ weight: 0, value: 3 }]).fault, true);
});

test('addresses compare as unsigned network-order numbers', () => {
  assert.equal(compareAddresses('10.0.0.10', '10.0.0.9'), 1);
  assert.equal(compareAddresses('9.255.255.255', '10.0.0.0'), -1);
  assert.equal(compareAddresses('192.168.1.1', '192.168.1.1'), 0);
  assert.equal(compareAddresses('fe80::1:0', 'fe80::ffff'), 1);
  assert.equal(compareAddresses('2001:db8::1', '2001:db8:0:0:0:0:0:1'), 0);
  assert.equal(compareAddresses('::ffff:10.0.0.1', '::ffff:9.0.0.1'), 1);
  assert.equal(compareAddresses('10.0.0.1', 'fe80::1'), 0, 'families differ → equal');
});
