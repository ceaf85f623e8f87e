// stayalive against FRR vrrpd (Debian `frr` 8.4), VRRPv3 over IPv4 at 100 ms, in both priority
// orders: exactly one master, the right one; crashing it (every process SIGSTOPped, then
// SIGKILLed) makes the other the master, judged by FRR's own state (`show vrrp json`) and by the
// MAC the client learns for the VIP (FRR answers from the VMAC 00:00:5e:00:01:34 of its
// macvlan, stayalive from its interface MAC). zebra and vrrpd run inside the lab host with their
// config, pid and socket files in the lab directory (the system's frr service is not used).
// FRR needs the macvlan set up by hand: `vrrp4-2-52` on eth0, VMAC, VIP, bridge mode; vrrpd
// only sets it protodown while Backup. Needs root, frr and `npm run build`.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireRoot, sleep, waitFor, withLab, type Host, type Lab } from './lib/index.js';
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
} from './vrrp-common.js';

const VRID = 52;
const VIP = '192.0.2.140';
const VMAC = '00:00:5e:00:01:34';
const FRR_BIN = '/usr/lib/frr';

interface Frr {
  dir: string;
  state(): Promise<string | null>;
}

/** zebra + vrrpd on `h` (eth0, VRID 52, priority `prio`), files under lab.dir/frr-<host>. */
async function startFrr(lab: Lab, h: Host, prio: number): Promise<Frr> {
  // FRR drops to the frr user: it must reach its directory.
  chmodSync(lab.dir, 0o711);
  const dir = join(lab.dir, `frr-${h.name}`);
  mkdirSync(dir);
  const conf = [
    'interface eth0',
    ` vrrp ${VRID} version 3`,
    ` vrrp ${VRID} priority ${prio}`,
    ` vrrp ${VRID} advertisement-interval 100`,
    ` vrrp ${VRID} ip ${VIP}`,
    'exit',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'vrrpd.conf'), conf);
  writeFileSync(join(dir, 'zebra.conf'), '');
  const uid = Number(execFileSync('id', ['-u', 'frr']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'frr']).toString().trim());
  for (const f of ['', 'vrrpd.conf', 'zebra.conf']) chownSync(join(dir, f), uid, gid);
  // The VRRP macvlan, as FRR's documentation has it (IPv4 only here).
  const mv = `vrrp4-2-${VRID}`;
  await h.ip(['link', 'add', mv, 'link', 'eth0', 'type', 'macvlan', 'mode', 'bridge']);
  await h.ip(['link', 'set', mv, 'address', VMAC]);
  await h.ip(['addr', 'add', `${VIP}/24`, 'dev', mv]);
  await h.ip(['link', 'set', mv, 'up']);
  // Only the macvlan speaks ARP for the VIP: eth0 neither answers for it nor asks from it (a
  // reply leaving eth0 from the VIP would otherwise teach the client the node's own MAC).
  await h.exec(['sysctl', '-qw', 'net.ipv4.conf.eth0.arp_ignore=1']);
  await h.exec(['sysctl', '-qw', 'net.ipv4.conf.eth0.arp_announce=2']);
  const common = (d: string): string[] => [
    '-f',
    join(dir, `${d}.conf`),
    '-i',
    join(dir, `${d}.pid`),
    '-z',
    join(dir, 'zserv.api'),
    '--vty_socket',
    dir,
    '-P',
    '0',
    '--log',
    'stdout',
  ];
  h.spawn([join(FRR_BIN, 'zebra'), ...common('zebra')], { logTo: join(dir, 'zebra.log') });
  await waitFor(
    async () => (await h.exec(['test', '-S', join(dir, 'zserv.api')], { check: false })).code === 0,
    {
      timeoutMs: 5000,
      what: 'zebra socket',
    },
  );
  h.spawn([join(FRR_BIN, 'vrrpd'), ...common('vrrpd')], { logTo: join(dir, 'vrrpd.log') });
  return {
    dir,
    state: async () => {
      const r = await h.exec(['vtysh', '--vty_socket', dir, '-c', `show vrrp ${VRID} json`], {
        check: false,
      });
      if (r.code !== 0) return null;
      try {
        const j = JSON.parse(r.stdout) as { v4: { status: string } }[];
        return j[0]?.v4.status ?? null;
      } catch {
        return null;
      }
    },
  };
}

// MDI of a backup at priority 100, 100 ms adverts: 3 × 100 + 61 ms.
const MDI_MS = 361;

for (const highIs of ['stayalive', 'frr'] as const) {
  test(`v3 IPv4: ${highIs} higher priority is the one master; crash moves the VIP`, async () => {
    requireRoot();
    await withLab('vf', async (lab) => {
      const { a, b, c } = await trio(lab);
      const saPrio = highIs === 'stayalive' ? 150 : 100;
      const frrPrio = highIs === 'frr' ? 150 : 100;
      const frr = await startFrr(lab, b, frrPrio);
      const sa = startNode(
        lab,
        a,
        'stayalive',
        vrrpConf({ vrid: VRID, priority: saPrio, version: 3, advertInt: 0.1, vips: [`${VIP}/24`] }),
      );
      const saMaster = highIs === 'stayalive';
      // Exactly one master, the right one, and it stays so.
      const settled = async (): Promise<boolean> =>
        (await hasAddr(a, VIP)) === saMaster &&
        (await frr.state()) === (saMaster ? 'Backup' : 'Master');
      await waitFor(settled, { timeoutMs: 10_000, intervalMs: 100, what: `${highIs} master` });
      for (let i = 0; i < 5; i++) {
        await sleep(200);
        assert.ok(await settled(), `still one master (${highIs}) after ${(i + 1) * 200} ms`);
      }
      await waitAnswerFrom(c, VIP, saMaster ? MAC.a : VMAC, 3000);

      const t0 = await crash(saMaster ? a : b);
      if (saMaster) {
        await waitFor(async () => (await frr.state()) === 'Master', {
          timeoutMs: MDI_MS + 3000,
          intervalMs: 20,
          what: 'FRR takes over',
        });
        const took = await waitNeighMac(c, VIP, VMAC, t0, 3000);
        console.log(`stayalive crashed: FRR answers after ${took.toFixed(0)} ms (MDI ${MDI_MS})`);
      } else {
        const took = await waitNeighMac(c, VIP, MAC.a, t0, MDI_MS + 3000);
        console.log(`FRR crashed: stayalive answers after ${took.toFixed(0)} ms (MDI ${MDI_MS})`);
        assert.ok(await hasAddr(a, VIP), 'stayalive holds the VIP');
      }
      assert.equal(await neighMac(c, VIP), saMaster ? VMAC : MAC.a);
      assert.equal((await c.ping(VIP, { count: 1 })).received, 1, 'VIP answers');
      // stayalive accepted FRR's adverts (same checksum form, VMAC source).
      assert.doesNotMatch(readFileSync(sa.log, 'utf8'), /dropping advert/);
      const vl = readFileSync(join(frr.dir, 'vrrpd.log'), 'utf8');
      assert.doesNotMatch(vl, /checksum|invalid|malformed|discard/i, 'FRR accepted our adverts');
    });
  });
}
