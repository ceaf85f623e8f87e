// no_accept on the wire: a stayalive master with `no_accept` (or `vrrp_strict`, whose default it
// is) holds its VIP but drops traffic to it through the nftables table `stayalive_vrrp`, while
// VRRP goes on (a crash still moves the VIP); the table goes away on SIGTERM. With the default
// (accept) the VIP answers ping. Needs root, nftables and `npm run build`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireRoot, sleep, waitFor, withLab, type Host } from './lib/index.js';
import {
  MAC,
  crash,
  hasAddr,
  startNode,
  trio,
  vrrpConf,
  waitNeighMac,
  waitSoleHolder,
} from './vrrp-common.js';

const VIP = '192.0.2.120';
const VIP6 = '2001:db8:2::120';

async function nftSet(h: Host, fam: 'ip' | 'ip6'): Promise<string | null> {
  const r = await h.exec(['nft', 'list', 'set', fam, 'stayalive_vrrp', 'vips'], { check: false });
  return r.code === 0 ? r.stdout : null;
}

test('no_accept: the master holds the VIP but drops traffic to it; VRRP still fails over; SIGTERM removes the table', async () => {
  requireRoot();
  await withLab('vna', async (lab) => {
    const { a, b, c } = await trio(lab);
    const conf = (prio: number, o: { extra?: string; global?: string }): string =>
      vrrpConf({
        vrid: 70,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: [`${VIP}/24`],
        ...o,
      });
    // a: explicit no_accept; b: vrrp_strict, whose default is no_accept.
    startNode(lab, a, 'stayalive', conf(150, { extra: '  no_accept' }));
    const nb = startNode(lab, b, 'stayalive', conf(100, { global: '  vrrp_strict\n' }));
    await waitSoleHolder([a, b], a, VIP, 8000);
    // The client resolves the VIP to a (ARP is not filtered) but gets no echo reply.
    await waitFor(
      async () => {
        await c.ping(VIP, { count: 1, waitS: 0.3 });
        return (await waitNeighMac(c, VIP, MAC.a, 0, 500).catch(() => null)) !== null;
      },
      { timeoutMs: 5000, what: 'client resolves the VIP to a' },
    );
    assert.equal((await c.ping(VIP, { count: 3, intervalS: 0.2 })).received, 0, 'VIP silent');
    assert.equal((await c.ping('192.0.2.1', { count: 1 })).received, 1, 'a itself answers');
    assert.match((await nftSet(a, 'ip')) ?? '', /elements = \{ 192\.0\.2\.120 \}/);
    // The backup has the table (strict mode) but the VIP is not in its set.
    const bset = await nftSet(b, 'ip');
    assert.ok(bset !== null, 'b created the table');
    assert.doesNotMatch(bset, /192\.0\.2\.120/);

    const t0 = await crash(a);
    await waitNeighMac(c, VIP, MAC.b, t0, 3000);
    assert.ok(await hasAddr(b, VIP), 'b took over');
    assert.match((await nftSet(b, 'ip')) ?? '', /elements = \{ 192\.0\.2\.120 \}/);
    assert.equal((await c.ping(VIP, { count: 2, intervalS: 0.2 })).received, 0, 'still silent');

    nb.proc.kill('SIGTERM');
    assert.equal((await nb.proc.exited).code, 0);
    assert.equal(await hasAddr(b, VIP), false, 'b removed the VIP');
    assert.equal(await nftSet(b, 'ip'), null, 'b removed the ip table');
    assert.equal(await nftSet(b, 'ip6'), null, 'b removed the ip6 table');
  });
});

test('no_accept IPv6: neighbour discovery still resolves the VIP, echo is dropped', async () => {
  requireRoot();
  await withLab('vna6', async (lab) => {
    const { a, b, c } = await trio(lab);
    const conf = (prio: number): string =>
      vrrpConf({
        vrid: 71,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: [`${VIP6}/64`],
        extra: '  no_accept',
      });
    startNode(lab, a, 'stayalive', conf(150));
    startNode(lab, b, 'stayalive', conf(100));
    await waitSoleHolder([a, b], a, VIP6, 8000);
    await sleep(300);
    assert.equal((await c.ping(VIP6, { count: 3, intervalS: 0.2 })).received, 0, 'VIP silent');
    await waitNeighMac(c, VIP6, MAC.a, 0, 3000);
    assert.match((await nftSet(a, 'ip6')) ?? '', /2001:db8:2::120/);
  });
});

test('accept (default): the VIP answers ping and no table is created', async () => {
  requireRoot();
  await withLab('vac', async (lab) => {
    const { a, b, c } = await trio(lab);
    const conf = (prio: number): string =>
      vrrpConf({ vrid: 72, priority: prio, version: 3, advertInt: 0.1, vips: [`${VIP}/24`] });
    startNode(lab, a, 'stayalive', conf(150));
    startNode(lab, b, 'stayalive', conf(100));
    await waitSoleHolder([a, b], a, VIP, 8000);
    await waitFor(async () => (await c.ping(VIP, { count: 1, waitS: 0.5 })).received === 1, {
      timeoutMs: 3000,
      what: 'VIP answers ping',
    });
    assert.equal(await nftSet(a, 'ip'), null);
  });
});
