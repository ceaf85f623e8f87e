// Notifier.settle against real processes: at stop a notify script gets its grace time, then
// SIGTERM to its process group; one that ends in time is simply waited for.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Notifier } from '../../../src/vrrp/notify.js';

const script = (command: string) => ({
  command,
  argv: ['/bin/sh', '-c', command],
  user: null,
  group: null,
  pos: { file: 't', line: 1, col: 1 },
});
const none = { master: null, backup: null, fault: null, stop: null, any: null };
/** Running, not a zombie waiting for init to reap it. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('settle: a slow STOP script is ended after the grace time, its child too', async () => {
  const dir = mkdtempSync('/tmp/sa-settle-');
  const pidFile = join(dir, 'pid');
  const n = new Notifier([]);
  // The shell backgrounds a sleep (same group) and waits: both must go.
  n.notify('INSTANCE', 'V', 'STOP', 0, {
    ...none,
    stop: script(`sleep 30 & echo $! > ${pidFile}; wait`),
  });
  for (let i = 0; i < 50 && !existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 20));
  const child = Number(readFileSync(pidFile, 'utf8'));
  assert.ok(alive(child));
  const t0 = performance.now();
  await n.settle(200);
  const took = performance.now() - t0;
  assert.ok(took >= 190 && took < 1500, `settled in ${took} ms`);
  for (let i = 0; i < 50 && alive(child); i++) await new Promise((r) => setTimeout(r, 20));
  assert.equal(alive(child), false, 'the group got SIGTERM');
});

test('settle: waits for a script that ends in time, and returns when it is done', async () => {
  const dir = mkdtempSync('/tmp/sa-settle-');
  const n = new Notifier([]);
  n.notify('INSTANCE', 'V', 'STOP', 0, { ...none, stop: script(`sleep 0.3; touch ${dir}/done`) });
  const t0 = performance.now();
  await n.settle(5000);
  assert.ok(existsSync(join(dir, 'done')), 'the script finished before settle returned');
  assert.ok(performance.now() - t0 < 2000);
});
