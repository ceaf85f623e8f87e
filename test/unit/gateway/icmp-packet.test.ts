// ICMP echo codec of the gateway prober: request layout and checksum, reply decode, errors that
// quote our request (IPv4 and IPv6), and totality on arbitrary bytes.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { decodeIcmp, encodeEcho } from '../../../src/gateway/icmp-packet.js';
import { formatIp } from '../../../src/os/rtnl/ip.js';
import { checksum } from '../../../src/vrrp/checksum.js';

const token = Buffer.from('0102030405060708', 'hex');

function ipv4Header(src: number[], dst: number[], proto = 1): Buffer {
  const h = Buffer.alloc(20);
  h[0] = 0x45;
  h[9] = proto;
  Buffer.from(src).copy(h, 12);
  Buffer.from(dst).copy(h, 16);
  return h;
}

test('echo request: type 8, id, seq, token; IPv4 checksum verifies to 0', () => {
  const b = encodeEcho(4, 0x1234, 0xbeef, token);
  assert.equal(b[0], 8);
  assert.equal(b.readUInt16BE(4), 0x1234);
  assert.equal(b.readUInt16BE(6), 0xbeef);
  assert.deepEqual(b.subarray(8, 16), token);
  assert.equal(checksum(b), 0);
  const v6 = encodeEcho(6, 1, 2, token);
  assert.equal(v6[0], 128);
  assert.equal(v6.readUInt16BE(2), 0, 'ICMPv6 checksum left to the kernel');
});

test('reply: IPv4 read with its IP header, IPv6 without', () => {
  const reply4 = encodeEcho(4, 7, 9, token);
  reply4[0] = 0;
  const m4 = decodeIcmp(4, Buffer.concat([ipv4Header([192, 0, 2, 1], [192, 0, 2, 2]), reply4]));
  assert.deepEqual(m4, { kind: 'reply', id: 7, seq: 9, token });
  const reply6 = encodeEcho(6, 7, 9, token);
  reply6[0] = 129;
  assert.deepEqual(decodeIcmp(6, reply6), { kind: 'reply', id: 7, seq: 9, token });
  const req = encodeEcho(6, 7, 9, token);
  assert.equal(decodeIcmp(6, req), null, 'our own request (loopback) is not a reply');
});

test('host unreachable quoting our request: id, seq and the original destination', () => {
  const orig = Buffer.concat([
    ipv4Header([192, 0, 2, 2], [192, 0, 2, 1]),
    encodeEcho(4, 7, 9, token),
  ]);
  const err = Buffer.concat([Buffer.from([3, 1, 0, 0, 0, 0, 0, 0]), orig]);
  const m = decodeIcmp(4, Buffer.concat([ipv4Header([192, 0, 2, 2], [192, 0, 2, 2]), err]));
  assert.deepEqual(m, { kind: 'error', id: 7, seq: 9, type: 3, code: 1, target: '192.0.2.1' });
  const ip6 = Buffer.alloc(40);
  ip6[6] = 58;
  Buffer.from('20010db8000100000000000000000001', 'hex').copy(ip6, 24);
  const err6 = Buffer.concat([
    Buffer.from([1, 3, 0, 0, 0, 0, 0, 0]),
    ip6,
    encodeEcho(6, 7, 9, token),
  ]);
  assert.deepEqual(decodeIcmp(6, err6), {
    kind: 'error',
    id: 7,
    seq: 9,
    type: 1,
    code: 3,
    target: '2001:db8:1::1',
  });
});

test('error targets are RFC 5952 text (longest zero run, lowercase, no single-group ::)', () => {
  const t = (hex: string): string => formatIp(Buffer.from(hex, 'hex'));
  assert.equal(t('00000000000000000000000000000000'), '::');
  assert.equal(t('fe800000000000000000000000000001'), 'fe80::1');
  assert.equal(t('20010db8000000010000000000000001'), '2001:db8:0:1::1');
  assert.equal(t('20010db8000100020003000400050006'), '2001:db8:1:2:3:4:5:6');
});

test('property: any bytes decode to a message or null, never throw', () => {
  fc.assert(
    fc.property(fc.constantFrom<4 | 6>(4, 6), fc.uint8Array({ maxLength: 120 }), (f, bytes) => {
      const m = decodeIcmp(f, Buffer.from(bytes));
      assert.ok(m === null || m.kind === 'reply' || m.kind === 'error');
    }),
  );
});
