import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { controlRequest, startControlServer } from '../../../src/api/control.js';

test('control socket answers commands, reports bad input, is 0600', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sa-ctl-')), 'c.sock');
  const srv = await startControlServer(path, {
    status: () => ({ up: true }),
    boom: () => {
      throw new Error('kaput');
    },
  });
  try {
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(await controlRequest(path, { cmd: 'status' }), {
      ok: true,
      result: { up: true },
    });
    assert.deepEqual(await controlRequest(path, { cmd: 'nope' }), {
      ok: false,
      error: "unknown command 'nope'",
    });
    assert.deepEqual(await controlRequest(path, { cmd: 'boom' }), { ok: false, error: 'kaput' });
    const raw = await new Promise<string>((resolve) => {
      const c = createConnection(path);
      c.setEncoding('utf8');
      c.on('connect', () => c.write('not json\n'));
      c.on('data', (d: string) => {
        c.end();
        resolve(d);
      });
    });
    assert.match(JSON.parse(raw).error, /not JSON/);
  } finally {
    await srv.close();
  }
});

test('a stale socket file from a dead daemon is replaced', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'sa-ctl-')), 'c.sock');
  const a = await startControlServer(path, { x: () => 1 });
  // Simulate a crash: the listener goes away but a socket file stays behind.
  await a.close();
  const b = await startControlServer(path, { x: () => 2 });
  try {
    assert.deepEqual(await controlRequest(path, { cmd: 'x' }), { ok: true, result: 2 });
  } finally {
    await b.close();
  }
});
