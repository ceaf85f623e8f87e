import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publish } from '../../../src/core/bus.js';
import { startLogger } from '../../../src/core/logger.js';

test('the logger subscribes to the bus: console text, JSON lines and syslog datagrams', () => {
  const text: string[] = [];
  const json: string[] = [];
  const sys: string[] = [];
  const stopText = startLogger({
    console: true,
    format: 'text',
    syslog: { send: (l) => sys.push(l) },
    facility: 3,
    ident: 'Stayalive',
    detail: false,
    write: (l) => text.push(l),
  });
  const stopJson = startLogger({
    console: true,
    format: 'json',
    syslog: null,
    facility: 3,
    ident: 'Stayalive',
    detail: true,
    write: (l) => json.push(l),
  });
  publish('daemon:stop', { reason: 'SIGTERM' });
  publish('log', { level: 'debug', subsystem: 'vrrp', message: 'detail only' });
  stopText();
  stopJson();
  publish('daemon:stop', { reason: 'after unsubscribe' });

  assert.equal(text.length, 1, 'debug is dropped without -D');
  assert.match(text[0], /^\w{3} \w{3} \d\d \d\d:\d\d:\d\d \d{4}: Stopping \(SIGTERM\)$/);
  assert.equal(sys.length, 1);
  assert.match(sys[0], /^<29>\w{3} [ \d]\d \d\d:\d\d:\d\d Stayalive\[\d+\]: Stopping \(SIGTERM\)$/);
  assert.equal(json.length, 2, '-D keeps debug');
  assert.deepEqual(
    json.map((l) => JSON.parse(l)).map((o: { event: string; level: string }) => [o.event, o.level]),
    [
      ['daemon:stop', 'notice'],
      ['log', 'debug'],
    ],
  );
});

test('a failing syslog sender never breaks logging', () => {
  const out: string[] = [];
  const stop = startLogger({
    console: true,
    format: 'text',
    syslog: {
      send: () => {
        throw new Error('ENOENT /dev/log');
      },
    },
    facility: 3,
    ident: 'Stayalive',
    detail: false,
    write: (l) => out.push(l),
  });
  publish('daemon:stop', { reason: 'x' });
  stop();
  assert.equal(out.length, 1);
});
