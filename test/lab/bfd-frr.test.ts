// BFD interop with FRR bfdd (Debian frr 8.4), IPv4 and IPv6 on one veth, both sides 50 ms × 3:
// sessions come Up (FRR agrees in `show bfd peers`), go Down when bfdd is SIGKILLed and when
// the link is partitioned (100 % loss), and come back. zebra and bfdd run as user frr with
// every socket, pid and vty path under the lab directory. Needs root and scripts/bfd-packages.txt.
import assert from 'node:assert/strict';
import { chmodSync, chownSync, mkdirSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { test } from 'node:test';
import { requireRoot, run, sleep, waitFor, withLab, type Host, type Lab } from './lib/index.js';
import {
  assertDetection,
  cutDetection,
  Driver,
  MULT,
  OURS,
  pair,
  report,
  TX_MS,
  wall,
} from './bfd-common.js';

const FRR = '/usr/lib/frr';

async function frrIds(): Promise<{ uid: number; gid: number }> {
  const id = async (flag: string): Promise<number> =>
    Number((await run(['id', flag, 'frr'])).stdout.trim());
  return { uid: await id('-u'), gid: await id('-g') };
}

function frrDir(lab: Lab, ids: { uid: number; gid: number }): string {
  const dir = `${lab.dir}/frr`;
  mkdirSync(dir, { recursive: true });
  chmodSync(lab.dir, 0o755); // the daemons run as frr and must reach their directory
  const peerBlock = (addr: string): string[] => [
    ` peer ${addr} interface eth0`,
    `  detect-multiplier ${MULT}`,
    `  receive-interval ${TX_MS}`,
    `  transmit-interval ${TX_MS}`,
    ' exit',
    ' !',
  ];
  writeFileSync(`${dir}/zebra.conf`, '!\n');
  writeFileSync(
    `${dir}/bfdd.conf`,
    ['bfd', ...peerBlock(OURS.v4), ...peerBlock(OURS.v6), 'exit', ''].join('\n'),
  );
  for (const f of ['', '/zebra.conf', '/bfdd.conf']) chownSync(`${dir}${f}`, ids.uid, ids.gid);
  return dir;
}

function daemon(host: Host, lab: Lab, dir: string, name: 'zebra' | 'bfdd') {
  const common = [
    '-N', host.ns, '--vty_socket', dir, '-z', `${dir}/zserv.api`, '-i', `${dir}/${name}.pid`,
    '-u', 'frr', '-g', 'frr', '-f', `${dir}/${name}.conf`, '-P', '0', '--log', 'stdout',
  ]; // prettier-ignore
  const extra = name === 'bfdd' ? ['--bfdctl', `${dir}/bfdd.sock`] : [];
  return host.spawn([`${FRR}/${name}`, ...common, ...extra], {
    logTo: `${lab.dir}/${name}-${lab.seq++}.log`,
  });
}

async function frrPeers(host: Host, dir: string): Promise<string> {
  const r = await host.exec(['vtysh', '--vty_socket', dir, '-c', 'show bfd peers brief'], {
    check: false,
  });
  return r.stdout;
}

test('BFD against FRR bfdd: Up, SIGKILL, partition, IPv4 + IPv6', { timeout: 60_000 }, async () => {
  requireRoot();
  assert.equal(userInfo().uid, 0);
  const ids = await frrIds();
  await withLab('bfdfrr', async (lab) => {
    const { peer, ours } = await pair(lab);
    const dir = frrDir(lab, ids);
    daemon(peer, lab, dir, 'zebra');
    await waitFor(async () => (await run(['ls', dir])).stdout.includes('zserv.api'), {
      timeoutMs: 5000,
      what: 'zebra socket',
    });
    const bfdd = daemon(peer, lab, dir, 'bfdd');
    const t0 = wall();
    const drv = new Driver(ours, lab);
    const upMs = await drv.bothUp(t0, 8000);
    const shown = await waitFor(
      async () => {
        const out = await frrPeers(peer, dir);
        return (out.match(/\bup\b/g) ?? []).length >= 2 && out;
      },
      { timeoutMs: 3000, what: 'FRR shows both peers up' },
    );
    assert.match(shown, /198\.51\.100\.2/);
    assert.match(shown, /2001:db8:3::2/);

    // 1. bfdd killed.
    await sleep(500);
    const tk = wall();
    bfdd.kill('SIGKILL');
    const kill = await drv.bothDown(tk);
    assertDetection('IPv4 after SIGKILL', kill.v4);
    assertDetection('IPv6 after SIGKILL', kill.v6);
    const expired = drv.expiredAfter(tk);
    await bfdd.exited;

    // 2. bfdd back.
    const tr = wall();
    daemon(peer, lab, dir, 'bfdd'); // tracked by the lab, killed at teardown
    const backMs = await drv.bothUp(tr, 8000);

    // 3. Partition: 100 % loss both ways on FRR's interface.
    await sleep(300);
    const loss = await cutDetection(drv, '100 % loss', () => lab.loss(peer, 'eth0', 100, 'both'));
    const th = wall();
    await lab.loss(peer, 'eth0', 0, 'both');
    const healedMs = await drv.bothUp(th, 8000);

    const status = await drv.stop();
    const sessions = status?.sessions ?? [];
    assert.equal(sessions.length, 2);
    for (const s of sessions) assert.equal(s.counters.dropped, 0, `${s.name} dropped packets`);
    // Our AdminDown on stop takes FRR's sessions down at once.
    await waitFor(async () => !/\bup\b/.test(await frrPeers(peer, dir)), {
      timeoutMs: 2000,
      what: 'FRR sees our sessions go down after our AdminDown',
    });
    report('FRR detection ms (50 ms x 3)', {
      firstUpMs: Math.round(upMs),
      killToDown: kill,
      expiredAfterMs: expired,
      restartToUpMs: Math.round(backMs),
      lossToDown: loss,
      healToUpMs: Math.round(healedMs),
    });
  });
});
