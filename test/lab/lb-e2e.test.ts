// Load balancing end to end through the real daemon: the director runs the compiled
// `stayalive -n` with one NAT virtual_server over rs1..rs3 (HTTP_GET checks: delay_loop 1,
// connect_timeout 1, retry 1, delay_before_retry 0.5) and an IPv6 NAT virtual_server over the same
// servers. Stopping rs2's server takes it out of the kernel table within the checker's bound,
// (retry+1)×(connect_timeout+delay_before_retry)+delay_loop = 4 s; starting it puts it back within
// one delay_loop (+ scheduling slack). The IPv6 VIP does rr exactly (4/4/4 of 12, in order).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { requireRoot, waitFor, withLab } from './lib/index.js';
import { daemonArgv, stayalivectlArgv } from './lib/stayalive.js';
import { buildLbLab, hit, startBackend, tally, VIP } from './lb-common.js';

const VIP6 = '2001:db8:3::100';
const BOUND_S = (1 + 1) * (1 + 0.5) + 1;
/** Process start-up, timers and the nft transaction on a loaded 2-CPU machine. */
const SLACK_S = 2;

const check = `    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 1
      retry 1
      delay_before_retry 0.5
    }
`;
const vs = (vip: string, rss: string[]): string =>
  `virtual_server ${vip} 80 {\n  delay_loop 1\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n` +
  rss.map((a) => `  real_server ${a} 80 {\n    weight 1\n${check}  }\n`).join('') +
  '}\n';
const CONF =
  vs(VIP, ['198.51.100.11', '198.51.100.12', '198.51.100.13']) +
  vs(VIP6, ['2001:db8:1::11', '2001:db8:1::12', '2001:db8:1::13']);

const SLOTS = 'vs_203_0_113_100_tcp_80_slots';

test(
  'NAT through the daemon: HTTP_GET takes a dead server out and back; IPv6 rr',
  {
    timeout: 120_000,
  },
  async (t) => {
    requireRoot();
    await withLab('lbe2e', async (lab) => {
      const l = await buildLbLab(lab);
      // IPv6: client 2001:db8:2::/64 — router — 2001:db8:1::/64 with director and real servers.
      await l.c.ip(['-6', 'addr', 'add', '2001:db8:2::10/64', 'dev', 'eth0', 'nodad']);
      await l.r.ip(['-6', 'addr', 'add', '2001:db8:2::1/64', 'dev', 'eth0', 'nodad']);
      await l.r.ip(['-6', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'eth1', 'nodad']);
      await l.d.ip(['-6', 'addr', 'add', '2001:db8:1::2/64', 'dev', 'eth0', 'nodad']);
      for (let i = 0; i < 3; i++) {
        await l.rs[i].ip(['-6', 'addr', 'add', `2001:db8:1::${11 + i}/64`, 'dev', 'eth0', 'nodad']);
        await l.rs[i].ip(['-6', 'route', 'add', 'default', 'via', '2001:db8:1::2']);
      }
      await l.c.ip(['-6', 'route', 'add', 'default', 'via', '2001:db8:2::1']);
      await l.r.exec(['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
      await l.r.ip(['-6', 'route', 'add', `${VIP6}/128`, 'via', '2001:db8:1::2']);
      await l.d.exec(['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1']);
      await l.d.ip(['-6', 'route', 'add', 'default', 'via', '2001:db8:1::1']);

      const conf = join(lab.dir, 'keepalived.conf');
      writeFileSync(conf, CONF);
      const f = (n: string) => join(lab.dir, n);
      const daemon = l.d.spawn(daemonArgv(conf, `${lab.dir}/`), { logTo: f('daemon.log') });
      const slots = async (): Promise<string> =>
        (await l.d.exec(['nft', 'list', 'map', 'ip', 'stayalive', SLOTS], { check: false })).stdout;
      try {
        await waitFor(async () => /198\.51\.100\.13/.test(await slots()), {
          timeoutMs: 20_000,
          what: 'stayalive installed the IPv4 service',
        });

        await t.test('IPv4: rr over the three servers', async () => {
          assert.deepEqual(tally(await hit(l, Array<string>(9).fill('192.0.2.10'))), {
            rs1: 3,
            rs2: 3,
            rs3: 3,
          });
        });

        await t.test(
          `rs2 stopped → out of the kernel table within ${BOUND_S} s (+${SLACK_S} s slack)`,
          async () => {
            const t0 = performance.now();
            await l.backends[1].stop(500);
            await waitFor(async () => !(await slots()).includes('198.51.100.12'), {
              timeoutMs: (BOUND_S + SLACK_S) * 1000,
              intervalMs: 100,
              what: 'rs2 removed from the slot map',
            });
            const took = (performance.now() - t0) / 1000;
            t.diagnostic(`rs2 out after ${took.toFixed(2)} s (bound ${BOUND_S} s)`);
            assert.deepEqual(tally(await hit(l, Array<string>(6).fill('192.0.2.10'))), {
              rs1: 3,
              rs3: 3,
            });
          },
        );

        await t.test('rs2 started → back in the table within one check cycle', async () => {
          const t0 = performance.now();
          await startBackend(lab, l, 1);
          await waitFor(async () => (await slots()).includes('198.51.100.12'), {
            timeoutMs: (1 + 1 + SLACK_S) * 1000,
            intervalMs: 100,
            what: 'rs2 back in the slot map',
          });
          t.diagnostic(`rs2 back after ${((performance.now() - t0) / 1000).toFixed(2)} s`);
          assert.deepEqual(tally(await hit(l, Array<string>(9).fill('192.0.2.10'))), {
            rs1: 3,
            rs2: 3,
            rs3: 3,
          });
        });

        await t.test('IPv6 NAT: rr exact, 4/4/4 of 12 in a repeating order', async () => {
          // rs2's IPv6 check saw the same outage: wait until all three are back in the map.
          const v6 = async (): Promise<string> =>
            (
              await l.d.exec(
                ['nft', 'list', 'map', 'ip6', 'stayalive', 'vs_2001_db8_3_100_tcp_80_slots'],
                {
                  check: false,
                },
              )
            ).stdout;
          await waitFor(
            async () => {
              const m = await v6();
              return ['::11 ', '::12 ', '::13 '].every((a) => m.includes(a));
            },
            {
              timeoutMs: 10_000,
              what: 'IPv6 service with all three servers',
            },
          );
          const got = await hit(l, Array<string>(12).fill('2001:db8:2::10'), { vip: VIP6 });
          assert.deepEqual(tally(got), { rs1: 4, rs2: 4, rs3: 4 });
          assert.deepEqual(got.slice(0, 3).sort(), ['rs1', 'rs2', 'rs3']);
          assert.deepEqual(got.slice(3, 6), got.slice(0, 3));
          assert.deepEqual(got.slice(6, 12), got.slice(0, 6));
        });

        await t.test('stayalivectl lb lists services like ipvsadm -Ln, with counters', async () => {
          const ctl = [...stayalivectlArgv(), '--socket', f('ctl.sock'), 'lb'];
          const list = (await l.d.exec(ctl)).stdout;
          assert.match(list, /^TCP {2}203\.0\.113\.100:80 rr/m);
          for (const rs of ['198.51.100.11:80', '198.51.100.12:80', '198.51.100.13:80']) {
            // ipvsadm's columns: forward method, weight, then active and inactive connections.
            assert.match(
              list,
              new RegExp(`-> ${rs.replace(/\./g, '\\.')}\\s+Masq\\s+1\\s+\\d+\\s+\\d+`),
            );
          }
          const stats = (await l.d.exec([...ctl, '--stats'])).stdout;
          assert.match(stats, /198\.51\.100\.11:80/);
          const sample = JSON.parse((await l.d.exec([...ctl, '--stats', '--json'])).stdout) as {
            services: { backends: { inPkts: number }[] }[];
          };
          const pkts = sample.services.flatMap((sv) => sv.backends.map((b) => b.inPkts));
          assert.ok(
            pkts.some((n) => n > 0),
            `some backend counted packets: ${pkts.join(',')}`,
          );
        });

        await t.test(
          'stayalivectl check shows each real server up with its last result',
          async () => {
            const out = (
              await l.d.exec([...stayalivectlArgv(), '--socket', f('ctl.sock'), 'check'])
            ).stdout;
            for (const rs of ['198.51.100.11', '198.51.100.12', '198.51.100.13']) {
              assert.match(out, new RegExp(`\\[${rs.replace(/\./g, '\\.')}\\]:tcp:80`));
            }
            assert.doesNotMatch(out, /\bDOWN\b/);
          },
        );

        await t.test('SIGTERM: the daemon removes its tables', async () => {
          daemon.kill('SIGTERM');
          await daemon.exited;
          const tables = (await l.d.exec(['nft', 'list', 'tables'])).stdout;
          assert.doesNotMatch(tables, /stayalive/);
        });
      } finally {
        if (daemon.running) await daemon.stop(2000);
      }
    });
  },
);
