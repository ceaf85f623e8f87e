// Two stayalive nodes on a switch elect the higher priority, the VIP lives only there, a crash
// (SIGSTOP + SIGKILL) moves it to the backup within Master_Down_Interval + margin, a restart
// preempts back (not with nopreempt), and SIGTERM hands over after ~Skew_Time with a priority-0
// advert on the wire. v2/IPv4, v3/IPv4 and v3/IPv6. Needs root and `npm run build`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readPcap, requireRoot, sleep, withLab } from './lib/index.js';
import {
  MAC,
  crash,
  hasAddr,
  neighMac,
  startNode,
  trio,
  vrrpConf,
  waitAnswerFrom,
  waitNeighMac,
  waitSoleHolder,
} from './vrrp-common.js';

interface Mode {
  label: string;
  version: 2 | 3;
  advertInt: number;
  vip: string;
  cidr: string;
  vrid: number;
}

const MODES: Mode[] = [
  { label: 'v2 IPv4', version: 2, advertInt: 1, vip: '192.0.2.100', cidr: '192.0.2.100/24', vrid: 51 },
  { label: 'v3 IPv4', version: 3, advertInt: 0.2, vip: '192.0.2.101', cidr: '192.0.2.101/24', vrid: 52 },
  {
    label: 'v3 IPv6',
    version: 3,
    advertInt: 0.2,
    vip: '2001:db8:2::100',
    cidr: '2001:db8:2::100/64',
    vrid: 53,
  },
];

/** Master_Down_Interval in ms for a backup of `prio` (keepalived's formula, timers.ts). */
function mdiMs(m: Mode, prio: number): number {
  const skew = m.version === 2 ? (256 - prio) / 256 : ((256 - prio) * m.advertInt) / 256;
  return (3 * m.advertInt + skew) * 1000;
}

function skewMs(m: Mode, prio: number): number {
  return (m.version === 2 ? (256 - prio) / 256 : ((256 - prio) * m.advertInt) / 256) * 1000;
}

for (const m of MODES) {
  test(`stayalive pair, ${m.label}: election, crash takeover, preempt, nopreempt, SIGTERM handover`, async () => {
    requireRoot();
    await withLab('vb', async (lab) => {
      const { a, b, c } = await trio(lab);
      const conf = (prio: number, extra: Partial<Parameters<typeof vrrpConf>[0]> = {}): string =>
        vrrpConf({ vrid: m.vrid, priority: prio, version: m.version, advertInt: m.advertInt, vips: [m.cidr], ...extra });
      startNode(lab, a, 'stayalive', conf(150));
      startNode(lab, b, 'stayalive', conf(100));

      // Election: a (150) only; the client reaches the VIP through a's MAC.
      await waitSoleHolder([a, b], a, m.vip, mdiMs(m, 150) + 8000);
      await waitAnswerFrom(c, m.vip, MAC.a, 3000);
      await sleep(3 * m.advertInt * 1000);
      assert.equal(await hasAddr(b, m.vip), false, 'backup holds no VIP');

      // Crash a: b answers within its Master_Down_Interval + margin (measured from the kill).
      const t0 = await crash(a);
      const took = await waitNeighMac(c, m.vip, MAC.b, t0, mdiMs(m, 100) + 3000);
      console.log(`${m.label}: crash → client sees b after ${took.toFixed(0)} ms (MDI ${mdiMs(m, 100).toFixed(0)} ms)`);
      assert.ok(took <= mdiMs(m, 100) + 400, `takeover ${took} ms within MDI + 400 ms`);
      assert.ok(await hasAddr(b, m.vip), 'b holds the VIP');
      assert.equal((await c.ping(m.vip, { count: 1 })).received, 1, 'VIP answers after takeover');

      // Restart a with nopreempt: it stays backup although its priority is higher.
      const np = startNode(lab, a, 'stayalive', conf(150, { nopreempt: true }), 'np');
      await sleep(2 * mdiMs(m, 150) + 500);
      assert.equal(await hasAddr(a, m.vip), false, 'nopreempt: a does not take the VIP');
      assert.equal(await neighMac(c, m.vip), MAC.b);
      np.proc.kill('SIGTERM');
      await np.proc.exited;

      // Restart a normally: it preempts b.
      const a2 = startNode(lab, a, 'stayalive', conf(150), '2');
      await waitSoleHolder([a, b], a, m.vip, mdiMs(m, 150) + 8000);
      await waitNeighMac(c, m.vip, MAC.a, performance.now(), 3000);

      // SIGTERM a: priority-0 advert, b takes over after ~Skew_Time.
      const cap = await c.capture('eth0', 'ip proto 112 or ip6 proto 112');
      await sleep(300);
      const t1 = performance.now();
      a2.proc.kill('SIGTERM');
      const handover = await waitNeighMac(c, m.vip, MAC.b, t1, mdiMs(m, 100) + 3000);
      console.log(`${m.label}: SIGTERM → client sees b after ${handover.toFixed(0)} ms (skew ${skewMs(m, 100).toFixed(0)} ms)`);
      assert.ok(handover < mdiMs(m, 100), `handover ${handover} ms faster than MDI`);
      assert.equal((await a2.proc.exited).code, 0);
      assert.equal(await hasAddr(a, m.vip), false, 'a removed its VIP on SIGTERM');
      await sleep(200);
      const lines = await readPcap(await cap.stop());
      const from = m.vip.includes(':') ? 'fe80::' : '192.0.2.1 >';
      assert.ok(
        lines.some((l) => l.includes(from) && /prio 0\b/.test(l)),
        `priority-0 advert from a in the capture:\n${lines.slice(-8).join('\n')}`,
      );
    });
  });
}
