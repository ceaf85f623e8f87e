import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  consoleStamp,
  jsonLine,
  parseFacility,
  syslogLine,
  toRecord,
} from '../../../src/core/log-format.js';

const at = new Date(2026, 10, 3, 5, 7, 9);

test('config diagnostics keep keepalived wording and add file:line:col', () => {
  const r = toRecord('config:diagnostic', {
    code: 'SA_ERR_CONFIG_UNKNOWN_KEYWORD',
    klass: 'warning',
    message: "Unknown keyword 'bogus'",
    pos: { file: '/etc/k.conf', line: 8, col: 3 },
  });
  assert.equal(r.level, 'warning');
  assert.equal(
    r.message,
    "/etc/k.conf:8:3: warning: Unknown keyword 'bogus' [SA_ERR_CONFIG_UNKNOWN_KEYWORD]",
  );
});

test('console stamp matches keepalived -l', () => {
  assert.equal(consoleStamp(at), 'Tue Nov 03 05:07:09 2026');
});

test('syslog line: priority = facility*8 + severity, RFC 3164 stamp, ident[pid]', () => {
  const r = toRecord('daemon:stop', { reason: 'SIGTERM' });
  assert.equal(
    syslogLine(r, 3, 'Stayalive', 42, at),
    '<29>Nov  3 05:07:09 Stayalive[42]: Stopping (SIGTERM)',
  );
});

test('json lines carry level, event and message', () => {
  const r = toRecord('daemon:reload', {
    outcome: 'rejected',
    reason: 'bad',
    changes: { added: 0, removed: 0, changed: 0 },
  });
  const j = JSON.parse(jsonLine(r, at));
  assert.equal(j.level, 'error');
  assert.equal(j.event, 'daemon:reload');
  assert.match(j.msg, /keeping the running configuration: bad/);
});

test('keepalived -S facilities: 0-7 are local0-7', () => {
  assert.equal(parseFacility('0'), 16);
  assert.equal(parseFacility('local7'), 23);
  assert.equal(parseFacility('daemon'), 3);
  assert.equal(parseFacility('8'), undefined);
});
