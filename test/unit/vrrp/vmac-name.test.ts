// VMAC names as keepalived picks them: prefix.VRID, then numbered alternatives per family, and
// a prefix shortened to fit an interface name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { vmacName } from '../../../src/vrrp/vmac-name.js';

const takenOf =
  (names: string[]) =>
  (n: string): boolean =>
    names.includes(n);

test('the first free name: prefix.VRID', () => {
  assert.equal(vmacName('vrrp', 51, 4, takenOf([])), 'vrrp.51');
  assert.equal(vmacName('vrrp', 51, 6, takenOf(['vrrp.52'])), 'vrrp.51');
});

test('taken: IPv4 counts 1, 2, 3…; IPv6 tries 6 first, then 1…5, then 7…', () => {
  assert.equal(vmacName('vrrp', 58, 4, takenOf(['vrrp.58'])), 'vrrp1.58');
  assert.equal(vmacName('vrrp', 58, 4, takenOf(['vrrp.58', 'vrrp1.58'])), 'vrrp2.58');
  assert.equal(vmacName('vrrp', 58, 6, takenOf(['vrrp.58'])), 'vrrp6.58');
  assert.equal(vmacName('vrrp', 58, 6, takenOf(['vrrp.58', 'vrrp6.58'])), 'vrrp1.58');
  const five = ['vrrp.58', 'vrrp6.58', 'vrrp1.58', 'vrrp2.58', 'vrrp3.58', 'vrrp4.58'];
  assert.equal(vmacName('vrrp', 58, 6, takenOf([...five, 'vrrp5.58'])), 'vrrp7.58');
});

test('a long prefix is shortened so the name fits in 15 characters', () => {
  assert.equal(vmacName('averyverylongprefix', 255, 4, takenOf([])), 'averyverylo.255');
  assert.equal(
    vmacName('averyverylongprefix', 255, 4, takenOf(['averyverylo.255'])),
    'averyveryl1.255',
  );
});
