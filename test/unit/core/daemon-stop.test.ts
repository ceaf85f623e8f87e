// The daemon's stop order: every subsystem's synchronous beginStop runs before any stop() is
// awaited (VRRP's priority-0 adverts must not wait behind the teardown of the others), then the
// stops run in reverse start order.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseDaemonArgs } from '../../../src/cli/options.js';
import { Daemon } from '../../../src/core/daemon.js';
import type { Subsystem } from '../../../src/core/subsystem.js';

const dir = mkdtempSync(join(tmpdir(), 'sa-daemon-stop-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function fake(name: string, calls: string[], begin: boolean): Subsystem {
  const s: Subsystem = {
    name,
    start: () => Promise.resolve(),
    reload: () => Promise.resolve(),
    async stop() {
      calls.push(`${name}.stop`);
      // A slow teardown (the nftables table, say) must not delay another's beginStop.
      await new Promise((r) => setTimeout(r, 20));
      calls.push(`${name}.stopped`);
    },
    status: () => ({}),
  };
  if (begin) s.beginStop = (reason) => void calls.push(`${name}.beginStop(${reason})`);
  return s;
}

test('beginStop of every subsystem runs first, then stops in reverse order', async () => {
  const conf = join(dir, 'k.conf');
  writeFileSync(conf, 'global_defs {\n  router_id t\n}\n');
  const args = parseDaemonArgs([
    '-n',
    '-f',
    conf,
    '-p',
    join(dir, 'k.pid'),
    '--control-socket',
    join(dir, 'k.sock'),
  ]);
  assert.ok(args.ok);
  const calls: string[] = [];
  const d = new Daemon(args.options, {
    notify: () => undefined,
    subsystems: [fake('vrrp', calls, true), fake('lb', calls, false), fake('check', calls, true)],
  });
  await d.start();
  await d.stop('SIGTERM');
  assert.deepEqual(calls, [
    'vrrp.beginStop(SIGTERM)',
    'check.beginStop(SIGTERM)',
    'check.stop',
    'check.stopped',
    'lb.stop',
    'lb.stopped',
    'vrrp.stop',
    'vrrp.stopped',
  ]);
});
