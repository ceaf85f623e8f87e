// Two stayalive nodes on a switch elect the higher priority, the VIP lives only there, a crash
// (SIGSTOP + SIGKILL) moves it to the backup within Master_Down_Interval + margin, a restart
// preempts back (not with nopreempt), and SIGTERM hands over after ~Skew_Time with a priority-0
// advert on the wire. v2/IPv4, v3/IPv4 and v3/IPv6. Needs root and `npm run build`.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { readPcap, requireRoot, run, sleep, waitFor, withLab, type Host } from './lib/index.js';
import { stayalivectlArgv } from './lib/stayalive.js';
import {
  MAC,
  crash,
  fdbPort,
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
  {
    label: 'v2 IPv4',
    version: 2,
    advertInt: 1,
    vip: '192.0.2.100',
    cidr: '192.0.2.100/24',
    vrid: 51,
  },
  {
    label: 'v3 IPv4',
    version: 3,
    advertInt: 0.2,
    vip: '192.0.2.101',
    cidr: '192.0.2.101/24',
    vrid: 52,
  },
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
        vrrpConf({
          vrid: m.vrid,
          priority: prio,
          version: m.version,
          advertInt: m.advertInt,
          vips: [m.cidr],
          ...extra,
        });
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
      console.log(
        `${m.label}: crash → client sees b after ${took.toFixed(0)} ms (MDI ${mdiMs(m, 100).toFixed(0)} ms)`,
      );
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
      console.log(
        `${m.label}: SIGTERM → client sees b after ${handover.toFixed(0)} ms (skew ${skewMs(m, 100).toFixed(0)} ms)`,
      );
      assert.ok(handover < mdiMs(m, 100), `handover ${handover} ms faster than MDI`);
      assert.equal((await a2.proc.exited).code, 0);
      assert.equal(await hasAddr(a, m.vip), false, 'a removed its VIP on SIGTERM');
      await sleep(200);
      const lines = await readPcap(await cap.stop());
      const from = m.vip.includes(':') ? 'fe80::' : '192.0.2.1 >';
      // Exactly one: the signal handler sent it, and the stop path did not send it again.
      assert.equal(
        lines.filter((l) => l.includes(from) && /prio 0\b/.test(l)).length,
        1,
        `one priority-0 advert from a in the capture:\n${lines.slice(-8).join('\n')}`,
      );
      assert.match(
        readFileSync(a2.log, 'utf8'),
        /priority-0 advert sent by the stop signal's handler/,
      );
      // And no regular advert of a (priority 150) after it: a's advert timer may run between
      // the signal handler and the stop, and its advert would make b wait the whole MDI.
      const zero = lines.findIndex((l) => l.includes(from) && /prio 0\b/.test(l));
      const after = lines.slice(zero + 1).filter((l) => /prio 150\b/.test(l));
      assert.deepEqual(after, [], 'no advert from a after its priority-0 advert');
    });
  });
}

interface InstanceStatus {
  name: string;
  state: string;
  effectivePriority: number;
  counters: {
    advertsOut: number;
    transitions: number;
    preparedTakeovers: number;
    garpSent: number;
    drops: Record<string, number>;
  };
}

async function vrrpStatus(h: Host, sock: string): Promise<InstanceStatus[]> {
  const r = await h.exec([...stayalivectlArgv(), '--socket', sock, '--json', 'status']);
  const st = JSON.parse(r.stdout) as { subsystems: { vrrp: { instances: InstanceStatus[] } } };
  return st.subsystems.vrrp.instances;
}

test('reload: unchanged instance keeps its state, added one starts, removed one gives up its VIP; status', async () => {
  requireRoot();
  await withLab('vr', async (lab) => {
    const { a } = await trio(lab);
    const inst = (name: string, vrid: number, vip: string): string =>
      `vrrp_instance ${name} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority 150\n  version 3\n  advert_int 0.1\n  virtual_ipaddress {\n    ${vip}/24\n  }\n}\n`;
    const head = 'global_defs {\n  vrrp_garp_master_delay 1\n}\n';
    const n = startNode(lab, a, 'stayalive', head + inst('VI_1', 70, '192.0.2.170'));
    const sock = n.log.replace(/\.log$/, '.sock');
    const conf = n.log.replace(/\.log$/, '.conf');
    await waitFor(async () => hasAddr(a, '192.0.2.170'), { timeoutMs: 8000, what: 'VI_1 master' });
    await waitFor(() => existsSync(sock), { timeoutMs: 5000, what: 'control socket' });
    const before = (await vrrpStatus(a, sock)).find((s) => s.name === 'VI_1');
    assert.equal(before?.state, 'MASTER');
    assert.equal(before?.effectivePriority, 150);
    assert.ok((before?.counters.advertsOut ?? 0) > 0, 'adverts counted');

    writeFileSync(conf, head + inst('VI_1', 70, '192.0.2.170') + inst('VI_2', 71, '192.0.2.171'));
    n.proc.kill('SIGHUP');
    await waitFor(async () => hasAddr(a, '192.0.2.171'), { timeoutMs: 8000, what: 'VI_2 master' });
    const after = await vrrpStatus(a, sock);
    const v1 = after.find((s) => s.name === 'VI_1');
    assert.equal(v1?.state, 'MASTER');
    assert.equal(
      v1?.counters.transitions,
      before?.counters.transitions,
      'VI_1 untouched by reload',
    );
    assert.ok((v1?.counters.advertsOut ?? 0) > (before?.counters.advertsOut ?? 0));

    writeFileSync(conf, head + inst('VI_2', 71, '192.0.2.171'));
    n.proc.kill('SIGHUP');
    await waitFor(async () => !(await hasAddr(a, '192.0.2.170')), {
      timeoutMs: 5000,
      what: 'VI_1 VIP removed',
    });
    assert.ok(await hasAddr(a, '192.0.2.171'), 'VI_2 keeps its VIP');
    assert.deepEqual(
      (await vrrpStatus(a, sock)).map((s) => s.name),
      ['VI_2'],
    );
  });
});

test('takeover: advert, VIPs and first GARP leave as one prepared batch; the paced rest follows once', async () => {
  requireRoot();
  await withLab('vt', async (lab) => {
    const { a, b, c } = await trio(lab);
    const vips = ['192.0.2.180', '192.0.2.181'];
    // 3 rounds over 2 VIPs, 5 ms apart: only the first frame can go with the batch.
    const conf = (prio: number): string =>
      vrrpConf({
        vrid: 58,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: vips.map((v) => `${v}/24`),
        global:
          '  vrrp_garp_master_repeat 3\n  vrrp_garp_interval 0.005\n  vrrp_garp_master_delay 5\n',
      });
    startNode(lab, a, 'stayalive', conf(150));
    const nb = startNode(lab, b, 'stayalive', conf(100));
    await waitSoleHolder([a, b], a, vips[0], 8000);
    const sock = nb.log.replace(/\.log$/, '.sock');
    await waitFor(() => existsSync(sock), { timeoutMs: 5000, what: 'control socket' });
    // b may have been master for a moment at start, before a's first advert: count from here.
    const before = (await vrrpStatus(b, sock))[0].counters;
    const cap = await c.capture('eth0', 'arp or ip proto 112');
    await sleep(300);
    await crash(a);
    await waitFor(async () => hasAddr(b, vips[1]), { timeoutMs: 3000, what: 'b takes over' });
    await sleep(500); // the burst lasts 25 ms; the delayed one comes 5 s later
    const path = await cap.stop();
    const st = (await vrrpStatus(b, sock))[0];
    assert.equal(st.state, 'MASTER');
    assert.equal(
      st.counters.preparedTakeovers - before.preparedTakeovers,
      1,
      'the takeover went out as a batch',
    );
    assert.equal(
      st.counters.garpSent - before.garpSent,
      6,
      'every frame of the burst counted once',
    );
    // On the wire: b's first advert, then its 6 GARPs, in VIP order, paced.
    const r = await run(['tcpdump', '-tt', '-e', '-n', '-r', path]);
    const fromB = r.stdout.split('\n').filter((l) => l.includes(`${MAC.b} >`));
    const firstAdvert = fromB.findIndex((l) => /VRRPv3/.test(l));
    const garps = fromB.filter((l) => /ARP/.test(l));
    assert.ok(firstAdvert >= 0, 'b advertised');
    assert.ok(fromB.findIndex((l) => /ARP/.test(l)) > firstAdvert, 'advert before GARP');
    assert.equal(garps.length, 6, `6 GARPs from b:\n${garps.join('\n')}`);
    const order = garps.map((l) => vips.find((v) => l.includes(`who-has ${v} `)));
    assert.deepEqual(order, [...vips, ...vips, ...vips]);
    const t = garps.map((l) => Number(l.split(' ')[0]) * 1000);
    for (let i = 1; i < t.length; i++)
      assert.ok(t[i] - t[i - 1] >= 4, `GARP ${i} only ${(t[i] - t[i - 1]).toFixed(1)} ms after`);
  });
});

test('use_vmac: the VIP lives on vrrp.55 with MAC 00:00:5e:00:01:37; a crash moves the VMAC to b', async () => {
  requireRoot();
  await withLab('vm', async (lab) => {
    const { a, b, c, sw } = await trio(lab);
    const vip = '192.0.2.155';
    const vmac = '00:00:5e:00:01:37';
    const conf = (prio: number): string =>
      vrrpConf({
        vrid: 55,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: [`${vip}/24`],
        extra: '  use_vmac',
      });
    startNode(lab, a, 'stayalive', conf(150));
    const nb = startNode(lab, b, 'stayalive', conf(100));
    await waitSoleHolder([a, b], a, vip, 8000, 'vrrp.55');
    await waitAnswerFrom(c, vip, vmac, 3000);
    assert.equal(await fdbPort(sw, vmac), 'a-eth0', 'the switch forwards the VMAC to a');
    const t0 = await crash(a);
    await waitFor(async () => (await fdbPort(sw, vmac)) === 'b-eth0', {
      timeoutMs: 3000,
      intervalMs: 10,
      what: 'VMAC moved to b',
    });
    console.log(
      `use_vmac: crash → VMAC on b's port after ${(performance.now() - t0).toFixed(0)} ms (MDI 361 ms)`,
    );
    assert.ok(await hasAddr(b, vip, 'vrrp.55'));
    assert.equal((await c.ping(vip, { count: 1 })).received, 1);
    // SIGTERM removes the VIP and the macvlan.
    nb.proc.kill('SIGTERM');
    await nb.proc.exited;
    const links = await b.ip(['-o', 'link', 'show']);
    assert.doesNotMatch(links.stdout, /vrrp\.55/, 'VMAC removed on stop');
  });
});

test('use_vmac, IPv6: the VIP answers from 00:00:5e:00:02:38 on vrrp.56, adverts leave from the link-local; a crash moves the VMAC to b', async () => {
  requireRoot();
  await withLab('vm6', async (lab) => {
    const { a, b, c, sw } = await trio(lab);
    const vip = '2001:db8:2::156';
    const vmac = '00:00:5e:00:02:38';
    const conf = (prio: number): string =>
      vrrpConf({
        vrid: 56,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: [`${vip}/64`],
        extra: '  use_vmac',
      });
    // Router solicitations (ICMPv6 type 133) from the virtual MAC: there must be none.
    const rs = await c.capture('eth0', `ether src ${vmac} and icmp6 and ip6[40] == 133`);
    startNode(lab, a, 'stayalive', conf(150));
    startNode(lab, b, 'stayalive', conf(100));
    await waitSoleHolder([a, b], a, vip, 8000, 'vrrp.56');
    // No EUI-64 link-local from the virtual MAC; the base's link-local instead (keepalived's way).
    const addrs = (await a.ip(['-6', '-o', 'addr', 'show', 'dev', 'vrrp.56'])).stdout;
    assert.doesNotMatch(addrs, /fe80::200:5eff:fe00:238/, 'no address built from the VMAC');
    const baseLl = /inet6 (fe80::[0-9a-f:]+)\/64/.exec(
      (await a.ip(['-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout,
    )?.[1];
    assert.ok(baseLl && addrs.includes(baseLl), `vrrp.56 carries ${baseLl}: ${addrs}`);
    // Deprecated (preferred_lft 0), as keepalived adds it; and an IPv6 VMAC leaves the base's
    // ARP settings alone (keepalived changes them for IPv4 VMACs only).
    assert.match(addrs, new RegExp(`${baseLl}/64 .*deprecated`), addrs);
    const arpFilter = await run([
      'ip',
      'netns',
      'exec',
      a.ns,
      'cat',
      '/proc/sys/net/ipv4/conf/eth0/arp_filter',
    ]);
    assert.equal(arpFilter.stdout.trim(), '0');
    await waitAnswerFrom(c, vip, vmac, 3000);
    const cap = await c.capture('eth0', 'ip6 proto 112');
    await sleep(400);
    const adverts = await readPcap(await cap.stop());
    assert.ok(
      adverts.some((l) => l.includes(`${baseLl} > ff02::12`)),
      `adverts from ${baseLl}:\n${adverts.slice(0, 3).join('\n')}`,
    );
    // The backup's VMAC sends its own MLD reports for a second or two after it comes up
    // (keepalived joins ff02::12 on its VMAC too); the master's next advert takes the switch
    // back. Past that, the switch must stay on a.
    await sleep(2500);
    for (let i = 0; i < 5; i++) {
      assert.equal(await fdbPort(sw, vmac), 'a-eth0', 'the switch forwards the VMAC to a');
      await sleep(100);
    }
    await crash(a);
    // b's own MLD traffic can move the switch's entry before b is master: wait for the VIP.
    await waitFor(async () => hasAddr(b, vip, 'vrrp.56'), {
      timeoutMs: 3000,
      intervalMs: 10,
      what: 'b holds the VIP on vrrp.56',
    });
    await waitFor(async () => (await fdbPort(sw, vmac)) === 'b-eth0', {
      timeoutMs: 3000,
      intervalMs: 10,
      what: 'VMAC moved to b',
    });
    await waitAnswerFrom(c, vip, vmac, 3000);
    assert.deepEqual(await readPcap(await rs.stop()), [], 'no router solicitation from the VMAC');
  });
});

test('use_vmac + vmac_xmit_base, IPv6: adverts from the base (its MAC and link-local), the VIP on the VMAC (no link-local of its own)', async () => {
  requireRoot();
  await withLab('vx6', async (lab) => {
    const { a, b, c, sw } = await trio(lab);
    const vip = '2001:db8:2::157';
    const vmac = '00:00:5e:00:02:39';
    const conf = (prio: number): string =>
      vrrpConf({
        vrid: 57,
        priority: prio,
        version: 3,
        advertInt: 0.1,
        vips: [`${vip}/64`],
        extra: '  use_vmac\n  vmac_xmit_base',
      });
    startNode(lab, a, 'stayalive', conf(150));
    startNode(lab, b, 'stayalive', conf(100));
    await waitSoleHolder([a, b], a, vip, 8000, 'vrrp.57');
    const addrs = (await a.ip(['-6', '-o', 'addr', 'show', 'dev', 'vrrp.57'])).stdout;
    assert.doesNotMatch(addrs, /fe80::/, `no link-local on the VMAC: ${addrs}`);
    const baseLl = /inet6 (fe80::[0-9a-f:]+)\/64/.exec(
      (await a.ip(['-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link'])).stdout,
    )?.[1];
    assert.ok(baseLl, 'a has a link-local on eth0');
    await waitAnswerFrom(c, vip, vmac, 3000);
    const cap = await c.capture('eth0', 'ip6 proto 112');
    await sleep(400);
    const path = await cap.stop();
    const lines = (await run(['tcpdump', '-n', '-e', '-r', path])).stdout.trim().split('\n');
    const fromA = lines.filter((l) => l.includes(`${baseLl} > ff02::12`));
    assert.ok(fromA.length >= 2, `adverts from ${baseLl}:\n${lines.slice(0, 3).join('\n')}`);
    for (const l of fromA) assert.ok(l.includes(` ${MAC.a} > 33:33:00:00:00:12,`), l);
    const t0 = await crash(a);
    // The box goes: its kernel would still answer for the VIP from the shared virtual MAC.
    await a.ip(['link', 'set', 'eth0', 'down']);
    // b's VMAC sends its own MLD reports when it comes up, which may move the switch's entry
    // before b is master: wait for the VIP first.
    await waitFor(async () => hasAddr(b, vip, 'vrrp.57'), {
      timeoutMs: 3000,
      intervalMs: 10,
      what: 'b holds the VIP on vrrp.57',
    });
    const took = performance.now() - t0;
    await waitFor(async () => (await fdbPort(sw, vmac)) === 'b-eth0', {
      timeoutMs: 3000,
      intervalMs: 10,
      what: 'VMAC moved to b',
    });
    console.log(`vmac_xmit_base: crash → b holds the VIP after ${took.toFixed(0)} ms`);
    await waitAnswerFrom(c, vip, vmac, 3000);
  });
});
