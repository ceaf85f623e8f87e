// IPVS detection (src/os/ipvs/detect.ts): present iff the /proc file exists AND the generic
// netlink family resolves; the family lookup is injected so no kernel is needed.
import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { detectIpvs } from '../../../src/os/ipvs/detect.js';

describe('detectIpvs', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sa-ipvs-'));
  const proc = join(dir, 'ip_vs');
  writeFileSync(proc, 'IP Virtual Server version 1.2.1 (size=4096)\n');
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('no /proc/net/ip_vs → absent, and the family is not even looked up', async () => {
    let asked = false;
    const d = await detectIpvs({
      procPath: join(dir, 'missing'),
      resolve: async () => {
        asked = true;
        return { id: 30, version: 1 };
      },
    });
    assert.equal(d.present, false);
    assert.equal(asked, false);
  });

  test('proc file present but no genl family → absent', async () => {
    const d = await detectIpvs({ procPath: proc, resolve: async () => null });
    assert.deepEqual(d, { present: false, reason: 'generic netlink family IPVS not found' });
  });

  test('proc file present and family resolves → present with its id', async () => {
    const d = await detectIpvs({ procPath: proc, resolve: async () => ({ id: 30, version: 1 }) });
    assert.deepEqual(d, { present: true, familyId: 30, version: 1 });
  });

  test('a failing lookup (e.g. EPERM) → absent with the error in the reason', async () => {
    const d = await detectIpvs({
      procPath: proc,
      resolve: async () => {
        throw new Error('socket: EPERM');
      },
    });
    assert.equal(d.present, false);
    assert.ok(!d.present && d.reason.includes('EPERM'));
  });
});
