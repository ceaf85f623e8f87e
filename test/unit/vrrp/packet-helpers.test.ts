// The codec's helpers: RFC 1071 sums (protocols.md's worked examples) and address text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checksum,
  finish,
  ipv4PseudoSum,
  ipv6PseudoSum,
  sum16,
} from '../../../src/vrrp/checksum.js';
import {
  canonicalIp,
  formatIpv6,
  parseIpv4,
  parseIpv6,
  parseMac,
} from '../../../src/vrrp/ip-addr.js';
import { multicastMac, virtualMac } from '../../../src/vrrp/frame.js';

const bytes = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h.replace(/\s/g, ''), 'hex'));

test('v2 checksum worked example (protocols.md §2.1): 0x1819', () => {
  const msg = bytes('2133 9601 0101 0000 c0000264 7365637265743100');
  assert.equal(checksum(msg), 0x1819);
});

test('v3 IPv4 pseudo-header worked example (protocols.md §2.2): 0xd370, message only 0x7601', () => {
  const msg = bytes('3134 9601 0064 0000 c0000264');
  const ph = ipv4PseudoSum(bytes('c0000201'), bytes('e0000012'), 112, 12);
  assert.equal(finish(sum16(msg, 0, msg.length, ph)), 0xd370);
  assert.equal(checksum(msg), 0x7601);
});

test('v3 IPv6 pseudo-header worked example (protocols.md §2.3): 0x0c8b', () => {
  const msg = bytes('3135 9601 0064 0000 20010db8000200000000000000000100');
  const src = parseIpv6('fe80::ff:fe00:1');
  const dst = parseIpv6('ff02::12');
  assert.ok(src && dst);
  assert.equal(finish(sum16(msg, 0, msg.length, ipv6PseudoSum(src, dst, 112, 24))), 0x0c8b);
});

test('odd lengths pad with a zero byte; long inputs fold', () => {
  assert.equal(checksum(Uint8Array.of(0x01)), ~0x0100 & 0xffff);
  assert.equal(checksum(new Uint8Array(100000).fill(0xff)), 0);
});

test('IPv4 parsing is strict', () => {
  assert.deepEqual(parseIpv4('192.0.2.1'), Uint8Array.of(192, 0, 2, 1));
  for (const bad of ['1.2.3', '1.2.3.256', '1.2.3.4.5', 'a.b.c.d', '', '1..2.3']) {
    assert.equal(parseIpv4(bad), null, bad);
  }
});

test('IPv6 text: RFC 5952 canonical form, embedded IPv4, zones', () => {
  assert.equal(canonicalIp('2001:DB8:2:0:0:0:0:100', 6), '2001:db8:2::100');
  assert.equal(canonicalIp('fe80::ff:fe00:1%eth0', 6), 'fe80::ff:fe00:1');
  assert.equal(canonicalIp('::ffff:192.0.2.1', 6), '::ffff:c000:201');
  assert.equal(canonicalIp('::', 6), '::');
  assert.equal(canonicalIp('1:0:0:1:0:0:0:1', 6), '1:0:0:1::1'); // the longest run wins
  assert.equal(canonicalIp('1:0:0:1:1:0:0:1', 6), '1::1:1:0:0:1'); // first of equal runs
  assert.equal(canonicalIp('1:2:3:4:5:6:0:8', 6), '1:2:3:4:5:6:0:8'); // a single 0 stays
  for (const bad of ['1:2:3', ':::', '1::2::3', '12345::', 'g::1', '1:2:3:4:5:6:7:8:9']) {
    assert.equal(parseIpv6(bad), null, bad);
  }
  assert.equal(formatIpv6(new Uint8Array(16)), '::');
});

test('MAC helpers: parse, virtual MACs, multicast MACs', () => {
  assert.deepEqual(parseMac('02-00-00-00-00-0A'), Uint8Array.of(2, 0, 0, 0, 0, 10));
  assert.equal(parseMac('02:00:00:00:00'), null);
  assert.equal(virtualMac(1, 4), '00:00:5e:00:01:01');
  assert.equal(virtualMac(255, 6), '00:00:5e:00:02:ff');
  assert.deepEqual(multicastMac(Uint8Array.of(224, 0, 0, 18), 4), bytes('01005e000012'));
  const v6 = parseIpv6('ff02::12');
  assert.ok(v6);
  assert.deepEqual(multicastMac(v6, 6), bytes('333300000012'));
});
