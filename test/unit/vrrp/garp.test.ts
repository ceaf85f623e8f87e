// Gratuitous ARP and unsolicited NA builders against keepalived 2.2.7's and FRR's frames.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  NA_FLAG_OVERRIDE,
  NA_FLAG_ROUTER,
  buildGratuitousArp,
  buildUnsolicitedNa,
  icmpv6ChecksumValid,
} from '../../../src/vrrp/garp.js';
import { virtualMac } from '../../../src/vrrp/frame.js';
import { fixture, hex } from '../../fixtures/vrrp/load.js';

test('GARP equals keepalived: request, sender = target = VIP, target MAC broadcast', () => {
  for (const [cap, key, mac] of [
    ['v2-ipv4-multicast', 'arp1-02-100', '02:00:00:00:00:02'],
    ['v2-ipv4-multicast', 'arp1-01-100', '02:00:00:00:00:01'],
    ['v3-ipv4-unicast', 'arp1-01-100', '02:00:00:00:00:01'],
  ] as const) {
    const f = fixture(cap, key).bytes;
    assert.equal(hex(buildGratuitousArp({ vip: '192.0.2.100', mac })), hex(f), `${cap}/${key}`);
  }
});

test('GARP with use_vmac comes from the virtual MAC (keepalived and FRR)', () => {
  const vmac = virtualMac(52, 4);
  assert.equal(vmac, '00:00:5e:00:01:34');
  const built = hex(buildGratuitousArp({ vip: '192.0.2.100', mac: vmac }));
  assert.equal(built, hex(fixture('v3-ipv4-vmac', 'arp1-34-100').bytes));
  assert.equal(built, hex(fixture('v3-frr-keepalived', 'arp1-34-100').bytes));
});

test('GARP fields: 42 bytes, ethertype 0806, op 1, Ethernet broadcast', () => {
  const f = buildGratuitousArp({ vip: '10.1.2.3', mac: '02:aa:bb:cc:dd:ee' });
  assert.equal(f.length, 42);
  assert.equal(hex(f.subarray(0, 6)), 'ffffffffffff');
  assert.equal(hex(f.subarray(12, 14)), '0806');
  assert.equal(f[21], 1);
  assert.equal(hex(f.subarray(28, 32)), '0a010203');
  assert.equal(hex(f.subarray(38, 42)), '0a010203');
  const reply = buildGratuitousArp({ vip: '10.1.2.3', mac: '02:aa:bb:cc:dd:ee', op: 2 });
  assert.equal(reply[21], 2);
});

test('unsolicited NA equals keepalived: from the VIP, O flag only, hop limit 255', () => {
  for (const [key, mac] of [
    ['na-01', '02:00:00:00:00:01'],
    ['na-02', '02:00:00:00:00:02'],
  ] as const) {
    const f = fixture('v3-ipv6-multicast', key).bytes;
    const built = buildUnsolicitedNa({ vip: '2001:db8:2::100', mac });
    assert.equal(hex(built), hex(f), key);
  }
});

test('NA fields: all-nodes destination, type 136, target option, valid checksum', () => {
  const f = buildUnsolicitedNa({ vip: '2001:db8::5', mac: '02:00:00:00:00:07' });
  assert.equal(f.length, 86);
  assert.equal(hex(f.subarray(0, 6)), '333300000001');
  assert.equal(f[14 + 7], 255); // hop limit
  assert.equal(f[14 + 6], 58); // ICMPv6
  const icmp = f.subarray(54);
  assert.equal(icmp[0], 136);
  assert.equal(icmp[4], NA_FLAG_OVERRIDE);
  assert.equal(hex(icmp.subarray(24, 32)), '0201020000000007');
  assert.ok(icmpv6ChecksumValid(icmp, f.subarray(22, 38), f.subarray(38, 54)));
  assert.equal(hex(f.subarray(22, 38)), hex(icmp.subarray(8, 24))); // source = target = VIP
});

test('NA with forwarding on sets R, and the checksum follows', () => {
  const plain = buildUnsolicitedNa({ vip: '2001:db8:2::100', mac: '02:00:00:00:00:01' });
  const router = buildUnsolicitedNa({
    vip: '2001:db8:2::100',
    mac: '02:00:00:00:00:01',
    router: true,
  });
  assert.equal(router[54 + 4], NA_FLAG_ROUTER | NA_FLAG_OVERRIDE);
  assert.notEqual(hex(router.subarray(56, 58)), hex(plain.subarray(56, 58)));
  assert.ok(
    icmpv6ChecksumValid(router.subarray(54), router.subarray(22, 38), router.subarray(38, 54)),
  );
  const broken = router.slice(54);
  broken[10] ^= 1;
  assert.equal(
    icmpv6ChecksumValid(broken, router.subarray(22, 38), router.subarray(38, 54)),
    false,
  );
});

test('builders reject malformed addresses with RangeError', () => {
  assert.throws(
    () => buildGratuitousArp({ vip: '2001:db8::1', mac: '02:00:00:00:00:01' }),
    RangeError,
  );
  assert.throws(() => buildUnsolicitedNa({ vip: '2001:db8::1', mac: 'nope' }), RangeError);
});
