// Shared pieces of the VRRP lab tests (vrrp-*.test.ts): a switch with two VRRP nodes and a client,
// starting stayalive or keepalived on a node, crashing a node (SIGSTOP every process of its
// namespace, then SIGKILL), and finding who answers for a VIP from the client's neighbour table.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { killPid, namespacePids } from './lib/cleanup.js';
import { run, waitFor, type Host, type Lab, type LabProcess, type Switch } from './lib/index.js';
import { stayaliveArgv } from './lib/stayalive.js';

export const MAC = { a: '02:00:00:00:0a:01', b: '02:00:00:00:0a:02', c: '02:00:00:00:0a:03' };

export interface Trio {
  a: Host;
  b: Host;
  c: Host;
  sw: Switch;
}

/** Nodes a (192.0.2.1) and b (192.0.2.2) and client c (192.0.2.3) on one switch, v4 and v6. */
export async function trio(lab: Lab): Promise<Trio> {
  const sw = await lab.switch('lan');
  const a = await lab.host('a');
  const b = await lab.host('b');
  const c = await lab.host('c');
  await lab.link(a, sw, {
    ifname: 'eth0',
    mac: MAC.a,
    addrs: ['192.0.2.1/24', '2001:db8:2::1/64'],
  });
  await lab.link(b, sw, {
    ifname: 'eth0',
    mac: MAC.b,
    addrs: ['192.0.2.2/24', '2001:db8:2::2/64'],
  });
  await lab.link(c, sw, {
    ifname: 'eth0',
    mac: MAC.c,
    addrs: ['192.0.2.3/24', '2001:db8:2::3/64'],
  });
  // Link-local addresses come with the link; wait until both VRRP nodes have theirs.
  for (const h of [a, b]) {
    await waitFor(
      async () =>
        /inet6 fe80::.* scope link\s*$/m.test((await h.ip(['-6', 'addr', 'show', 'eth0'])).stdout),
      { timeoutMs: 5000, what: `link-local address on ${h.name}` },
    );
  }
  return { a, b, c, sw };
}

export interface Node {
  host: Host;
  kind: 'stayalive' | 'keepalived';
  proc: LabProcess;
  log: string;
  dir: string;
}

/** Starts stayalive or keepalived on `host` with `conf`; files go to lab.dir/<host>-<tag>.*. */
export function startNode(
  lab: Lab,
  host: Host,
  kind: 'stayalive' | 'keepalived',
  conf: string,
  tag = '1',
): Node {
  const base = join(lab.dir, `${host.name}-${kind}-${tag}`);
  writeFileSync(`${base}.conf`, conf);
  const log = `${base}.log`;
  const common = ['-n', '-l', '-D', '-G', '-f', `${base}.conf`, '-p', `${base}.pid`];
  const argv =
    kind === 'stayalive'
      ? [
          ...stayaliveArgv(),
          ...common,
          '-r',
          `${base}.vrrp.pid`,
          '--control-socket',
          `${base}.sock`,
        ]
      : ['keepalived', ...common, '-P', '-r', `${base}.vrrp.pid`];
  return { host, kind, proc: host.spawn(argv, { logTo: log }), log, dir: lab.dir };
}

/** A real crash: every process of the node's namespace frozen, then killed (keepalived's
 * children would otherwise send priority 0 through PDEATHSIG, protocols.md §2.7). */
export async function crash(host: Host): Promise<number> {
  const pids = await namespacePids(host.ns);
  for (const p of pids) killPid(p, 'SIGSTOP');
  const t = performance.now();
  for (const p of pids) killPid(p, 'SIGKILL');
  return t;
}

/** The MAC the client's neighbour table holds for `vip` (null when none / incomplete). */
export async function neighMac(c: Host, vip: string): Promise<string | null> {
  const fam = vip.includes(':') ? '-6' : '-4';
  const r = await c.ip([fam, 'neigh', 'show', vip, 'dev', 'eth0'], { check: false });
  const m = /lladdr ([0-9a-f:]{17})/.exec(r.stdout);
  return m ? m[1] : null;
}

/** Pings the VIP from the client until it answers and the answering MAC is `mac`. */
export async function waitAnswerFrom(
  c: Host,
  vip: string,
  mac: string,
  timeoutMs: number,
): Promise<number> {
  const t0 = performance.now();
  await waitFor(
    async () => {
      const p = await c.ping(vip, { count: 1, waitS: 1 });
      return p.received === 1 && (await neighMac(c, vip)) === mac;
    },
    { timeoutMs, intervalMs: 20, what: `${vip} answered from ${mac}` },
  );
  return performance.now() - t0;
}

/** Polls the client's neighbour entry until it names `mac`; returns ms since `since`. */
export async function waitNeighMac(
  c: Host,
  vip: string,
  mac: string,
  since: number,
  timeoutMs: number,
): Promise<number> {
  await waitFor(async () => (await neighMac(c, vip)) === mac, {
    timeoutMs,
    intervalMs: 10,
    what: `client neighbour entry ${vip} → ${mac}`,
  });
  return performance.now() - since;
}

export async function hasAddr(h: Host, addr: string, dev = 'eth0'): Promise<boolean> {
  const r = await h.ip(['-o', 'addr', 'show', 'dev', dev], { check: false });
  return r.stdout.split(/\s+/).some((w) => w.split('/')[0] === addr);
}

/** Waits until exactly `who` holds `vip` among `nodes`. */
export async function waitSoleHolder(
  nodes: Host[],
  who: Host,
  vip: string,
  timeoutMs: number,
  dev = 'eth0',
): Promise<void> {
  await waitFor(
    async () => {
      for (const n of nodes) if ((await hasAddr(n, vip, dev)) !== (n === who)) return false;
      return true;
    },
    { timeoutMs, intervalMs: 50, what: `${vip} held by ${who.name} only` },
  );
}

export interface VrrpConf {
  name?: string;
  vrid: number;
  priority: number;
  version: 2 | 3;
  advertInt: number;
  vips: string[];
  state?: 'MASTER' | 'BACKUP';
  nopreempt?: boolean;
  authPass?: string;
  unicast?: { src: string; peers: string[] };
  extra?: string;
  outside?: string;
  /** Extra global_defs lines. */
  global?: string;
}

/** A keepalived.conf with one instance (both daemons read it unchanged). */
export function vrrpConf(o: VrrpConf): string {
  const lines = [
    `global_defs {\n  router_id ${o.name ?? 'n'}\n  vrrp_garp_master_delay 1\n${o.global ?? ''}}`,
    o.outside ?? '',
    `vrrp_instance VI_1 {`,
    `  state ${o.state ?? 'BACKUP'}`,
    `  interface eth0`,
    `  virtual_router_id ${o.vrid}`,
    `  priority ${o.priority}`,
    `  version ${o.version}`,
    `  advert_int ${o.advertInt}`,
  ];
  if (o.nopreempt) lines.push('  nopreempt');
  if (o.authPass)
    lines.push(`  authentication {\n    auth_type PASS\n    auth_pass ${o.authPass}\n  }`);
  if (o.unicast) {
    lines.push(`  unicast_src_ip ${o.unicast.src}`);
    lines.push(`  unicast_peer {\n${o.unicast.peers.map((p) => `    ${p}`).join('\n')}\n  }`);
  }
  if (o.extra) lines.push(o.extra);
  lines.push(`  virtual_ipaddress {\n${o.vips.map((v) => `    ${v}`).join('\n')}\n  }`, '}');
  return lines.join('\n') + '\n';
}

/** The switch port the bridge forwards `mac` to (which node answers for a shared VMAC). */
export async function fdbPort(sw: Switch, mac: string): Promise<string | null> {
  const r = await run(['bridge', '-n', sw.ns, 'fdb', 'show', 'br', sw.bridge]);
  const line = r.stdout.split('\n').find((l) => l.startsWith(`${mac} dev `));
  return line ? line.split(' ')[2] : null;
}
