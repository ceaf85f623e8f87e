// Shared set-up for the load-balancing lab tests (test/lab/lb-*.test.ts):
//
//   client c (192.0.2.10, extra sources .20-.29) ── front ── router r (192.0.2.1 | 198.51.100.1)
//   router r ── lan ── director d (198.51.100.2) and real servers rs1..rs3 (198.51.100.11-13)
//
// The router sends the VIP 203.0.113.100 to the director. Each real server runs a tiny node
// server: HTTP on :80 answering its name, HTTP on :8080 answering "<name>-8080", UDP echo on :53
// answering its name. NAT: real servers route via the director. DR: the lab puts the VIP on their
// lo with arp_ignore=1/arp_announce=2 and routes them via the router. The subsystem runs in
// lb-driver.ts inside the director's namespace; Driver talks to it over stdin/stdout.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { Host, Lab, LabProcess } from './lib/index.js';
import { waitFor } from './lib/index.js';

export const VIP = '203.0.113.100';
export const VS = `[${VIP}]:tcp:80`;
export const rsId = (i: number, port = 80, proto = 'tcp'): string =>
  `[198.51.100.${10 + i}]:${proto}:${port}`;
const root = fileURLToPath(new URL('../..', import.meta.url));
const driverPath = fileURLToPath(new URL('./lb-driver.ts', import.meta.url));

const BACKEND = `
const name = process.argv[1];
const http = require('node:http'), dgram = require('node:dgram');
http.createServer((q, s) => s.end(name)).listen(80);
http.createServer((q, s) => s.end(name + '-8080')).listen(8080);
const u = dgram.createSocket('udp4'); u.on('message', (m, r) => u.send(name, r.port, r.address)); u.bind(53);
`;

const CLIENT = `
const http = require('node:http'), dgram = require('node:dgram');
const a = JSON.parse(process.argv[1]);
function one(src) {
  return new Promise((res) => {
    if (a.udp) {
      const s = dgram.createSocket('udp4');
      const t = setTimeout(() => { s.close(); res('ERR'); }, 1500);
      s.on('message', (m) => { clearTimeout(t); s.close(); res(m.toString()); });
      s.bind({ address: src }, () => s.send('hi', a.port, a.vip));
      return;
    }
    const r = http.get({ host: a.vip, port: a.port, localAddress: src, agent: false, timeout: 1500 }, (rs) => {
      let b = ''; rs.on('data', (d) => (b += d)); rs.on('end', () => res(b));
    });
    r.on('timeout', () => { r.destroy(); });
    r.on('error', () => res('ERR'));
  });
}
(async () => { const out = []; for (const s of a.srcs) out.push(await one(s)); console.log(JSON.stringify(out)); })();
`;

export interface LbLab {
  c: Host;
  r: Host;
  d: Host;
  rs: Host[];
  /** The backend servers, by real server index (startBackend() replaces one). */
  backends: LabProcess[];
}

/** (Re)starts real server i's node servers and waits until :80 listens. */
export async function startBackend(
  lab: Lab,
  l: Pick<LbLab, 'rs' | 'backends'>,
  i: number,
): Promise<void> {
  l.backends[i] = l.rs[i].spawn([process.execPath, '-e', BACKEND, `rs${i + 1}`], {
    logTo: join(lab.dir, `rs${i + 1}.log`),
  });
  await waitFor(async () => (await l.rs[i].exec(['ss', '-ltn'])).stdout.includes(':80 '), {
    timeoutMs: 5000,
    what: `rs${i + 1} listening`,
  });
}

export async function buildLbLab(lab: Lab): Promise<LbLab> {
  const front = await lab.switch('front');
  const lan = await lab.switch('lan');
  const c = await lab.host('c');
  const r = await lab.host('r');
  const d = await lab.host('d');
  const rs = [await lab.host('rs1'), await lab.host('rs2'), await lab.host('rs3')];
  const extra = Array.from({ length: 10 }, (_, i) => `192.0.2.${20 + i}/24`);
  await lab.link(c, front, { ifname: 'eth0', addrs: ['192.0.2.10/24', ...extra] });
  await lab.link(r, front, { ifname: 'eth0', addrs: ['192.0.2.1/24'] });
  await lab.link(r, lan, { ifname: 'eth1', addrs: ['198.51.100.1/24'] });
  await lab.link(d, lan, { ifname: 'eth0', mac: '02:dd:00:00:00:01', addrs: ['198.51.100.2/24'] });
  for (let i = 0; i < 3; i++)
    await lab.link(rs[i], lan, {
      ifname: 'eth0',
      mac: `02:bb:00:00:00:0${i + 1}`,
      addrs: [`198.51.100.${11 + i}/24`],
    });
  await c.ip(['route', 'add', 'default', 'via', '192.0.2.1']);
  await r.exec(['sysctl', '-qw', 'net.ipv4.ip_forward=1', 'net.ipv4.conf.all.accept_redirects=0']);
  await r.ip(['route', 'add', `${VIP}/32`, 'via', '198.51.100.2']);
  await d.exec([
    'sysctl',
    '-qw',
    'net.ipv4.ip_forward=1',
    'net.ipv4.conf.all.send_redirects=0',
    'net.ipv4.conf.eth0.send_redirects=0',
  ]);
  await d.ip(['route', 'add', 'default', 'via', '198.51.100.1']);
  for (let i = 0; i < 3; i++) {
    await rs[i].exec([
      'sysctl',
      '-qw',
      'net.ipv4.conf.all.accept_redirects=0',
      'net.ipv4.conf.eth0.accept_redirects=0',
    ]);
    await rs[i].ip(['route', 'add', 'default', 'via', '198.51.100.2']);
  }
  const l: LbLab = { c, r, d, rs, backends: [] };
  for (let i = 0; i < 3; i++) await startBackend(lab, l, i);
  return l;
}

/** DR: VIP on lo, no ARP for it, replies straight to the router. */
export async function makeDrRealServers(l: LbLab): Promise<void> {
  for (const h of l.rs) {
    await h.ip(['addr', 'add', `${VIP}/32`, 'dev', 'lo']);
    // prettier-ignore
    await h.exec(['sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2',
      'net.ipv4.conf.eth0.arp_ignore=1', 'net.ipv4.conf.eth0.arp_announce=2']);
    await h.ip(['route', 'replace', 'default', 'via', '198.51.100.1']);
  }
}

/**
 * DR for a second VIP while NAT keeps working (benchmarks compare both in one lab): the real
 * servers hold `vip` on lo without ARP for it, and only replies *from* that VIP go straight to
 * the router (a source rule); everything else still routes via the director.
 */
export async function addDrVip(l: LbLab, vip: string): Promise<void> {
  await l.r.ip(['route', 'add', `${vip}/32`, 'via', '198.51.100.2']);
  for (const h of l.rs) {
    await h.ip(['addr', 'add', `${vip}/32`, 'dev', 'lo']);
    // prettier-ignore
    await h.exec(['sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1', 'net.ipv4.conf.all.arp_announce=2',
      'net.ipv4.conf.eth0.arp_ignore=1', 'net.ipv4.conf.eth0.arp_announce=2']);
    await h.ip(['rule', 'add', 'from', vip, 'table', '100']);
    await h.ip(['route', 'add', 'default', 'via', '198.51.100.1', 'table', '100']);
  }
}

/** Requests from the client, one per source address in `srcs`; answers in order ('ERR' = none). */
export async function hit(
  l: LbLab,
  srcs: string[],
  opts: { port?: number; udp?: boolean; vip?: string } = {},
): Promise<string[]> {
  const arg = JSON.stringify({
    vip: opts.vip ?? VIP,
    port: opts.port ?? 80,
    udp: !!opts.udp,
    srcs,
  });
  const r = await l.c.exec([process.execPath, '-e', CLIENT, arg], {
    timeoutMs: 5000 + 2000 * srcs.length,
  });
  return JSON.parse(r.stdout) as string[];
}

export function tally(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}

export interface Answer {
  ok: boolean;
  error?: string;
  script: string;
  status?: unknown;
  apply?: unknown;
}

/** The subsystem running in the director's namespace. */
export class Driver {
  private child: ChildProcess;
  private waiting: Array<(a: Answer) => void> = [];
  readonly logs: string[] = [];
  private n = 0;

  constructor(
    private readonly lab: Lab,
    d: Host,
  ) {
    this.child = spawn(
      'ip',
      ['netns', 'exec', d.ns, process.execPath, '--import', 'tsx', driverPath],
      {
        cwd: root,
        stdio: ['pipe', 'pipe', 'inherit'],
      },
    );
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      const o = JSON.parse(line) as Answer & { log?: { message: string } };
      if (o.log) this.logs.push(o.log.message);
      else this.waiting.shift()?.(o);
    });
  }

  /** Writes `text` as a config file and returns its path. */
  conf(text: string): string {
    const p = join(this.lab.dir, `lb-${++this.n}.conf`);
    writeFileSync(p, text);
    return p;
  }

  send(cmd: Record<string, unknown>, timeoutMs = 15000): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`driver: no answer to ${JSON.stringify(cmd)}`)),
        timeoutMs,
      );
      this.waiting.push((a) => {
        clearTimeout(t);
        if (!a.ok) reject(new Error(`driver: ${a.error}`));
        else resolve(a);
      });
      this.child.stdin!.write(JSON.stringify(cmd) + '\n');
    });
  }

  /** Publishes a checker verdict; `weight` is the effective weight a checker would report. */
  state(rs: string, up: boolean, weight = 1, vs = VS): Promise<Answer> {
    return this.send({ cmd: 'state', vs, rs, up, weight });
  }

  close(): void {
    this.child.kill('SIGKILL');
  }
}

/** A virtual server on the VIP with rs1..rs3 (weights) plus `extra` lines. */
export function lbConf(
  o: {
    algo?: string;
    kind?: string;
    weights?: number[];
    extra?: string;
    port?: number;
    proto?: string;
    rsExtra?: string;
  } = {},
): string {
  const port = o.port ?? 80;
  const rss = (o.weights ?? [1, 1, 1])
    .map(
      (w, i) =>
        `  real_server 198.51.100.${11 + i} ${port} {\n    weight ${w}\n${o.rsExtra ?? ''}  }\n`,
    )
    .join('');
  return `virtual_server ${VIP} ${port} {\n  lb_algo ${o.algo ?? 'rr'}\n  lb_kind ${o.kind ?? 'NAT'}\n  protocol ${o.proto ?? 'TCP'}\n${o.extra ?? ''}\n${rss}}\n`;
}
