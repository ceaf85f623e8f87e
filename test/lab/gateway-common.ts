// The two-uplink lab for the gateway tests (TEST-NET addresses only):
//
//   server 192.0.2.10 ─┐ lan 192.0.2.0/26 (switch)
//        R1 192.0.2.1 ─┤                         R3 192.0.2.3
//   R1 up1 198.51.100.2/30 ── isp r1 198.51.100.1    R3 up2 198.51.100.6/30 ── isp r3 198.51.100.5
//   isp cli 203.0.113.1/24 ── client 203.0.113.10 (default via the ISP)
//
// The server's default gateway is R1. Each router tracks its ISP next hop (gateway_track,
// default metric 10) and has a static fallback default via the other router (metric 100), so
// when R1's uplink is cut R1 drops its tracked route and forwards through R3. The ISP routes
// the server LAN via R1 (metric 10) and R3 (metric 20); cutting a link at the ISP side sets the
// ISP's end down, which removes the ISP's route through it (as a real upstream would).
import { fileURLToPath } from 'node:url';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Host, Lab, LabProcess, Link } from './lib/index.js';
import { waitFor } from './lib/index.js';

export const tsx = import.meta.resolve('tsx');
export const driverPath = fileURLToPath(new URL('./gateway-driver.ts', import.meta.url));
export const tcpPath = fileURLToPath(new URL('./gateway-tcp.ts', import.meta.url));

export interface Topo {
  lab: Lab;
  server: Host;
  client: Host;
  r1: Host;
  r3: Host;
  isp: Host;
  up1: Link;
  up2: Link;
}

const ROUTER_SYSCTLS = [
  'net.ipv4.ip_forward=1',
  'net.ipv4.conf.all.rp_filter=0',
  'net.ipv4.conf.default.rp_filter=0',
  'net.ipv4.conf.all.send_redirects=0',
  'net.ipv4.conf.default.send_redirects=0',
];

export async function buildTopo(lab: Lab): Promise<Topo> {
  const [server, client, r1, r3, isp] = await Promise.all(
    ['server', 'client', 'r1', 'r3', 'isp'].map((n) => lab.host(n)),
  );
  const lan = await lab.switch('lan');
  await lab.link(server, lan, { ifname: 'eth0', addrs: ['192.0.2.10/26'] });
  await lab.link(r1, lan, { ifname: 'lan', addrs: ['192.0.2.1/26'] });
  await lab.link(r3, lan, { ifname: 'lan', addrs: ['192.0.2.3/26'] });
  // a = the router, b = the ISP: cutLink() sets the ISP's end down.
  const up1 = await lab.link(
    r1,
    isp,
    { ifname: 'up1', addrs: ['198.51.100.2/30'] },
    { ifname: 'r1', addrs: ['198.51.100.1/30'] },
  );
  const up2 = await lab.link(
    r3,
    isp,
    { ifname: 'up2', addrs: ['198.51.100.6/30'] },
    { ifname: 'r3', addrs: ['198.51.100.5/30'] },
  );
  await lab.link(
    client,
    isp,
    { ifname: 'eth0', addrs: ['203.0.113.10/24'] },
    { ifname: 'cli', addrs: ['203.0.113.1/24'] },
  );
  // Per interface too: these are OR-ed (redirects) or max-ed (rp_filter) with `all`, and the
  // interfaces existed before `default` changed. Without this R1 would redirect the server to
  // R3 after the first switch and later runs would never go through R1 again.
  const perIf = (names: string[]): string[] =>
    names.flatMap((n) => [`net.ipv4.conf.${n}.rp_filter=0`, `net.ipv4.conf.${n}.send_redirects=0`]);
  await r1.exec(['sysctl', '-qw', ...ROUTER_SYSCTLS, ...perIf(['lan', 'up1'])]);
  await r3.exec(['sysctl', '-qw', ...ROUTER_SYSCTLS, ...perIf(['lan', 'up2'])]);
  await isp.exec(['sysctl', '-qw', ...ROUTER_SYSCTLS, ...perIf(['r1', 'r3', 'cli'])]);
  await server.exec([
    'sysctl',
    '-qw',
    'net.ipv4.conf.all.accept_redirects=0',
    'net.ipv4.conf.eth0.accept_redirects=0',
  ]);
  await server.ip(['route', 'add', 'default', 'via', '192.0.2.1']);
  await client.ip(['route', 'add', 'default', 'via', '203.0.113.1']);
  await ispRoutes(isp);
  return { lab, server, client, r1, r3, isp, up1, up2 };
}

/** The ISP's routes back to the server LAN (re-added after a restored link). */
export async function ispRoutes(isp: Host): Promise<void> {
  await isp.ip(['route', 'replace', '192.0.2.0/26', 'via', '198.51.100.2', 'metric', '10']);
  await isp.ip(['route', 'replace', '192.0.2.0/26', 'via', '198.51.100.6', 'metric', '20']);
}

export interface Timing {
  interval: number;
  timeout: number;
  rise: number;
  fall: number;
}

export function routerConf(isp: string, ifname: string, peer: string, t: Timing): string {
  return `static_routes {
    default via ${peer} dev lan metric 100
}
gateway_track UPLINK {
    address ${isp}
    interface ${ifname}
    interval ${t.interval}
    timeout ${t.timeout}
    rise ${t.rise}
    fall ${t.fall}
    weight -50
    route {
        default metric 10
    }
}
`;
}

/**
 * The BFD variant of routerConf: a bfd_instance to the ISP (50 ms × 3) shared by a
 * gateway_track `method bfd` that follows it (rise 1 / fall 1: BFD's own detection time).
 */
export function routerConfBfd(isp: string, ifname: string, peer: string): string {
  return `static_routes {
    default via ${peer} dev lan metric 100
}
bfd_instance UPLINK_BFD {
    neighbor_ip ${isp}
    min_tx 50
    min_rx 50
    multiplier 3
}
gateway_track UPLINK {
    address ${isp}
    interface ${ifname}
    method bfd
    interval 1
    rise 1
    fall 1
    weight -50
    route {
        default metric 10
    }
}
`;
}

export function writeConf(lab: Lab, name: string, text: string): string {
  const p = join(lab.dir, name);
  writeFileSync(p, text);
  return p;
}

export function startDriver(h: Host, conf: string): LabProcess {
  return h.spawn([process.execPath, '--import', tsx, driverPath, conf], {
    logTo: `${h.lab.dir}/${h.name}-gateway.log`,
  });
}

export type Ev = { t: number; ev: string } & Record<string, unknown>;

/** JSON lines of a driver's (or TCP client's) output so far. */
export function events(p: LabProcess): Ev[] {
  return p
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Ev);
}

export function waitEvent(
  p: LabProcess,
  pred: (e: Ev) => boolean,
  timeoutMs: number,
  what: string,
): Promise<Ev> {
  return waitFor(() => events(p).find(pred), { timeoutMs, intervalMs: 10, what });
}

/** The `default` routes of a host, as "via GW metric M proto P" strings. */
export async function defaults(h: Host): Promise<string[]> {
  const j = JSON.parse((await h.ip(['-j', 'route', 'show', 'default'])).stdout || '[]') as {
    gateway: string;
    metric?: number;
    protocol: string;
  }[];
  return j.map((r) => `via ${r.gateway} metric ${r.metric ?? 0} proto ${r.protocol}`).sort();
}

/** Reply timestamps (epoch ms) of `ping -D` output. */
export function replyTimes(out: string): number[] {
  const t: number[] = [];
  for (const m of out.matchAll(/^\[(\d+\.\d+)\] \d+ bytes from/gm)) t.push(Number(m[1]) * 1000);
  return t;
}

/** The longest gap between consecutive replies in [from, to]. */
export function maxGap(times: number[], from: number, to: number): { gap: number; at: number } {
  let gap = 0;
  let at = from;
  let prev = from;
  for (const x of times.filter((v) => v >= from && v <= to)) {
    if (x - prev > gap) [gap, at] = [x - prev, prev];
    prev = x;
  }
  return { gap, at };
}

/** BIRD on `isp` running BFD (50 ms × 3) to each [address, interface]. */
export function startBird(lab: Lab, isp: Host, neighbours: [string, string][]): LabProcess {
  const conf = join(lab.dir, 'bird.conf');
  writeFileSync(
    conf,
    [
      'router id 198.51.100.1;',
      'log stderr all;',
      'protocol device { }',
      'protocol bfd {',
      '  interface "*" { interval 50 ms; multiplier 3; };',
      ...neighbours.map(([addr, dev]) => `  neighbor ${addr} dev "${dev}";`),
      '}',
      '',
    ].join('\n'),
  );
  return isp.spawn(
    ['bird', '-f', '-c', conf, '-s', join(lab.dir, 'bird.ctl'), '-P', join(lab.dir, 'bird.pid')],
    { logTo: join(lab.dir, 'bird.log') },
  );
}
