// stayalive's demo: a lab of two directors, three real servers and a client in network
// namespaces on one switch. It shows, live, the config test beside keepalived's, VRRP
// failover (crash, return, graceful handover) as the client sees it, and a reload that is
// refused without harm. Run as root: `npm run demo` (installs what it needs first).
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
const VIP = '192.0.2.100';
const MACS: Record<string, string> = { d1: '02:00:00:00:00:d1', d2: '02:00:00:00:00:d2' };

const say = (s: string): void => console.log(`\n\x1b[1m== ${s}\x1b[0m`);
const show = (s: string): void => console.log(s.replace(/^/gm, '   '));

function directorConf(prio: number): string {
  return `! keepalived.conf for a director: one VIP, one virtual server over three real servers
global_defs {
  router_id director-${prio}
  vrrp_version 3
}
vrrp_instance VI_web {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${prio}
  advert_int 0.5
  virtual_ipaddress {
    ${VIP}/24
  }
}
virtual_server ${VIP} 80 {
  delay_loop 2
  lb_algo rr
  lb_kind NAT
  protocol TCP
${[11, 12, 13]
  .map(
    (n) => `  real_server 192.0.2.${n} 80 {
    weight 1
    HTTP_GET {
      url {
        path /
        status_code 200
      }
      connect_timeout 2
    }
  }`,
  )
  .join('\n')}
}
`;
}

async function main(): Promise<void> {
  requireRoot();
  await withLab('demo', async (lab) => {
    say('Building the lab: switch "lan", directors d1 and d2, real servers rs1-rs3, client c');
    const sw = await lab.switch('lan');
    const h: Record<string, Host> = {};
    const plan: [string, string][] = [
      ['d1', '192.0.2.1/24'],
      ['d2', '192.0.2.2/24'],
      ['rs1', '192.0.2.11/24'],
      ['rs2', '192.0.2.12/24'],
      ['rs3', '192.0.2.13/24'],
      ['c', '192.0.2.50/24'],
    ];
    for (const [name, addr] of plan) {
      h[name] = await lab.host(name);
      await lab.link(h[name], sw, { ifname: 'eth0', mac: MACS[name], addrs: [addr] });
      show(`${name.padEnd(4)} eth0 ${addr}${MACS[name] ? `  (${MACS[name]})` : ''}`);
    }

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
    const vrrpTable = async (d: string): Promise<void> => {
      show(`stayalivectl vrrp on ${d}:`);
      show((await h[d].exec([...ctl, '--socket', sock(d), 'vrrp'])).stdout.trimEnd());
    };
    const answerer = async (): Promise<string> => {
      await h.c.ping(VIP, { count: 1, waitS: 1 });
      const mac = await neighMac(h.c, VIP);
      return Object.keys(MACS).find((k) => MACS[k] === mac) ?? mac ?? 'nobody';
    };
    const waitHolder = async (d: string, since: number, what: string): Promise<void> => {
      await waitFor(async () => (await neighMac(h.c, VIP)) === MACS[d], {
        timeoutMs: 15000,
        intervalMs: 10,
        what,
      });
      const ping = await h.c.ping(VIP, { count: 1, waitS: 1 });
      show(
        `${what}: the client reaches ${VIP} at ${d} after ${Math.round(performance.now() - since)} ms (ping ${ping.received ? 'ok' : 'lost'})`,
      );
    };

    say(
      'Starting stayalive on both directors: d1 priority 150, d2 priority 100 (VRRPv3, advert 0.5 s)',
    );
    await start('d1');
    await start('d2');
    await waitFor(async () => (await neighMac(h.c, VIP).then(() => answerer())) === 'd1', {
      timeoutMs: 15000,
      intervalMs: 100,
      what: 'd1 holds the VIP',
    });
    await vrrpTable('d1');
    await vrrpTable('d2');
    show(`the client's ping of ${VIP} is answered by ${await answerer()}`);

    say(
      'Crash: d1 frozen and killed (SIGSTOP, SIGKILL) — Master_Down_Interval here is 1.5 s + skew',
    );
    let t = await crash(h.d1);
    await waitHolder('d2', t, 'failover');
    await vrrpTable('d2');

    say('d1 comes back: it has the higher priority and preempts');
    t = performance.now();
    await start('d1');
    await waitHolder('d1', t, 'preemption');

    say(
      'Graceful handover: SIGTERM to d1 sends a priority-0 advert, d2 takes over after Skew_Time',
    );
    t = performance.now();
    procs.d1.kill('SIGTERM');
    await waitHolder('d2', t, 'handover');
    await procs.d1.exited;

    say('Reload with a broken file: reported, and the running configuration keeps working');
    writeFileSync(conf('d2'), directorConf(100).replace('global_defs {', 'global_defs {{'));
    show(
      (await h.d2.exec([...ctl, '--socket', sock('d2'), 'reload'], { check: false })).stdout.trim(),
    );
    show(`the client's ping of ${VIP} is still answered by ${await answerer()}`);

    say('Not yet in this build');
    show(
      'Load balancing (requests to the VIP spread over rs1-rs3 by nftables) and the health\n' +
        'checkers are being built; this demo will show them when they land.',
    );

    say('Stopping d2 (SIGTERM): it removes its VIP');
    procs.d2.kill('SIGTERM');
    await procs.d2.exited;
    const left = (await h.d2.ip(['-4', 'addr', 'show', 'eth0'])).stdout.includes(VIP);
    show(
      left ? 'VIP still present (unexpected)' : `VIP removed from d2; the lab is torn down next`,
    );
  });
  console.log('\ndemo finished');
}

void main().catch((e: unknown) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
