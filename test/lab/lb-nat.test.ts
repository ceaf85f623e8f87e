// Load balancing in the kernel, NAT mode: the lb subsystem (in the director's namespace, via
// lb-driver.ts) against three real servers. rr exact, wrr proportions, sh sticky per source, mh
// keeps the flows of surviving servers, a down server gets no new flow, sorry server, quorum with
// hysteresis, persistence, UDP, reload adding one server changes one element, stop removes only
// our tables.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireRoot, sleep, waitFor, withLab } from './lib/index.js';
import { buildLbLab, Driver, hit, lbConf, rsId, tally } from './lb-common.js';

const SRC1 = '192.0.2.10';
const SRCS = Array.from({ length: 10 }, (_, i) => `192.0.2.${20 + i}`);
const same = (n: number, s = SRC1) => Array<string>(n).fill(s);

test('NAT load balancing on nftables', { timeout: 150_000 }, async (t) => {
  requireRoot();
  await withLab('lbnat', async (lab) => {
    const l = await buildLbLab(lab);
    await l.d.nft(
      'table inet foreign {\n  chain c {\n    type filter hook input priority 0; policy accept;\n  }\n}\n',
    );
    const drv = new Driver(lab, l.d);
    try {
      await t.test('start: IPVS probe logged, rr exact 4/4/4 in order', async () => {
        const a = await drv.send({ cmd: 'start', conf: drv.conf(lbConf()) });
        assert.match(a.script, /table ip stayalive/);
        assert.ok(
          drv.logs.includes('IPVS not available (no /proc/net/ip_vs): using nftables'),
          drv.logs.join('\n'),
        );
        const got = await hit(l, same(12));
        assert.deepEqual(tally(got), { rs1: 4, rs2: 4, rs3: 4 });
        assert.deepEqual(got.slice(0, 3).sort(), ['rs1', 'rs2', 'rs3']);
        assert.deepEqual(got.slice(3, 6), got.slice(0, 3));
      });

      await t.test('conntrack counts per real server (events) and traffic counters', async () => {
        type St = { services: Array<{ backends: Array<Record<string, number>> }> };
        // The 12 connections above have closed: each server holds 4 inactive (TIME_WAIT/CLOSE).
        const st = await waitFor(
          async () => {
            const s = (await drv.send({ cmd: 'status' })).status as St;
            const b = s.services[0].backends;
            return b.every((x) => x.activeConn === 0 && x.inactConn === 4) ? b : null;
          },
          { timeoutMs: 5000, what: 'conntrack counts 0/4 on each server' },
        );
        assert.equal(st.length, 3);
        const stats = (await drv.send({ cmd: 'stats' })).status as St;
        for (const b of stats.services[0].backends) {
          // 4 connections: at least SYN, ACK, request, ACK/FIN each way.
          assert.ok(b.inPkts >= 12 && b.outPkts >= 8, JSON.stringify(b));
          assert.ok(b.outBytes > b.outPkts * 40, JSON.stringify(b));
        }
      });

      await t.test(
        'reload adding one real server: its counters, one slot element + the rr rule',
        async () => {
          const conf = lbConf().replace(/\}\n$/, '  real_server 198.51.100.11 8080 {\n  }\n}\n');
          const a = await drv.send({ cmd: 'reload', conf: drv.conf(conf) });
          assert.deepEqual(a.script.trim().split('\n'), [
            'flush chain ip stayalive vs_203_0_113_100_tcp_80',
            'add element ip stayalive backend_in { 198.51.100.11 . 8080 }',
            'add element ip stayalive backend_out { 198.51.100.11 . 8080 }',
            'add element ip stayalive vs_203_0_113_100_tcp_80_slots { 3 : 198.51.100.11 . 8080 }',
            'add rule ip stayalive vs_203_0_113_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 4 map @vs_203_0_113_100_tcp_80_slots',
          ]);
          assert.deepEqual(tally(await hit(l, same(8))), { rs1: 2, rs2: 2, rs3: 2, 'rs1-8080': 2 });
          const again = await drv.send({ cmd: 'reload', conf: drv.conf(conf) });
          assert.equal(again.script, '', 'same config: no transaction');
        },
      );

      await t.test('wrr 3:2:1 → 6/4/2 of 12', async () => {
        await drv.send({
          cmd: 'reload',
          conf: drv.conf(lbConf({ algo: 'wrr', weights: [3, 2, 1] })),
        });
        assert.deepEqual(tally(await hit(l, same(12))), { rs1: 6, rs2: 4, rs3: 2 });
      });

      await t.test('a server marked down gets no new flow; back up, it does', async () => {
        await drv.send({ cmd: 'reload', conf: drv.conf(lbConf()) });
        const a = await drv.state(rsId(2), false);
        assert.ok(a.apply, 'lb:apply published');
        assert.deepEqual(tally(await hit(l, same(10))), { rs1: 5, rs3: 5 });
        await drv.state(rsId(2), true);
        assert.deepEqual(tally(await hit(l, same(9))), { rs1: 3, rs2: 3, rs3: 3 });
      });

      await t.test('sh: each source sticks to one server', async () => {
        await drv.send({ cmd: 'reload', conf: drv.conf(lbConf({ algo: 'sh' })) });
        const first = await hit(l, SRCS);
        const second = await hit(l, SRCS);
        const third = await hit(l, SRCS);
        assert.deepEqual(second, first);
        assert.deepEqual(third, first);
        assert.ok(!first.includes('ERR'));
        assert.ok(new Set(first).size >= 2, `sources spread: ${first.join(' ')}`);
      });

      await t.test('mh: removing a server moves only its own sources', async () => {
        await drv.send({ cmd: 'reload', conf: drv.conf(lbConf({ algo: 'mh' })) });
        const before = await hit(l, SRCS);
        assert.ok(!before.includes('ERR'));
        await drv.state(rsId(3), false);
        const after = await hit(l, SRCS);
        for (let i = 0; i < SRCS.length; i++) {
          if (before[i] !== 'rs3')
            assert.equal(after[i], before[i], `${SRCS[i]} stayed on ${before[i]}`);
          else assert.notEqual(after[i], 'rs3');
        }
        await drv.state(rsId(3), true);
        assert.deepEqual(await hit(l, SRCS), before);
      });

      await t.test('all down → sorry server; one back → real servers again', async () => {
        const conf = lbConf({ extra: '  sorry_server 198.51.100.11 8080' });
        await drv.send({ cmd: 'reload', conf: drv.conf(conf) });
        for (const i of [1, 2, 3]) await drv.state(rsId(i), false);
        assert.deepEqual(tally(await hit(l, same(3))), { 'rs1-8080': 3 });
        await drv.state(rsId(2), true);
        assert.deepEqual(tally(await hit(l, same(3))), { rs2: 3 });
        await drv.state(rsId(1), true);
        await drv.state(rsId(3), true);
      });

      await t.test('quorum 3 + hysteresis 1 over weights 2/1/1', async () => {
        const conf = lbConf({
          algo: 'wrr',
          weights: [2, 1, 1],
          extra: '  quorum 3\n  hysteresis 1\n  sorry_server 198.51.100.11 8080',
        });
        await drv.send({ cmd: 'reload', conf: drv.conf(conf) });
        await drv.state(rsId(1), false, 2); // 2 live ≥ 3−1: quorum kept
        assert.deepEqual(tally(await hit(l, same(4))), { rs2: 2, rs3: 2 });
        await drv.state(rsId(2), false); // 1 live: lost
        assert.deepEqual(tally(await hit(l, same(2))), { 'rs1-8080': 2 });
        await drv.state(rsId(2), true); // 2 live < 3+1: still lost
        assert.deepEqual(tally(await hit(l, same(2))), { 'rs1-8080': 2 });
        await drv.state(rsId(1), true, 2); // 4 live: regained
        const back = tally(await hit(l, same(8)));
        assert.equal(back['rs1-8080'], undefined);
        assert.deepEqual(back, { rs1: 4, rs2: 2, rs3: 2 });
        assert.ok(
          drv.logs.some((m) => /Lost quorum/.test(m)) &&
            drv.logs.some((m) => /Gained quorum/.test(m)),
        );
      });

      await t.test(
        'persistence holds a client for the timeout, then it is rescheduled',
        async () => {
          await drv.send({
            cmd: 'reload',
            conf: drv.conf(lbConf({ extra: '  persistence_timeout 4' })),
          });
          const a = await hit(l, same(5, SRCS[0]));
          const b = await hit(l, same(5, SRCS[1]));
          assert.equal(new Set(a).size, 1, a.join(' '));
          assert.equal(new Set(b).size, 1, b.join(' '));
          assert.notEqual(a[0], b[0]);
          await sleep(1000);
          assert.deepEqual(
            await hit(l, [SRCS[0]]),
            [a[0]],
            'still held (refreshed on new connections)',
          );
          await sleep(4500);
          const later = await hit(l, [SRCS[0]]);
          assert.notEqual(later[0], a[0], 'rescheduled after the timeout');
        },
      );

      await t.test('UDP rr: 2/2/2 of 6 datagrams', async () => {
        await drv.send({ cmd: 'reload', conf: drv.conf(lbConf({ port: 53, proto: 'UDP' })) });
        assert.deepEqual(tally(await hit(l, same(6), { port: 53, udp: true })), {
          rs1: 2,
          rs2: 2,
          rs3: 2,
        });
      });

      await t.test('stop removes our tables and leaves the foreign one', async () => {
        await drv.send({ cmd: 'stop' });
        const tables = (await l.d.exec(['nft', 'list', 'tables'])).stdout;
        assert.doesNotMatch(tables, /stayalive/);
        assert.match(tables, /table inet foreign/);
      });
    } finally {
      drv.close();
    }
  });
});
