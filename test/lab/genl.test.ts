// src/os/genl and src/os/ipvs against the real kernel (root). This kernel has no IPVS, so the
// generic netlink path is proven on families that exist ("nlctrl", "ethtool"), checked against
// iproute2's `genl ctrl` output for the same family, plus a real dump (every family nlctrl
// lists); and the IPVS side is checked to fail with the clear "kernel has no IPVS" error.
// Runs in the test process: nlctrl's family table is the same in every network namespace, and
// nothing here changes kernel state.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { nativeAvailable } from '../../src/os/native.js';
import { GenlClient, GenlFamilyNotFoundError } from '../../src/os/genl/index.js';
import { CTRL_ATTR, CTRL_CMD, GENL_ID_CTRL } from '../../src/os/genl/constants.js';
import { detectIpvs, IpvsClient, IpvsUnavailableError } from '../../src/os/ipvs/index.js';
import { attrMap, str } from '../../src/os/netlink/index.js';

// Lab tests fail (never skip) when they cannot run, with a one-line reason.
const missing =
  process.getuid?.() !== 0
    ? 'lab tests need root'
    : !nativeAvailable()
      ? 'the native addon is not built (npm ci, or npm run install)'
      : spawnSync('genl', ['ctrl', 'list']).status !== 0
        ? 'iproute2 `genl` is not installed (the oracle for these tests)'
        : undefined;

/** What `genl ctrl get name NAME` prints: id, version, op ids, multicast groups. */
function genlShow(name: string): {
  id: number;
  version: number;
  ops: number[];
  groups: Record<string, number>;
} {
  const r = spawnSync('genl', ['ctrl', 'get', 'name', name], { encoding: 'utf8' });
  assert.equal(r.status, 0, `genl ctrl get name ${name}: ${r.stderr}`);
  const head = /ID: (0x[0-9a-f]+)\s+Version: (0x[0-9a-f]+)/.exec(r.stdout);
  assert.ok(head, r.stdout);
  const ops = [...r.stdout.matchAll(/#\d+:\s+ID-(0x[0-9a-f]+)\s*$/gm)].map((m) => Number(m[1]));
  const groups: Record<string, number> = {};
  for (const m of r.stdout.matchAll(/ID-(0x[0-9a-f]+)\s+name: (\S+)/g)) groups[m[2]] = Number(m[1]);
  return { id: Number(head[1]), version: Number(head[2]), ops, groups };
}

describe('generic netlink on the real kernel', { concurrency: false }, () => {
  let genl: GenlClient;

  before(() => {
    if (missing) throw new Error(missing);
    genl = GenlClient.open({ timeoutMs: 3000 });
  });

  after(() => genl?.close());

  for (const name of ['nlctrl', 'ethtool']) {
    test(`resolve "${name}": id, version, operations and groups match genl ctrl`, async () => {
      const want = genlShow(name);
      const got = await genl.resolveFamily(name);
      assert.equal(got.name, name);
      assert.equal(got.id, want.id);
      assert.equal(got.version, want.version);
      assert.deepEqual(
        got.ops.map((o) => o.id),
        want.ops,
      );
      assert.deepEqual(got.groups, want.groups);
    });
  }

  test('nlctrl has the fixed id GENL_ID_CTRL and answers GETFAMILY as a do-able command', async () => {
    const f = await genl.resolveFamily('nlctrl');
    assert.equal(f.id, GENL_ID_CTRL);
    const op = f.ops.find((o) => o.id === CTRL_CMD.GETFAMILY);
    assert.ok(op && op.flags & 0x02, 'GETFAMILY has GENL_CMD_CAP_DO');
  });

  test('a GETFAMILY dump lists the same families as `genl ctrl list`', async () => {
    const bodies = await genl.dump(
      GENL_ID_CTRL,
      { cmd: CTRL_CMD.GETFAMILY, version: 2, attrs: Buffer.alloc(0) },
      () => 'list families',
    );
    const names = bodies.map((b) => str(attrMap(b.attrs).get(CTRL_ATTR.FAMILY_NAME))).sort();
    const r = spawnSync('genl', ['ctrl', 'list'], { encoding: 'utf8' });
    const want = [...r.stdout.matchAll(/^Name: (\S+)/gm)].map((m) => m[1]).sort();
    assert.deepEqual(names, want);
    assert.ok(!names.includes('IPVS'));
  });

  test('an unknown family gives GenlFamilyNotFoundError (ENOENT), and the client stays usable', async () => {
    await assert.rejects(genl.resolveFamily('sa-no-such'), (e: unknown) => {
      assert.ok(e instanceof GenlFamilyNotFoundError);
      assert.equal(e.code, 'ENOENT');
      assert.equal(e.errno, -2);
      assert.match(e.message, /generic netlink family sa-no-such not found/);
      return true;
    });
    assert.equal((await genl.resolveFamily('nlctrl')).id, GENL_ID_CTRL);
  });

  test('IPVS: resolving fails with "kernel has no IPVS (generic netlink family IPVS not found)"', async () => {
    await assert.rejects(genl.resolveFamily('IPVS'), GenlFamilyNotFoundError);
    await assert.rejects(IpvsClient.open({ timeoutMs: 3000 }), (e: unknown) => {
      assert.ok(e instanceof IpvsUnavailableError);
      assert.equal(e.message, 'kernel has no IPVS (generic netlink family IPVS not found)');
      assert.equal(e.code, 'ENOENT');
      return true;
    });
  });

  test('detectIpvs: absent here, with the reason', async () => {
    assert.equal(existsSync('/proc/net/ip_vs'), false, 'this kernel was expected to lack IPVS');
    const d = await detectIpvs();
    assert.equal(d.present, false);
    assert.ok(!d.present && d.reason.includes('/proc/net/ip_vs'));
    // With the /proc check passed by hand, the genl lookup itself must say "not found".
    const d2 = await detectIpvs({ procPath: '/proc/net/dev' });
    assert.deepEqual(d2, { present: false, reason: 'generic netlink family IPVS not found' });
  });
});
