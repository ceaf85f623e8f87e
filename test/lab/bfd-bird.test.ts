// BFD interop with BIRD 2 (Debian bird2), IPv4 and IPv6 on one veth, both sides 50 ms × 3:
// sessions come Up, go Down when BIRD is SIGKILLed and when the link is cut (carrier loss) or
// partitioned (100 % loss with nftables), and come back each time. Detection times are
// printed as "# BFD …" lines for the report. Needs root and scripts/bfd-packages.txt.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Host, type Lab } from './lib/index.js';
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

function startBird(lab: Lab, peer: Host) {
  const conf = `${lab.dir}/bird.conf`;
  writeFileSync(
    conf,
    [
      'router id 198.51.100.1;',
      'log stderr all;',
      'protocol device { }',
      'protocol bfd {',
      `  interface "eth0" { interval ${TX_MS} ms; multiplier ${MULT}; };`,
      `  neighbor ${OURS.v4} dev "eth0";`,
      `  neighbor ${OURS.v6} dev "eth0";`,
      '}',
      '',
    ].join('\n'),
  );
  const sock = `${lab.dir}/bird.ctl`;
  const proc = peer.spawn(['bird', '-f', '-c', conf, '-s', sock, '-P', `${lab.dir}/bird.pid`], {
    logTo: `${lab.dir}/bird.log`,
  });
  return { proc, sock };
}

test(
  'BFD against BIRD: Up, SIGKILL, cut, partition, IPv4 + IPv6',
  { timeout: 60_000 },
  async () => {
    requireRoot();
    await withLab('bfdbird', async (lab) => {
      const { peer, ours, link } = await pair(lab);
      let bird = startBird(lab, peer);
      const t0 = wall();
      const drv = new Driver(ours, lab);
      const upMs = await drv.bothUp(t0, 8000);
      // BIRD agrees (its view, not ours).
      const shown = await waitFor(
        async () => {
          const r = await peer.exec(['birdc', '-s', bird.sock, 'show', 'bfd', 'sessions'], {
            check: false,
          });
          return (r.stdout.match(/\bUp\b/g) ?? []).length >= 2 && r.stdout;
        },
        { timeoutMs: 3000, what: 'BIRD shows both sessions Up' },
      );
      assert.match(shown, /198\.51\.100\.2/);
      assert.match(shown, /2001:db8:3::2/);

      // 1. BIRD killed: our side detects after ~Detection Time.
      await new Promise((r) => setTimeout(r, 500));
      const tk = wall();
      bird.proc.kill('SIGKILL');
      const kill = await drv.bothDown(tk);
      assertDetection('IPv4 after SIGKILL', kill.v4);
      assertDetection('IPv6 after SIGKILL', kill.v6);
      const expired = drv.expiredAfter(tk);
      await bird.proc.exited;

      // 2. BIRD back: Up again.
      const tr = wall();
      bird = startBird(lab, peer);
      const backMs = await drv.bothUp(tr, 8000);

      // 3. Link cut (BIRD's interface down: carrier lost on our side).
      await new Promise((r) => setTimeout(r, 300));
      const cut = await cutDetection(drv, 'cutLink', () => lab.cutLink(link));
      const tu = wall();
      await lab.restoreLink(link);
      const restoredMs = await drv.bothUp(tu, 8000);

      // 4. Partition: 100 % loss both ways on BIRD's interface.
      await new Promise((r) => setTimeout(r, 300));
      const loss = await cutDetection(drv, '100 % loss', () => lab.loss(peer, 'eth0', 100, 'both'));
      const th = wall();
      await lab.loss(peer, 'eth0', 0, 'both');
      const healedMs = await drv.bothUp(th, 8000);

      const status = await drv.stop();
      const sessions = status?.sessions ?? [];
      assert.equal(sessions.length, 2);
      for (const s of sessions) assert.equal(s.counters.dropped, 0, `${s.name} dropped packets`);
      report('BIRD detection ms (50 ms x 3)', {
        firstUpMs: Math.round(upMs),
        killToDown: kill,
        expiredAfterMs: expired,
        restartToUpMs: Math.round(backMs),
        cutToDown: cut,
        restoreToUpMs: Math.round(restoredMs),
        lossToDown: loss,
        healToUpMs: Math.round(healedMs),
      });
    });
  },
);
