/**
 * The nftables data plane (I/O): desired table → ruleset (ruleset.ts) → diff against what we
 * applied last (reconcile.ts) → one atomic transaction. Transactions go through a long-lived
 * `nft -i` (each input line is one atomic batch: the commands are joined with `; `), which costs
 * well under a millisecond where spawning `nft -f -` costs 5–30 ms (docs/lb.md has the numbers).
 * Big transactions (> 256 KiB, e.g. a first Maglev load) and a session that died fall back to
 * `nft -f -`. Both name the command nft rejected. DR needs the real servers' MACs: they are read
 * from the neighbour table (one ping fills a missing entry).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { ApplyStats, CounterValue, Dataplane } from './dataplane.js';
import type { NftState } from './nft-state.js';
import { reconcile, teardown } from './reconcile.js';
import { buildRuleset, counterNames, type DrNeighbour, type RulesetResult } from './ruleset.js';
import type { DesiredTable } from './types.js';

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCommand(argv: readonly string[], input?: string): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    p.stdin.on('error', () => undefined);
    p.stdin.end(input ?? '');
  });
}

export class NftError extends Error {
  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/** Runs one script atomically with `nft -f -`; on failure names the command nft rejected. */
export async function nftApply(script: string, nft = 'nft'): Promise<void> {
  const r = await runCommand([nft, '-f', '-'], script);
  if (r.code === 0) return;
  const lines = script.split('\n');
  const m = /(?:\/dev\/stdin|-):(\d+):/.exec(r.stderr);
  const bad = m ? (lines[Number(m[1]) - 1] ?? '') : '';
  const first = r.stderr.split('\n').find((l) => /Error/.test(l)) ?? r.stderr.trim();
  const shown = bad.length > 200 ? bad.slice(0, 200) + '…' : bad;
  throw new NftError(
    `nft rejected ${shown ? `\`${shown}\`` : 'the transaction'}: ${first.trim()}`,
    bad,
  );
}

/** Largest transaction sent through the interactive session. */
const SESSION_MAX = 256 * 1024;
/** Printed by `describe tcp dport`: marks the end of one transaction's output. */
const SENTINEL_CMD = 'describe tcp dport';
const SENTINEL = /datatype inet_service/;

/**
 * A long-lived `nft -i`. nft reads one line at a time and runs it as one batch, printing nothing
 * on success; a `describe` after each transaction marks where its error output (if any) ends.
 */
export class NftSession {
  private child: ChildProcessWithoutNullStreams | null = null;
  private out = '';
  private err = '';
  private wake: (() => void) | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly nft = 'nft') {}

  private start(): ChildProcessWithoutNullStreams {
    const p = spawn(this.nft, ['-i'], { stdio: ['pipe', 'pipe', 'pipe'] });
    p.stdout.on('data', (d: Buffer) => {
      this.out += d.toString();
      if (SENTINEL.test(this.out)) this.wake?.();
    });
    p.stderr.on('data', (d: Buffer) => (this.err += d.toString()));
    const gone = (): void => {
      if (this.child === p) this.child = null;
      this.wake?.();
    };
    p.on('exit', gone);
    p.on('error', gone);
    p.stdin.on('error', () => undefined);
    return p;
  }

  /** Runs newline-separated commands as one atomic batch. */
  run(script: string): Promise<void> {
    const next = this.chain.then(() => this.once(script));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async once(script: string): Promise<void> {
    const cmds = script.split('\n').filter((l) => l.trim());
    const line = cmds.join('; ');
    this.child ??= this.start();
    const p = this.child;
    this.out = '';
    this.err = '';
    await new Promise<void>((resolve) => {
      this.wake = resolve;
      p.stdin.write(`${line}\n${SENTINEL_CMD}\n`);
    });
    this.wake = null;
    if (!SENTINEL.test(this.out)) throw new NftError('nft -i exited', '');
    // stderr is a separate pipe. nft wrote any error before it ran the sentinel, so the epoll
    // round that reported stdout reported stderr too: its data is read by the check phase.
    await new Promise((r) => setImmediate(r));
    if (!/Error/.test(this.err)) return;
    // nft echoes the line with carets under the offending part: map the column to a command.
    const lines = this.err.split('\n');
    const caretAt = lines.findIndex((l) => /^\s*[~^]*\^/.test(l) && l.includes('^'));
    let bad = '';
    if (caretAt > 0) {
      const col = lines[caretAt].indexOf('^');
      let start = 0;
      for (const c of cmds) {
        if (col < start + c.length) {
          bad = c;
          break;
        }
        start += c.length + 2;
      }
    }
    const first = lines.find((l) => /Error/.test(l)) ?? this.err.trim();
    const shown = bad.length > 200 ? bad.slice(0, 200) + '…' : bad;
    throw new NftError(
      `nft rejected ${shown ? `\`${shown}\`` : 'the transaction'}: ${first.trim()}`,
      bad,
    );
  }

  /** The `nft -i` child's pid while it runs (benchmarks read its CPU time). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  close(): void {
    this.child?.stdin.end();
    this.child = null;
  }
}

interface IpRoute {
  dev?: string;
  gateway?: string;
}
interface IpNeigh {
  lladdr?: string;
  state?: string[];
}

/** Interface and MAC of a directly connected neighbour, or undefined. */
export async function resolveNeighbour(addr: string): Promise<DrNeighbour | undefined> {
  const route = await runCommand(['ip', '-j', 'route', 'get', addr]);
  if (route.code !== 0) return undefined;
  const r = (JSON.parse(route.stdout) as IpRoute[])[0];
  if (!r?.dev || r.gateway) return undefined;
  const dev = r.dev;
  let devMac: string;
  try {
    devMac = readFileSync(`/sys/class/net/${dev}/address`, 'utf8').trim();
  } catch {
    return undefined;
  }
  for (let attempt = 0; attempt < 2; attempt++) {
    const n = await runCommand(['ip', '-j', 'neigh', 'show', addr, 'dev', dev]);
    const e = n.code === 0 ? (JSON.parse(n.stdout || '[]') as IpNeigh[])[0] : undefined;
    if (e?.lladdr && !e.state?.includes('FAILED')) return { dev, devMac, mac: e.lladdr };
    if (attempt === 0)
      await runCommand(['ping', addr.includes(':') ? '-6' : '-4', '-c', '1', '-W', '1', addr]);
  }
  return undefined;
}

interface NftJsonSetElem {
  elem?: { val?: { concat?: [string, number] }; counter?: { packets: number; bytes: number } };
}

export interface NftDataplaneOptions {
  masquerade?: boolean;
  /** Spawn `nft -f -` for every transaction instead of keeping an `nft -i` session. */
  spawnPerTransaction?: boolean;
  /** Replaces the nft runner (tests). */
  run?: (script: string) => Promise<void>;
  /** Replaces the neighbour lookup (tests). */
  resolve?: (addr: string) => Promise<DrNeighbour | undefined>;
}

export class NftDataplane implements Dataplane {
  readonly name = 'nftables';
  private applied: NftState | null = null;
  /** The build behind `applied`: its shared maps are reused when no service changed them. */
  private appliedBuild: RulesetResult | undefined;
  private chains = new Map<string, string>();
  private neighbours = new Map<string, DrNeighbour>();
  private session = new NftSession();
  /** The last transaction's script ('' when nothing changed). */
  lastScript = '';
  /** Time the last transaction spent in nft (ms), apart from building and diffing. */
  lastNftMs = 0;

  constructor(private readonly opts: NftDataplaneOptions = {}) {}

  private async run(script: string): Promise<void> {
    if (this.opts.run) return this.opts.run(script);
    if (this.opts.spawnPerTransaction || script.length > SESSION_MAX) return nftApply(script);
    try {
      await this.session.run(script);
    } catch (e) {
      // A dead session: the transaction did not happen; retry it the slow way.
      if (e instanceof NftError && e.message === 'nft -i exited') return nftApply(script);
      throw e;
    }
  }

  private async drNeighbours(desired: DesiredTable): Promise<Map<string, DrNeighbour>> {
    const resolve = this.opts.resolve ?? resolveNeighbour;
    for (const s of desired.services)
      if (s.method === 'DR')
        for (const b of s.backends)
          if (!this.neighbours.has(b.addr)) {
            const n = await resolve(b.addr);
            if (n) this.neighbours.set(b.addr, n);
          }
    return this.neighbours;
  }

  async apply(desired: DesiredTable): Promise<ApplyStats> {
    const t0 = performance.now();
    const dr = await this.drNeighbours(desired);
    const built = buildRuleset(desired, {
      masquerade: this.opts.masquerade,
      dr,
      prev: this.appliedBuild,
    });
    const plan = reconcile(this.applied, built.state);
    this.lastScript = plan.commands.length ? plan.commands.join('\n') + '\n' : '';
    this.lastNftMs = 0;
    if (this.lastScript) {
      // On failure the kernel kept the old ruleset (atomic) and so do we.
      const t1 = performance.now();
      await this.run(this.lastScript);
      this.lastNftMs = performance.now() - t1;
    }
    this.applied = built.state;
    this.appliedBuild = built;
    this.chains = built.chains;
    return {
      commands: plan.commands.length,
      elementsAdded: plan.elementsAdded,
      elementsRemoved: plan.elementsRemoved,
      chainsReplaced: plan.chainsReplaced,
      ms: performance.now() - t0,
      warnings: built.warnings,
    };
  }

  async release(): Promise<void> {
    if (!this.applied) return;
    const cmds = teardown(this.applied);
    this.applied = null;
    this.appliedBuild = undefined;
    try {
      if (cmds.length) await this.run(cmds.join('\n') + '\n');
    } finally {
      this.session.close();
    }
  }

  /** The pid of the `nft -i` session, if one runs. */
  get nftPid(): number | undefined {
    return this.session.pid;
  }

  describe(): Record<string, unknown> {
    return { chains: Object.fromEntries(this.chains) };
  }

  /**
   * Per-backend traffic from the counters on the backend_in/backend_out set elements, reported
   * under counterNames(). This lists those two sets only (one element per configured NAT real
   * server), never the slot or persistence maps.
   */
  async counters(): Promise<Map<string, CounterValue>> {
    const out = new Map<string, CounterValue>();
    for (const t of this.applied?.values() ?? []) {
      for (const dir of ['in', 'out'] as const) {
        const set = `backend_${dir}`;
        if (!t.maps.get(set)?.elements.size) continue;
        const r = await runCommand(['nft', '-j', 'list', 'set', t.family, t.name, set]);
        if (r.code !== 0) continue;
        const doc = JSON.parse(r.stdout) as { nftables: Array<{ set?: { elem?: unknown[] } }> };
        for (const o of doc.nftables)
          for (const e of (o.set?.elem ?? []) as NftJsonSetElem[]) {
            const [addr, port] = e.elem?.val?.concat ?? [];
            const c = e.elem?.counter;
            if (addr === undefined || port === undefined || !c) continue;
            out.set(counterNames(addr, port)[dir], { packets: c.packets, bytes: c.bytes });
          }
      }
    }
    return out;
  }
}
