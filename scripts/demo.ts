// stayalive's demo: two directors in front of three real servers, and a client, in network
// namespaces. The classic keepalived LVS-NAT set-up, unchanged: a VRRP sync group moves the
// public VIP and the servers' gateway VIP together, health checks decide which servers get
// traffic, and nftables (no IPVS on this kernel) spreads the connections.
// It shows live: the config test beside keepalived's, load balancing, a server failing its
// health check, a director crash, its return, a graceful handover, and a refused reload.
// Run as root: `npm run demo` (installs what it needs first).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  requireRoot,
  waitFor,
  withLab,
  type Host,
  type LabProcess,
} from '../test/lab/lib/index.js';
import { stayaliveArgv, stayalivectlArgv } from '../test/lab/lib/stayalive.js';
import { crash, neighMac } from '../test/lab/vrrp-common.js';

const daemon = stayaliveArgv();
const ctl = stayalivectlArgv();
const VIP = '203.0.113.100';
const MACS: Record<string, string> = { d1: '02:00:00:00:00:d1', d2: '02:00:00:00:00:d2' };
const RS = ['rs1', 'rs2', 'rs3'];

const say = (s: string): void => console.log(`\n\x1b[1m== ${s}\x1b[0m`);
const show = (s: string): void => console.log(s.replace(/^/gm, '   '));

function directorConf(prio: number): string {
  const rs = [11, 12, 13].map(
    (n) => `  real_server 192.0.2.${n} 80 {
    weight 1
    HTTP_GET {
      url {
        path /health
        status_code 200
      }
      connect_timeout 1
      retry 1
      delay_before_retry 0.5
    }
  }`,
  );
  return `! A director: public VIP on eth0, the servers' gateway VIP on eth1, moving together.
global_defs {
  router_id director-${prio}
  vrrp_version 3
}
vrrp_sync_group G_web {
  group {
    VI_public
    VI_gateway
  }
}
vrrp_instance VI_public {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${prio}
  advert_int 0.5
  virtual_ipaddress {
    ${VIP}/24
  }
}
vrrp_instance VI_gateway {
  state BACKUP
  interface eth1
  virtual_router_id 52
  priority ${prio}
  advert_int 0.5
  virtual_ipaddress {
    192.0.2.254/24
  }
}
virtual_server ${VIP} 80 {
  delay_loop 1
  lb_algo rr
  lb_kind NAT
  protocol TCP
${rs.join('\n')}
}
`;
}

/** A web server that answers with its name, and /health with 200 (or 503 once told to fail). */
const webServer = (name: string, addr: string): string[] => [
  process.execPath,
  '-e',
  `let sick = false;
   require('http').createServer((q, r) => {
     if (q.url === '/fail') { sick = true; return r.end('ok\\n'); }
     if (q.url === '/heal') { sick = false; return r.end('ok\\n'); }
     if (q.url === '/health') { r.statusCode = sick ? 503 : 200; return r.end(); }
     r.end('${name}\\n');
   }).listen(80, '${addr}');`,
];

async function main(): Promise<void> {
  requireRoot();
  await withLab('demo', async (lab) => {
    say('The lab: client c on the front switch; directors d1, d2 on both; rs1-rs3 behind them');
    const front = await lab.switch('front');
    const back = await lab.switch('back');
    const h: Record<string, Host> = {};
    for (const name of ['c', 'd1', 'd2', ...RS]) h[name] = await lab.host(name);
    await lab.link(h.c, front, { ifname: 'eth0', addrs: ['203.0.113.50/24'] });
    for (const [d, n] of [
      ['d1', 1],
      ['d2', 2],
    ] as const) {
      await lab.link(h[d], front, { ifname: 'eth0', mac: MACS[d], addrs: [`203.0.113.${n}/24`] });
      await lab.link(h[d], back, { ifname: 'eth1', addrs: [`192.0.2.${n}/24`] });
      await h[d].exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1']);
    }
    for (const [i, r] of RS.entries()) {
      await lab.link(h[r], back, { ifname: 'eth0', addrs: [`192.0.2.${11 + i}/24`] });
      await h[r].ip(['route', 'add', 'default', 'via', '192.0.2.254']);
      h[r].spawn(webServer(r, `192.0.2.${11 + i}`), { logTo: join(lab.dir, `${r}.log`) });
    }
    show('c   203.0.113.50                      (front)');
    show('d1  203.0.113.1 / 192.0.2.1  priority 150');
    show('d2  203.0.113.2 / 192.0.2.2  priority 100');
    show('rs1-rs3 192.0.2.11-13, default route via the gateway VIP 192.0.2.254');
    show(`public VIP ${VIP}:80 → rs1-rs3, round robin, HTTP_GET /health on each`);

    say('Config test: the same keepalived.conf through keepalived -t and stayalive -t');
    const conf = (d: string): string => join(lab.dir, `${d}.conf`);
    writeFileSync(conf('d1'), directorConf(150));
    writeFileSync(conf('d2'), directorConf(100));
    const ka = await h.d1.exec(['keepalived', '-t', '-f', conf('d1')], { check: false });
    const sa = await h.d1.exec([...daemon, '-t', '-f', conf('d1')], { check: false });
    show(`keepalived -t: exit ${ka.code}    stayalive -t: exit ${sa.code}`);
    const broken = join(lab.dir, 'broken.conf');
    writeFileSync(
      broken,
      directorConf(150).replace('priority 150', 'priority 300\n  bogus_keyword 1'),
    );
    const kb = await h.d1.exec(['keepalived', '-t', '-f', broken], { check: false });
    const sb = await h.d1.exec([...daemon, '-t', '-f', broken], { check: false });
    show(`with two typos:  keepalived -t: exit ${kb.code}    stayalive -t: exit ${sb.code}`);
    show(sb.stderr.trim());

    const procs: Record<string, LabProcess> = {};
    const sock = (d: string): string => join(lab.dir, `${d}.sock`);
    const ctlOut = async (d: string, cmd: string): Promise<string> =>
      (await h[d].exec([...ctl, '--socket', sock(d), cmd], { check: false })).stdout.trimEnd();
    const start = async (d: string): Promise<void> => {
      procs[d] = h[d].spawn(
        [
          ...daemon,
          '-n',
          '-l',
          '-G',
          '-f',
          conf(d),
          '-p',
          join(lab.dir, `${d}.pid`),
          '--control-socket',
          sock(d),
        ],
        { logTo: join(lab.dir, `${d}.log`) },
      );
      await waitFor(
        async () =>
          (await h[d].exec([...ctl, '--socket', sock(d), 'status'], { check: false })).code === 0,
        { timeoutMs: 20000, what: `${d} control socket` },
      );
    };
    const holder = async (): Promise<string> => {
      const mac = await neighMac(h.c, VIP);
      return Object.keys(MACS).find((k) => MACS[k] === mac) ?? 'nobody';
    };
    const get = async (path = '/'): Promise<string> => {
      const r = await h.c.exec(['curl', '-s', '-m', '1', `http://${VIP}${path}`], { check: false });
      return r.code === 0 ? r.stdout.trim() : `(no answer: curl exit ${r.code})`;
    };
    const requests = async (n: number): Promise<void> => {
      const got: string[] = [];
      for (let i = 0; i < n; i++) got.push(await get());
      show(`${n} requests to ${VIP}: ${got.join(' ')}`);
    };
    const waitHolder = async (d: string, since: number, what: string): Promise<void> => {
      await waitFor(
        async () => {
          await h.c.ping(VIP, { count: 1, waitS: 0.2 });
          return (await neighMac(h.c, VIP)) === MACS[d];
        },
        { timeoutMs: 15000, intervalMs: 10, what },
      );
      show(`${what}: ${VIP} is at ${d} after ${Math.round(performance.now() - since)} ms`);
    };

    say('Starting stayalive on both directors');
    await start('d1');
    await start('d2');
    await waitHolder('d1', performance.now(), 'election');
    show(await ctlOut('d1', 'vrrp'));
    show(await ctlOut('d2', 'vrrp'));

    say('Load balancing: nftables spreads new connections over the healthy servers');
    await waitFor(async () => (await get()).startsWith('rs'), {
      timeoutMs: 15000,
      what: 'VIP serving',
    });
    await requests(6);

    say('rs2 starts failing its health check (HTTP 503 on /health)');
    await h.d1.exec(['curl', '-s', '-m', '1', 'http://192.0.2.12/fail'], { check: false });
    const t0 = performance.now();
    await waitFor(
      async () => !/rs2/.test(await get().then(async (a) => a + (await get()) + (await get()))),
      {
        timeoutMs: 15000,
        intervalMs: 100,
        what: 'rs2 out of rotation',
      },
    );
    show(`rs2 taken out of rotation after ${Math.round(performance.now() - t0)} ms`);
    await requests(6);
    await h.d1.exec(['curl', '-s', '-m', '1', 'http://192.0.2.12/heal'], { check: false });
    await waitFor(async () => /rs2/.test((await get()) + (await get()) + (await get())), {
      timeoutMs: 15000,
      intervalMs: 100,
      what: 'rs2 back in rotation',
    });
    show('rs2 healthy again and back in rotation');

    say('Crash: d1 frozen and killed (SIGSTOP, SIGKILL)');
    let t = await crash(h.d1);
    await waitHolder('d2', t, 'failover');
    await waitFor(async () => (await get()).startsWith('rs'), {
      timeoutMs: 15000,
      what: 'VIP serving via d2',
    });
    show(`served through d2 after ${Math.round(performance.now() - t)} ms`);
    await requests(6);
    show(await ctlOut('d2', 'vrrp'));

    say('d1 comes back: it has the higher priority and preempts');
    t = performance.now();
    await start('d1');
    await waitHolder('d1', t, 'preemption');

    say('Graceful handover: SIGTERM to d1 sends priority-0 adverts, d2 takes over after Skew_Time');
    t = performance.now();
    procs.d1.kill('SIGTERM');
    await waitHolder('d2', t, 'handover');
    await procs.d1.exited;
    await requests(3);

    say('Reload with a broken file on d2: reported, and the running configuration keeps working');
    writeFileSync(conf('d2'), directorConf(100).replace('global_defs {', 'global_defs {{'));
    show(await ctlOut('d2', 'reload'));
    await requests(3);
    show(`${VIP} is still at ${await holder()}`);

    say('Stopping d2 (SIGTERM): it removes its VIPs and its nftables table');
    procs.d2.kill('SIGTERM');
    await procs.d2.exited;
    const addrs = (await h.d2.ip(['-4', 'addr'])).stdout;
    const tables = (await h.d2.exec(['nft', 'list', 'tables'])).stdout.trim();
    show(
      `VIPs left on d2: ${addrs.includes(VIP) || addrs.includes('192.0.2.254') ? 'yes (unexpected)' : 'none'}`,
    );
    show(`nftables tables left on d2: ${tables || 'none'}`);
  });
  console.log('\ndemo finished');
}

void main().catch((e: unknown) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
