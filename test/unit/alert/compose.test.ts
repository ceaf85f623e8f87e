// compose.ts: keepalived's subjects and bodies, the header block and dot-stuffing, as golden text.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  alertText,
  checkerBody,
  composeMessage,
  dotStuff,
  rfc5322Date,
} from '../../../src/alert/compose.js';

test('VRRP instance subjects and bodies (vrrp_notify.c wording)', () => {
  assert.deepEqual(alertText('lb1', { kind: 'vrrp-instance', name: 'VI_1', state: 'MASTER' }), {
    subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    body: '=> VRRP Instance is now owning VRRP VIPs <=',
  });
  assert.deepEqual(alertText('lb1', { kind: 'vrrp-instance', name: 'VI_1', state: 'BACKUP' }), {
    subject: '[lb1] VRRP Instance VI_1 - Entering BACKUP state',
    body: '=> VRRP Instance is no longer owning VRRP VIPs <=',
  });
  assert.equal(
    alertText('lb1', { kind: 'vrrp-instance', name: 'VI_1', state: 'FAULT' })?.subject,
    '[lb1] VRRP Instance VI_1 - Entering FAULT state',
  );
  assert.deepEqual(alertText('lb1', { kind: 'vrrp-instance', name: 'VI_1', state: 'STOP' }), {
    subject: '[lb1] VRRP Instance VI_1 - Stopping',
    body: '=> VRRP Instance stopping <=',
  });
});

test('INIT is not mailed', () => {
  assert.equal(alertText('r', { kind: 'vrrp-instance', name: 'VI_1', state: 'INIT' }), null);
  assert.equal(alertText('r', { kind: 'vrrp-group', name: 'G', state: 'INIT' }), null);
});

test('sync group subjects and bodies', () => {
  assert.deepEqual(alertText('r1', { kind: 'vrrp-group', name: 'G1', state: 'MASTER' }), {
    subject: '[r1] VRRP Group G1 - Entering MASTER state',
    body: '=> All VRRP group instances are now in MASTER state <=',
  });
  assert.equal(
    alertText('r1', { kind: 'vrrp-group', name: 'G1', state: 'FAULT' })?.body,
    '=> All VRRP group instances are now in FAULT state <=',
  );
});

test('real server subject and checker bodies', () => {
  const t = alertText('lb1', {
    kind: 'real-server',
    vs: '[203.0.113.100]:tcp:80',
    rs: '[192.0.2.11]:tcp:80',
    up: false,
    checker: 'TCP_CHECK',
    checkerUp: false,
    reason: 'connection refused',
  });
  assert.deepEqual(t, {
    subject: '[lb1] Realserver [192.0.2.11]:tcp:80 of virtual server [203.0.113.100]:tcp:80 - DOWN',
    body: '=> TCP CHECK failed on service <=',
  });
  assert.equal(checkerBody('TCP_CHECK', true, ''), '=> TCP CHECK succeed on service <=');
  assert.equal(
    checkerBody('HTTP_GET', false, 'HTTP status 500'),
    '=> CHECK failed on service : HTTP request failed <=',
  );
  assert.equal(checkerBody('SSL_GET', true, ''), '=> CHECK succeed on service <=');
  assert.equal(
    checkerBody('SMTP_CHECK', false, 'connection refused'),
    '=> CHECK failed on service : connection refused <=',
  );
  assert.equal(checkerBody('DNS_CHECK', false, 'x'), '=> DNS_CHECK: failed on service <=');
  assert.equal(checkerBody('PING_CHECK', true, ''), '=> ICMP CHECK succeed on service <=');
  assert.equal(checkerBody('UDP_CHECK', false, ''), '=> UDP CHECK failed on service <=');
  assert.equal(
    checkerBody('MISC_CHECK', false, 'timeout after 5 s (killed)'),
    '=> MISC CHECK timed out on service <=',
  );
  assert.equal(checkerBody('MISC_CHECK', false, 'exit 1'), '=> MISC CHECK failed on service <=');
  assert.equal(checkerBody(null, true, ''), '=> CHECK succeed on service <=');
});

test('RFC 5322 date in the given zone', () => {
  const d = new Date(Date.UTC(2026, 10, 23, 17, 2, 5));
  assert.equal(rfc5322Date(d, 0), 'Mon, 23 Nov 2026 17:02:05 +0000');
  assert.equal(rfc5322Date(d, 60), 'Mon, 23 Nov 2026 18:02:05 +0100');
  assert.equal(rfc5322Date(d, -330), 'Mon, 23 Nov 2026 11:32:05 -0530');
  assert.equal(
    rfc5322Date(new Date(Date.UTC(2026, 0, 1, 0, 30)), -60),
    'Wed, 31 Dec 2025 23:30:00 -0100',
  );
});

test('message: keepalived header order, X-Mailer stayalive, CRLF', () => {
  const m = composeMessage({
    from: 'keepalived@lb1',
    to: ['ops@example.org', 'noc@example.org'],
    subject: '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    body: '=> VRRP Instance is now owning VRRP VIPs <=',
    date: 'Mon, 23 Nov 2026 17:02:05 +0000',
  });
  assert.equal(
    m,
    'Date: Mon, 23 Nov 2026 17:02:05 +0000\r\n' +
      'From: keepalived@lb1\r\n' +
      'Subject: [lb1] VRRP Instance VI_1 - Entering MASTER state\r\n' +
      'X-Mailer: stayalive\r\n' +
      'To: ops@example.org, noc@example.org\r\n' +
      '\r\n' +
      '=> VRRP Instance is now owning VRRP VIPs <=\r\n',
  );
});

test('no header injection through a subject; bare LF bodies become CRLF', () => {
  const m = composeMessage({
    from: 'a@b',
    to: ['c@d'],
    subject: 'x\r\nBcc: evil@e',
    body: 'one\ntwo',
    date: 'D',
  });
  assert.match(m, /^Subject: x Bcc: evil@e\r$/m);
  assert.doesNotMatch(m, /^Bcc:/m);
  assert.ok(m.endsWith('\r\n\r\none\r\ntwo\r\n'));
});

test('dot-stuffing (RFC 5321 4.5.2) and the terminator', () => {
  assert.equal(dotStuff('a\r\n.\r\n..b\r\nc.\r\n'), 'a\r\n..\r\n...b\r\nc.\r\n.\r\n');
  assert.equal(dotStuff('.start'), '..start\r\n.\r\n');
  assert.equal(dotStuff(''), '\r\n.\r\n');
});
