// The lab: hosts (network namespaces), switches (a bridge in a namespace of its own) and links
// (veth pairs created directly inside the namespaces, so the root namespace's network is never
// touched). Teardown kills every process in the lab's namespaces, waits for them, and deletes
// the namespaces. See index.ts for the API overview.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Capture } from './capture.js';
import {
  PREFIX,
  killPid,
  listNamespaces,
  namespacePids,
  registerLab,
  removeStale,
  unregisterLab,
  type LabResources,
} from './cleanup.js';
import { LabProcess, run, type ProcessOptions, type RunOptions, type RunResult } from './run.js';
import { sleep, waitFor, withDeadline } from './wait.js';

const NAME = /^[a-z][a-z0-9]*$/;
const IFNAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

export interface EndOptions {
  /** Interface name inside the host, ≤ 15 characters. */
  ifname: string;
  mac?: string;
  /** CIDR addresses; IPv6 ones are added `nodad`. */
  addrs?: string[];
}

export interface PingResult {
  transmitted: number;
  received: number;
}

export class Host {
  readonly kind = 'host';
  constructor(
    readonly lab: Lab,
    readonly name: string,
    readonly ns: string,
  ) {}

  /** Runs argv inside the host to completion; throws on a non-zero exit unless `check: false`. */
  exec(argv: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', this.ns, ...argv], { where: this.ns, ...opts });
  }

  /** The one way to use a shell: runs `sh -c script` inside the host. */
  sh(script: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.exec(['sh', '-c', script], opts);
  }

  /** `ip -n <ns> args…` */
  ip(args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
    return run(['ip', '-n', this.ns, ...args], { where: this.ns, ...opts });
  }

  /** Loads an nftables ruleset (`nft -f -`) inside the host. */
  nft(ruleset: string, opts: RunOptions = {}): Promise<RunResult> {
    return this.exec(['nft', '-f', '-'], { ...opts, input: ruleset });
  }

  /** Starts a long-running process inside the host; the lab kills it at teardown. */
  spawn(argv: readonly string[], opts: ProcessOptions = {}): LabProcess {
    return this.lab.track(
      new LabProcess(['ip', 'netns', 'exec', this.ns, ...argv], { where: this.ns, ...opts }),
    );
  }

  /** Pings `addr` (ping or ping -6 by address); never throws on loss. */
  async ping(
    addr: string,
    opts: { count?: number; intervalS?: number; waitS?: number } = {},
  ): Promise<PingResult> {
    const { count = 1, intervalS = 0.2, waitS = 1 } = opts;
    const argv = ['ping', '-n', '-q', '-c', String(count), '-i', String(intervalS)];
    argv.push('-W', String(waitS), addr);
    const budget = (count * intervalS + waitS) * 1000 + 5000;
    const r = await this.exec(argv, { check: false, timeoutMs: budget });
    const m = /(\d+) packets transmitted, (\d+) (?:packets )?received/.exec(r.stdout);
    if (!m) throw new Error(`ping ${addr} from ${this.name}: ${r.stderr.trim() || r.stdout}`);
    return { transmitted: Number(m[1]), received: Number(m[2]) };
  }

  /** Sets one of the host's interfaces administratively up or down. */
  async setLink(ifname: string, state: 'up' | 'down'): Promise<void> {
    await this.ip(['link', 'set', ifname, state]);
  }

  /** Starts tcpdump on `ifname` and resolves once it is capturing. */
  capture(ifname: string, filter?: string): Promise<Capture> {
    const path = join(this.lab.dir, `${this.name}-${ifname}-${++this.lab.seq}.pcap`);
    return Capture.start(this, ifname, filter, path);
  }
}

export class Switch {
  readonly kind = 'switch';
  readonly bridge = 'br0';
  /** Ports created so far, for unique port names. */
  ports = 0;
  constructor(
    readonly lab: Lab,
    readonly name: string,
    readonly ns: string,
  ) {}
}

export interface LinkEnd {
  node: Host | Switch;
  ifname: string;
}

export interface Link {
  /** The host side given first to lab.link(). */
  a: LinkEnd;
  /** The switch port, or the second host's interface. */
  b: LinkEnd;
}

let labSeq = 0;

export class Lab implements LabResources {
  readonly prefix: string;
  readonly dir: string;
  /** Counter for file names under `dir`. */
  seq = 0;
  private readonly nsList: string[] = [];
  private readonly procs = new Set<LabProcess>();
  private closed = false;

  private constructor(readonly name: string) {
    this.prefix = `${PREFIX}${process.pid}-${++labSeq}-${name}`;
    this.dir = mkdtempSync(join(tmpdir(), `sa-lab-${process.pid}-${name}-`));
  }

  /** Removes stale namespaces of dead runs, then starts an empty lab. */
  static async create(name: string): Promise<Lab> {
    if (!NAME.test(name)) throw new Error(`lab name must match ${NAME}: ${name}`);
    await removeStale();
    const lab = new Lab(name);
    registerLab(lab);
    return lab;
  }

  namespaces(): string[] {
    return [...this.nsList];
  }

  pids(): number[] {
    return [...this.procs].filter((p) => p.running).map((p) => p.pid);
  }

  track(p: LabProcess): LabProcess {
    if (this.closed) {
      p.kill('SIGKILL');
      throw new Error(`lab ${this.prefix} is torn down`);
    }
    this.procs.add(p);
    return p;
  }

  private async addNamespace(node: string): Promise<string> {
    if (this.closed) throw new Error(`lab ${this.prefix} is torn down`);
    if (!NAME.test(node)) throw new Error(`node name must match ${NAME}: ${node}`);
    const ns = `${this.prefix}-${node}`;
    if (this.nsList.includes(ns)) throw new Error(`lab ${this.name} already has a node ${node}`);
    this.nsList.push(ns); // before creating it, so teardown covers a half-built node
    await run(['ip', 'netns', 'add', ns]);
    await run(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  private sysctl(ns: string, ...settings: string[]): Promise<RunResult> {
    return run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', ...settings], { where: ns });
  }

  /** A namespace with lo up and IPv6 DAD off; no routes, no links until lab.link(). */
  async host(name: string): Promise<Host> {
    const ns = await this.addNamespace(name);
    await this.sysctl(ns, 'net.ipv6.conf.all.accept_dad=0', 'net.ipv6.conf.default.accept_dad=0');
    return new Host(this, name, ns);
  }

  /** A bridge (br0: no STP, no multicast snooping) in a namespace of its own, without IPv6. */
  async switch(name: string): Promise<Switch> {
    const ns = await this.addNamespace(name);
    // The switch should only forward: no link-local addresses, RS or MLD of its own.
    await this.sysctl(
      ns,
      'net.ipv6.conf.all.disable_ipv6=1',
      'net.ipv6.conf.default.disable_ipv6=1',
    );
    const sw = new Switch(this, name, ns);
    await run([
      'ip',
      '-n',
      ns,
      'link',
      'add',
      sw.bridge,
      'type',
      'bridge',
      'mcast_snooping',
      '0',
      'stp_state',
      '0',
    ]);
    await run(['ip', '-n', ns, 'link', 'set', sw.bridge, 'up']);
    return sw;
  }

  /**
   * Connects a host to a switch (`peer` unused) or to another host (`peer` required) with a veth
   * pair whose ends are created directly inside the two namespaces.
   */
  async link(a: Host, b: Host | Switch, end: EndOptions, peer?: EndOptions): Promise<Link> {
    checkIfname(end.ifname);
    let bEnd: EndOptions;
    if (b instanceof Switch) {
      const candidate = `${a.name}-${end.ifname}`;
      bEnd = { ifname: candidate.length <= 15 ? candidate : `p${b.ports}` };
      b.ports++;
    } else {
      if (!peer) throw new Error('lab.link(host, host, end, peer): peer end options are required');
      checkIfname(peer.ifname);
      bEnd = peer;
    }
    // Both ends are born inside their namespaces: the root namespace never sees them.
    // prettier-ignore
    await run([
      'ip', 'link', 'add', end.ifname, 'netns', a.ns,
      'type', 'veth', 'peer', 'name', bEnd.ifname, 'netns', b.ns,
    ]);
    await configureEnd(a.ns, end);
    if (b instanceof Switch) {
      await run(['ip', '-n', b.ns, 'link', 'set', bEnd.ifname, 'master', b.bridge, 'up']);
    } else {
      await configureEnd(b.ns, bEnd);
    }
    return { a: { node: a, ifname: end.ifname }, b: { node: b, ifname: bEnd.ifname } };
  }

  /**
   * Cuts a link by setting its b end (the switch port, or the second host's interface) down:
   * the a end stays administratively up with its addresses and sees NO-CARRIER.
   */
  async cutLink(link: Link): Promise<void> {
    await run(['ip', '-n', link.b.node.ns, 'link', 'set', link.b.ifname, 'down']);
  }

  /** Undoes cutLink() and waits (≤ 5 s) until the a end has carrier again. */
  async restoreLink(link: Link): Promise<void> {
    await run(['ip', '-n', link.b.node.ns, 'link', 'set', link.b.ifname, 'up']);
    await waitFor(
      async () => {
        const r = await run(['ip', '-n', link.a.node.ns, '-o', 'link', 'show', link.a.ifname]);
        return !r.stdout.includes('NO-CARRIER') && /state UP/.test(r.stdout);
      },
      { timeoutMs: 5000, what: `carrier on ${link.a.node.name}/${link.a.ifname}` },
    );
  }

  /**
   * Drops `percent` % of the frames on host/ifname at random (nftables netdev hook, so ARP,
   * ND and VRRP are dropped too). direction 'in' (default), 'out' or 'both'; 0 removes the rule.
   */
  async loss(
    host: Host,
    ifname: string,
    percent: number,
    direction: 'in' | 'out' | 'both' = 'in',
  ): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
      throw new Error(`loss percent must be an integer 0..100: ${percent}`);
    }
    checkIfname(ifname);
    const lines = ['add table netdev sa_loss'];
    for (const hook of ['ingress', 'egress'] as const) {
      const chain = `${hook}_${ifname.replace(/[^A-Za-z0-9_]/g, '_')}`;
      const wanted = direction === 'both' || (direction === 'in') === (hook === 'ingress');
      // add (idempotent) then delete/flush: nft 1.0.6 has no `destroy`
      lines.push(
        `add chain netdev sa_loss ${chain} { type filter hook ${hook} device "${ifname}" priority -500; }`,
      );
      if (percent === 0 || !wanted) lines.push(`delete chain netdev sa_loss ${chain}`);
      else {
        lines.push(`flush chain netdev sa_loss ${chain}`);
        const match = percent === 100 ? '' : `numgen random mod 100 < ${percent} `;
        lines.push(`add rule netdev sa_loss ${chain} ${match}drop`);
      }
    }
    await host.nft(lines.join('\n') + '\n');
  }

  /** Kills every process in the lab's namespaces, waits for them (bounded), deletes the namespaces. */
  async teardown(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const problems: string[] = [];
    for (const p of this.procs) p.kill('SIGKILL');
    const deadline = Date.now() + 5000;
    // Re-kill every round: a process may have been mid-fork when the first signal went out.
    for (;;) {
      let left = 0;
      for (const ns of this.nsList) {
        for (const pid of await namespacePids(ns)) {
          killPid(pid);
          left++;
        }
      }
      if (left === 0 || Date.now() > deadline) {
        if (left) problems.push(`${left} process(es) still inside the lab namespaces`);
        break;
      }
      await sleep(20);
    }
    const waits = [...this.procs].map((p) => p.exited);
    await withDeadline(
      Promise.all(waits),
      Math.max(100, deadline - Date.now()),
      'lab processes',
    ).catch((err: Error) => problems.push(err.message));
    for (const ns of this.nsList) {
      const r = await run(['ip', 'netns', 'del', ns], { check: false });
      if (r.code !== 0 && (await listNamespaces()).includes(ns)) {
        problems.push(`ip netns del ${ns}: ${r.stderr.trim()}`);
      }
    }
    unregisterLab(this);
    if (!process.env.SA_LAB_KEEP) rmSync(this.dir, { recursive: true, force: true });
    if (problems.length) throw new Error(`lab ${this.prefix} teardown: ${problems.join('; ')}`);
  }
}

function checkIfname(ifname: string): void {
  if (!IFNAME.test(ifname)) throw new Error(`bad interface name (≤ 15 chars): ${ifname}`);
}

async function configureEnd(ns: string, end: EndOptions): Promise<void> {
  // One `ip -batch` instead of a process per setting: lab setup is mostly process spawns.
  const lines: string[] = [];
  if (end.mac) lines.push(`link set ${end.ifname} address ${end.mac}`);
  for (const addr of end.addrs ?? []) {
    lines.push(`addr add ${addr} dev ${end.ifname}${addr.includes(':') ? ' nodad' : ''}`);
  }
  lines.push(`link set ${end.ifname} up`);
  await run(['ip', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n', where: ns });
}

/** Runs `fn` in a fresh lab and always tears it down, also when `fn` throws. */
export async function withLab<T>(name: string, fn: (lab: Lab) => Promise<T>): Promise<T> {
  const lab = await Lab.create(name);
  let result: T;
  try {
    result = await fn(lab);
  } catch (err) {
    // The test's own failure is the one to report; a teardown problem is only appended.
    await lab.teardown().catch((e: Error) => {
      if (err instanceof Error) err.message += `\n(also: ${e.message})`;
    });
    throw err;
  }
  await lab.teardown();
  return result;
}
