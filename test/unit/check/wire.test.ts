// The checkers' pure wire code: keepalived's HTTP request text and the response reader,
// status ranges and regex offsets, the DNS query/header codec (with a totality property),
// UDP reply patterns with x wildcards, ICMP echo packets, the tracked-file number.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { decodeHeader, encodeQuery } from '../../../src/check/dns-packet.js';
import { parseTrackValue } from '../../../src/check/file.js';
import {
  compileRegex,
  regexMatches,
  requestText,
  ResponseReader,
  statusAllowed,
} from '../../../src/check/http-wire.js';
import { echoRequest, icmpPayload } from '../../../src/check/ping.js';
import { checksum } from '../../../src/vrrp/checksum.js';
import { compilePattern, replyMismatch } from '../../../src/check/udp.js';

describe('HTTP_GET wire', () => {
  test("keepalived's request: HTTP/1.0, its User-Agent, Host IP:port unless a virtualhost", () => {
    assert.equal(
      requestText('/health', '1.0', null, '192.0.2.11', 80),
      'GET /health HTTP/1.0\r\nUser-Agent: KeepAliveClient\r\nHost: 192.0.2.11:80\r\n\r\n',
    );
    assert.equal(
      requestText('/', '1.1', 'www.example.com', '192.0.2.11', 8080),
      'GET / HTTP/1.1\r\nUser-Agent: KeepAliveClient\r\nConnection: close\r\nHost: www.example.com\r\n\r\n',
    );
    assert.match(
      requestText('/', '1.0C', null, '2001:db8::1', 443),
      /Connection: close\r\nHost: \[2001:db8::1\]:443\r\n/,
    );
  });

  test('the reader splits head and body across chunks', () => {
    const r = new ResponseReader();
    assert.equal(r.push(Buffer.from('HTTP/1.1 503 Service Unav')).length, 0);
    const body = r.push(Buffer.from('ailable\r\nContent-Length: 4\r\n\r\nbusy'));
    assert.equal(r.head?.status, 503);
    assert.equal(r.head?.headers['content-length'], '4');
    assert.equal(body.toString(), 'busy');
    assert.equal(r.push(Buffer.from('more')).toString(), 'more');
  });

  test('a bad status line is an error, not an exception', () => {
    const r = new ResponseReader();
    r.push(Buffer.from('SSH-2.0-OpenSSH\r\n\r\n'));
    assert.equal(r.error, 'bad HTTP status line');
  });

  test('status ranges are inclusive', () => {
    assert.equal(statusAllowed(200, [[200, 299]]), true);
    assert.equal(statusAllowed(299, [[200, 299]]), true);
    assert.equal(statusAllowed(503, [[200, 299]]), false);
    assert.equal(
      statusAllowed(503, [
        [200, 200],
        [500, 503],
      ]),
      true,
    );
  });

  test('regex with options and offsets', () => {
    const re = compileRegex('ready', ['caseless']);
    assert.ok(re instanceof RegExp);
    assert.equal(regexMatches(re, 'status: READY', 0, 0), true);
    assert.equal(regexMatches(re, 'status: READY', 9, 0), false, 'before min offset');
    assert.equal(regexMatches(re, 'status: READY', 0, 5), false, 'starts beyond max offset');
    assert.match(String(compileRegex('(', [])), /^regex does not compile/);
  });
});

describe('DNS_CHECK codec', () => {
  test('query: id, RD, one question, labels, type, class IN', () => {
    const q = encodeQuery(0x1234, 'www.example.org', 'AAAA');
    assert.equal(
      q.toString('hex'),
      '123401000001000000000000' + '03777777076578616d706c65036f726700' + '001c0001',
    );
    assert.equal(encodeQuery(1, '', 'SOA').subarray(12).toString('hex'), '0000060001');
  });

  test('header decode: id, QR, RCODE', () => {
    const h = decodeHeader(Buffer.from('123481820000000000000000', 'hex'));
    assert.deepEqual(h, { id: 0x1234, qr: true, rcode: 2, ancount: 0 });
    assert.deepEqual(decodeHeader(Buffer.alloc(3)), { error: 'short DNS message (3 bytes)' });
  });

  test('any bytes decode to a header or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        const h = decodeHeader(Buffer.from(b));
        assert.ok('error' in h || (h.rcode >= 0 && h.rcode < 16));
      }),
    );
  });
});

describe('UDP_CHECK reply patterns', () => {
  const c = { minReplyLength: 0, maxReplyLength: 255, replyPattern: '4fxx4b' };
  test('x nibbles are wildcards; only min(reply, pattern) bytes are compared', () => {
    assert.deepEqual(compilePattern('a1x2').mask.toString('hex'), 'ff0f');
    assert.equal(replyMismatch(Buffer.from('4f004b', 'hex'), c), null);
    assert.equal(replyMismatch(Buffer.from('4fff4bff', 'hex'), c), null);
    assert.equal(replyMismatch(Buffer.from('4f', 'hex'), c), null, 'shorter reply: its bytes only');
    assert.equal(replyMismatch(Buffer.from('4e004b', 'hex'), c), 'reply data mismatch');
  });
  test('length bounds', () => {
    assert.match(
      String(replyMismatch(Buffer.alloc(3), { ...c, replyPattern: null, minReplyLength: 4 })),
      /length 3/,
    );
    assert.match(
      String(replyMismatch(Buffer.alloc(9), { ...c, replyPattern: null, maxReplyLength: 8 })),
      /length 9/,
    );
  });
});

describe('PING_CHECK packets', () => {
  test('ICMPv4 echo request carries a valid checksum; v6 leaves it to the kernel', () => {
    const token = Buffer.from('0102030405060708', 'hex');
    const p = echoRequest(4, 0xbeef, 7, token);
    assert.equal(p[0], 8);
    assert.equal(checksum(p), 0, 'checksum over the packet verifies');
    assert.equal(p.readUInt16BE(4), 0xbeef);
    assert.equal(p.readUInt16BE(6), 7);
    const p6 = echoRequest(6, 1, 2, token);
    assert.equal(p6[0], 128);
    assert.equal(p6.readUInt16BE(2), 0);
  });
  test('IPv4 reads skip the IP header by its IHL', () => {
    const ip = Buffer.alloc(24 + 8);
    ip[0] = 0x46; // IHL 6 words
    ip[24] = 0;
    assert.equal(icmpPayload(4, ip)?.length, 8);
    assert.equal(icmpPayload(4, Buffer.alloc(10)), null);
  });
});

test('FILE_CHECK reads the leading integer (strtol); anything else is 0', () => {
  assert.equal(parseTrackValue('12\n'), 12);
  assert.equal(parseTrackValue('  -3 apples'), -3);
  assert.equal(parseTrackValue('x'), 0);
  assert.equal(parseTrackValue(''), 0);
});
