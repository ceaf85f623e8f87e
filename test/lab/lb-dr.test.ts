// Load balancing in the kernel, DR mode (netdev ingress MAC rewrite + fwd): real servers hold the
// VIP on lo (arp_ignore=1, arp_announce=2) and answer the client directly through the router; the
// director keeps no conntrack state. Then one-armed NAT with masquerade on the same lab: the real
// servers route via the router, so only masquerade brings the replies back.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireRoot, withLab } from './lib/index.js';
import {
  buildLbLab,
  Driver,
  hit,
  lbConf,
  makeDrRealServers,
  rsId,
  tally,
  VIP,
} from './lb-common.js';

const SRCS = Array.from({ length: 10 }, (_, i) => `192.0.2.${20 + i}`);

test('DR and one-armed NAT on nftables', { timeout: 120_000 }, async (t) => {
  requireRoot();
  await withLab('lbdr', async (lab) => {
    const l = await buildLbLab(lab);
    await makeDrRealServers(l);
    const drv = new Driver(lab, l.d);
    try {
      await t.test(
        'DR: netdev table only, all requests answered, spread, no conntrack on the director',
        async () => {
          const a = await drv.send({ cmd: 'start', conf: drv.conf(lbConf({ kind: 'DR' })) });
          assert.match(a.script, /table netdev stayalive/);
          assert.match(a.script, /ether saddr set 02:dd:00:00:00:01 fwd to "eth0"/);
          assert.match(a.script, /02:bb:00:00:00:01/, 'real server MAC from the neighbour table');
          const tables = (await l.d.exec(['nft', 'list', 'tables'])).stdout;
          assert.doesNotMatch(tables, /table ip stayalive/);
          const got = await hit(l, [...SRCS, ...SRCS, ...SRCS]);
          assert.ok(!got.includes('ERR'), got.join(' '));
          assert.ok(Object.keys(tally(got)).length >= 2, JSON.stringify(tally(got)));
          const ct = await l.d.exec(['conntrack', '-L', '-d', VIP], { check: false });
          assert.doesNotMatch(ct.stdout, new RegExp(VIP.replace(/\./g, '\\.')));
        },
      );

      await t.test('DR: a server marked down gets no new flow', async () => {
        await drv.state(rsId(2), false);
        const got = await hit(l, [...SRCS, ...SRCS]);
        assert.ok(!got.includes('ERR'));
        assert.ok(!got.includes('rs2'), got.join(' '));
        await drv.state(rsId(2), true);
      });

      await t.test('DR: stop removes the netdev table', async () => {
        await drv.send({ cmd: 'stop' });
        assert.doesNotMatch((await l.d.exec(['nft', 'list', 'tables'])).stdout, /stayalive/);
      });

      await t.test(
        'one-armed NAT: works only with masquerade (real servers route via the router)',
        async () => {
          // Without masquerade the replies bypass the director and the client drops them.
          await drv.send({ cmd: 'start', conf: drv.conf(lbConf({ port: 8080 })) });
          assert.deepEqual(await hit(l, ['192.0.2.10'], { port: 8080 }), ['ERR']);
          await drv.send({ cmd: 'stop' });
          // The `masquerade` keyword of the virtual_server block (a stayalive extension).
          await drv.send({
            cmd: 'start',
            conf: drv.conf(lbConf({ port: 8080, extra: '  masquerade' })),
          });
          const got = await hit(l, Array<string>(6).fill('192.0.2.10'), { port: 8080 });
          assert.deepEqual(tally(got), { 'rs1-8080': 2, 'rs2-8080': 2, 'rs3-8080': 2 });
          const masq = (await l.d.exec(['nft', 'list', 'map', 'ip', 'stayalive', 'masq_vips']))
            .stdout;
          assert.match(masq, /203\.0\.113\.100 : goto do_masq/);
          await drv.send({ cmd: 'stop' });
          // The same through the data-plane option (every NAT VIP masqueraded).
          await drv.send({
            cmd: 'start',
            conf: drv.conf(lbConf({ port: 8080 })),
            masquerade: true,
          });
          const got2 = await hit(l, Array<string>(3).fill('192.0.2.10'), { port: 8080 });
          assert.deepEqual(tally(got2), { 'rs1-8080': 1, 'rs2-8080': 1, 'rs3-8080': 1 });
          await drv.send({ cmd: 'stop' });
        },
      );
    } finally {
      drv.close();
    }
  });
});
