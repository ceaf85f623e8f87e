// stayalive's demo: a lab of two directors, three real servers and a client in network
// namespaces, on one switch. It shows, live, what stayalive does today and says what it
// does not do yet. Run as root: `npm run demo` (installs what it needs first).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { requireRoot, waitFor, withLab, type Host } from '../test/lab/lib/index.js';
import { stayaliveArgv, stayalivectlArgv } from '../test/lab/lib/stayalive.js';

const daemon = stayaliveArgv();
const ctl = stayalivectlArgv();

const say = (s: string): void => console.log(`\n\x1b[1m== ${s}\x1b[0m`);
const show = (s: string): void => console.log(s.replace(/^/gm, '   '));

function directorConf(prio: number): string {
  return `! keepalived.conf for a director: one VIP, one virtual server over three real servers
global_defs {
  router_id director-${prio}
}
vrrp_instance VI_web {
  state BACKUP
  interface eth0
  virtual_router_id 51
  priority ${prio}
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
  }
}
virtual_server 192.0.2.100 80 {
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
    const hosts: Record<string, Host> = {};
    const plan: [string, string][] = [
      ['d1', '192.0.2.1/24'],
      ['d2', '192.0.2.2/24'],
      ['rs1', '192.0.2.11/24'],
      ['rs2', '192.0.2.12/24'],
      ['rs3', '192.0.2.13/24'],
      ['c', '192.0.2.50/24'],
    ];
    for (const [name, addr] of plan) {
      hosts[name] = await lab.host(name);
      await lab.link(hosts[name], sw, { ifname: 'eth0', addrs: [addr] });
      show(`${name.padEnd(4)} eth0 ${addr}`);
    }
    const ping = await hosts.c.ping('192.0.2.1', { count: 2, intervalS: 0.2 });
    show(`client → d1: ${ping.received}/${ping.transmitted} pings answered`);

    say('Config test: the same keepalived.conf through keepalived -t and stayalive -t');
    const confs: Record<string, string> = {};
    for (const [d, prio] of [
      ['d1', 150],
      ['d2', 100],
    ] as const) {
      confs[d] = join(lab.dir, `${d}.conf`);
      writeFileSync(confs[d], directorConf(prio));
    }
    const ka = await hosts.d1.exec(['keepalived', '-t', '-f', confs.d1], { check: false });
    const sa = await hosts.d1.exec([...daemon, '-t', '-f', confs.d1], { check: false });
    show(`keepalived -t: exit ${ka.code}    stayalive -t: exit ${sa.code}`);
    const broken = join(lab.dir, 'broken.conf');
    writeFileSync(
      broken,
      directorConf(150).replace('priority 150', 'priority 300\n  bogus_keyword 1'),
    );
    const kb = await hosts.d1.exec(['keepalived', '-t', '-f', broken], { check: false });
    const sb = await hosts.d1.exec([...daemon, '-t', '-f', broken], { check: false });
    show(`with a typo:  keepalived -t: exit ${kb.code}    stayalive -t: exit ${sb.code}`);
    show(sb.stderr.trim());

    say('Starting stayalive on both directors (foreground, console log)');
    const socks: Record<string, string> = {};
    for (const d of ['d1', 'd2']) {
      socks[d] = join(lab.dir, `${d}.sock`);
      hosts[d].spawn(
        [
          ...daemon,
          '-n',
          '-l',
          '-G',
          '-f',
          confs[d],
          '-p',
          join(lab.dir, `${d}.pid`),
          '--control-socket',
          socks[d],
        ],
        { logTo: join(lab.dir, `${d}.log`) },
      );
    }
    for (const d of ['d1', 'd2']) {
      await waitFor(
        async () =>
          (await hosts[d].exec([...ctl, '--socket', socks[d], 'status'], { check: false })).code ===
          0,
        {
          timeoutMs: 20000,
          what: `${d} control socket`,
        },
      );
      show(`stayalivectl status on ${d}:`);
      show((await hosts[d].exec([...ctl, '--socket', socks[d], 'status'])).stdout.trim());
    }

    say('Reload with a broken file: reported, and the running configuration keeps working');
    writeFileSync(confs.d1, directorConf(150).replace('global_defs {', 'global_defs {{'));
    const r = await hosts.d1.exec([...ctl, '--socket', socks.d1, 'reload']);
    show(r.stdout.trim());
    writeFileSync(confs.d1, directorConf(150));

    say('Not yet in this build');
    show(
      'VRRP failover (the VIP 192.0.2.100 moving from d1 to d2 when d1 dies) and load balancing\n' +
        '(requests to the VIP spread over rs1-rs3 by nftables) are being built: the VRRP packet\n' +
        'codec and state machine exist and are tested; the runtime that drives the sockets does\n' +
        'not yet. This demo will show them live when they land.',
    );

    say('Stopping: SIGTERM to both directors');
    for (const d of ['d1', 'd2']) {
      const pid = Number((await hosts[d].exec(['cat', join(lab.dir, `${d}.pid`)])).stdout);
      process.kill(pid, 'SIGTERM');
    }
    await waitFor(
      async () =>
        (await hosts.d1.exec(['ls', lab.dir])).stdout.split('\n').every((f) => !f.endsWith('.pid')),
      { timeoutMs: 10000, what: 'pid files removed' },
    );
    show('both stopped cleanly; the lab is torn down next');
  });
  console.log('\ndemo finished');
}

void main().catch((e: unknown) => {
  console.error(`demo failed: ${(e as Error).message}`);
  process.exit(1);
});
