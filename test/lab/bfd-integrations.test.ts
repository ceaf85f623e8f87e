// The users of a BFD session, end to end with the real daemon (dist/) in the two-uplink lab of
// gateway-common.ts: BIRD on the ISP runs BFD (50 ms × 3) to R1 and R3, and each router's
// stayalive has one bfd_instance to it, shared by
//   (a) gateway_track UPLINK `method bfd` holding `default metric 10`,
//   (b) vrrp_instance VW with `track_bfd { UP weight -100 }` and VF with `track_bfd { UP }`
//       (no weight → FAULT),
//   (c) vrrp_instance VG with `track_gateway { UPLINK }` (the gateway's weight -100),
//   (d) on R1, a virtual_server whose real server has `BFD_CHECK { name UP }`.
// R1 (priority 150) is master of all three instances. 100 % loss on the ISP's end of R1's uplink
// (nftables) kills R1's session only: R1's tracked route goes, every VIP moves to R3, and the real
// server leaves R1's nft table. Removing the loss brings everything back (VRRP preempts). Then
// BIRD is killed: both routers delete their tracked route; BIRD restarted: both come back.
import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { nativeAvailable } from '../../src/os/native.js';
import { buildTopo, defaults, startBird, type Topo } from './gateway-common.js';
import { sleep, waitFor, withLab, type Host, type Lab, type LabProcess } from './lib/index.js';
import { daemonArgv } from './lib/stayalive.js';

const skip =
  process.getuid?.() !== 0 ? 'needs root' : !nativeAvailable() ? 'addon not built' : false;

const VIPS = { VW: '192.0.2.51', VF: '192.0.2.52', VG: '192.0.2.53' } as const;
const RS = '192.0.2.10';

function routerConf(o: {
  name: string;
  isp: string;
  ifname: string;
  priority: number;
  lb: boolean;
}): string {
  const inst = (name: string, vrid: number, track: string): string => `
vrrp_instance ${name} {
    state BACKUP
    interface lan
    virtual_router_id ${vrid}
    priority ${o.priority}
    version 3
    advert_int 0.1
    ${track}
    virtual_ipaddress {
        ${VIPS[name as keyof typeof VIPS]}/26
    }
}`;
  const lb = o.lb
    ? `
virtual_server 203.0.113.200 80 {
    lb_algo rr
    lb_kind NAT
    protocol TCP
    real_server ${RS} 80 {
        BFD_CHECK {
            name UP
        }
    }
}`
    : '';
  return `global_defs {
    router_id ${o.name}
    vrrp_garp_master_delay 1
}
bfd_instance UP {
    neighbor_ip ${o.isp}
    min_rx 50
    min_tx 50
    multiplier 3
}
gateway_track UPLINK {
    address ${o.isp}
    interface ${o.ifname}
    method bfd
    interval 1
    rise 1
    fall 1
    weight -100
    route {
        default metric 10
    }
}
${inst('VW', 51, 'track_bfd {\n        UP weight -100\n    }')}
${inst('VF', 52, 'track_bfd {\n        UP\n    }')}
${inst('VG', 53, 'track_gateway {\n        UPLINK\n    }')}
${lb}
`;
}

function startDaemon(lab: Lab, h: Host, conf: string): LabProcess {
  const f = (x: string): string => join(lab.dir, `${h.name}-${x}`);
  writeFileSync(f('sa.conf'), conf);
  return h.spawn(daemonArgv(f('sa.conf'), f(''), ['-D']), { logTo: f('daemon.log') });
}

/** The service's slot map in the LB's nft table (what lb-e2e.test.ts reads). */
const slots = async (h: Host): Promise<string> =>
  (
    await h.exec(['nft', 'list', 'map', 'ip', 'stayalive', 'vs_203_0_113_200_tcp_80_slots'], {
      check: false,
    })
  ).stdout;

/** Addresses on the host's `lan` interface. */
async function lanAddrs(h: Host): Promise<Set<string>> {
  const r = await h.ip(['-o', '-4', 'addr', 'show', 'dev', 'lan'], { check: false });
  return new Set([...r.stdout.matchAll(/inet (\S+)\//g)].map((m) => m[1]));
}

async function vipHolders(t: Topo): Promise<Record<string, string>> {
  const [a, b] = await Promise.all([lanAddrs(t.r1), lanAddrs(t.r3)]);
  const out: Record<string, string> = {};
  for (const [name, vip] of Object.entries(VIPS)) {
    out[name] = a.has(vip) && b.has(vip) ? 'both' : a.has(vip) ? 'r1' : b.has(vip) ? 'r3' : 'none';
  }
  return out;
}

interface Snapshot {
  route: boolean;
  rs: boolean;
  vips: Record<string, string>;
}

/**
 * Polls one snapshot (4 commands at once) every 20 ms until every check holds, and returns ms
 * from `since` to the first snapshot where each check held (one poll loop, so the polling itself
 * loads the 2-core host as little as possible).
 */
async function until(
  snap: () => Promise<Snapshot>,
  checks: Record<string, (s: Snapshot) => boolean>,
  since: number,
  timeoutMs: number,
): Promise<Record<string, number>> {
  const at: Record<string, number> = {};
  let last: Snapshot | null = null;
  while (performance.now() - since < timeoutMs) {
    last = await snap();
    const t = Math.round(performance.now() - since);
    for (const [k, f] of Object.entries(checks)) if (at[k] === undefined && f(last)) at[k] = t;
    if (Object.keys(at).length === Object.keys(checks).length) return at;
    await sleep(20);
  }
  const missing = Object.keys(checks).filter((k) => at[k] === undefined);
  throw new Error(`timed out: ${missing.join(', ')} (last ${JSON.stringify(last)})`);
}

const all = (who: string): Record<string, string> => ({ VW: who, VF: who, VG: who });

test(
  'one BFD session followed by gateway_track, track_bfd, track_gateway and BFD_CHECK',
  { skip, timeout: 90_000 },
  async (t) => {
    await withLab('bfdusers', async (lab) => {
      const topo = await buildTopo(lab);
      const peers: [string, string][] = [
        ['198.51.100.2', 'r1'],
        ['198.51.100.6', 'r3'],
      ];
      let bird = startBird(lab, topo.isp, peers);
      const d3 = startDaemon(
        lab,
        topo.r3,
        routerConf({ name: 'r3', isp: '198.51.100.5', ifname: 'up2', priority: 100, lb: false }),
      );
      const d1 = startDaemon(
        lab,
        topo.r1,
        routerConf({ name: 'r1', isp: '198.51.100.1', ifname: 'up1', priority: 150, lb: true }),
      );
      const r1Route = async (): Promise<boolean> =>
        (await defaults(topo.r1)).includes('via 198.51.100.1 metric 10 proto 90');
      const rsIn = async (): Promise<boolean> => (await slots(topo.r1)).includes(RS);
      const snap = async (): Promise<Snapshot> => {
        const [route, rs, vips] = await Promise.all([r1Route(), rsIn(), vipHolders(topo)]);
        return { route, rs, vips };
      };
      try {
        await waitFor(r1Route, { timeoutMs: 15_000, what: 'R1 tracked route (BFD Up)' });
        await waitFor(
          async () => (await defaults(topo.r3)).includes('via 198.51.100.5 metric 10 proto 90'),
          { timeoutMs: 10_000, what: 'R3 tracked route' },
        );
        await waitFor(
          async () => JSON.stringify(await vipHolders(topo)) === JSON.stringify(all('r1')),
          {
            timeoutMs: 15_000,
            intervalMs: 100,
            what: 'R1 master of VW, VF, VG',
          },
        );
        await waitFor(rsIn, { timeoutMs: 15_000, intervalMs: 100, what: 'RS in R1 nft table' });
        await sleep(500);
        assert.deepEqual(await vipHolders(topo), all('r1'), 'stable before the cut');

        // R1's BFD neighbour goes silent (both directions at the ISP end).
        const cutAt = performance.now();
        await lab.loss(topo.isp, 'r1', 100, 'both');
        const at = await until(
          snap,
          {
            route: (x) => !x.route, // (a)
            VW: (x) => x.vips.VW === 'r3', // (b) track_bfd weight -100
            VF: (x) => x.vips.VF === 'r3', // (b) track_bfd, no weight: FAULT
            VG: (x) => x.vips.VG === 'r3', // (c) track_gateway
            rs: (x) => !x.rs, // (d) BFD_CHECK
          },
          cutAt,
          5000,
        );
        t.diagnostic(`BFD loss → effect, ms: ${JSON.stringify(at)}`);
        // BFD's 150 ms detection + polling of a loaded host; VRRP and the checker are slower (a
        // 0.1 s advert, BFD_CHECK's 1 s poll).
        assert.ok(at.route <= 1000, `route deleted ${at.route} ms after the loss`);
        assert.ok(at.rs <= 2500, `real server out ${at.rs} ms after the loss`);
        assert.deepEqual(await vipHolders(topo), all('r3'));
        assert.ok(await r1Route().then((x) => !x));
        assert.ok(
          (await defaults(topo.r3)).includes('via 198.51.100.5 metric 10 proto 90'),
          'R3 keeps its route',
        );
        assert.match(
          readFileSync(join(lab.dir, 'r1-daemon.log'), 'utf8'),
          /\(VF\) Entering FAULT STATE/i,
        );

        // Loss removed: BFD Up again, everything returns to R1.
        const healAt = performance.now();
        await lab.loss(topo.isp, 'r1', 0, 'both');
        const back = await until(
          snap,
          {
            route: (x) => x.route,
            vips: (x) => JSON.stringify(x.vips) === JSON.stringify(all('r1')),
            rs: (x) => x.rs,
          },
          healAt,
          10_000,
        );
        t.diagnostic(`BFD heal → effect, ms: ${JSON.stringify(back)}`);

        // The peer itself stops (SIGKILL): both routers lose their tracked route; BIRD back →
        // both routes return.
        const tracked = async (): Promise<boolean[]> => [
          await r1Route(),
          (await defaults(topo.r3)).includes('via 198.51.100.5 metric 10 proto 90'),
        ];
        const killAt = performance.now();
        bird.kill('SIGKILL');
        await waitFor(async () => (await tracked()).every((x) => !x), {
          timeoutMs: 3000,
          intervalMs: 20,
          what: 'both tracked routes deleted after BIRD was killed',
        });
        const killMs = Math.round(performance.now() - killAt);
        await bird.exited;
        const birdAt = performance.now();
        bird = startBird(lab, topo.isp, peers);
        await waitFor(async () => (await tracked()).every((x) => x), {
          timeoutMs: 8000,
          intervalMs: 50,
          what: 'both tracked routes back after BIRD restarted',
        });
        t.diagnostic(
          `BIRD killed → both routes deleted ${killMs} ms; restarted → back ${Math.round(performance.now() - birdAt)} ms`,
        );
        assert.ok(killMs <= 1500, `routes deleted ${killMs} ms after the kill`);
      } finally {
        d1.kill('SIGTERM');
        d3.kill('SIGTERM');
        await Promise.all([d1.exited, d3.exited]);
        await bird.stop(1000);
      }
      // Graceful stop: the tracked routes are gone.
      assert.deepEqual(await defaults(topo.r1), []);
    });
  },
);
