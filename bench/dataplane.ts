// nftables data plane costs, in a network namespace of its own (root): the outer process creates
// it, re-runs itself inside with `ip netns exec`, then deletes it.
//  1. install a 10,000-real-server table from nothing (100 NAT services × 100 servers, rr);
//  2. one real server going down → kernel (desired → ruleset → diff → nft), median of 15, through
//     the `nft -i` session and through `nft -f -` per transaction;
//  3. the same for a 100-server Maglev service (M = 10,007 slots);
//  4. `nft -f -` per transaction vs a long-lived `nft -i` (one-element change, median of 30).
// Writes bench/results/dataplane.json and prints a table.
//
// Usage: node --import tsx bench/dataplane.ts
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDesired, initialStates } from '../src/lb/desired.js';
import { NftDataplane, nftApply } from '../src/lb/nft.js';
import type { LvsSection } from '../src/config/lvs/types.js';
import { DiagnosticSink } from '../src/config/diagnostics.js';
import { treeFromText } from '../src/config/lexer.js';
import { parseConfig } from '../src/config/parse.js';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function lvsOf(text: string): LvsSection {
  const diag = new DiagnosticSink();
  return parseConfig(
    treeFromText(text, 'b.conf', diag),
    'b.conf',
    { interfaces: null, hostname: 'b' },
    diag,
  ).config.lvs;
}

function conf(services: number, servers: number, algo: string): string {
  let out = '';
  for (let s = 0; s < services; s++) {
    out += `virtual_server 203.0.113.${1 + (s % 250)} ${1000 + s} {\n  lb_algo ${algo}\n  lb_kind NAT\n  protocol TCP\n`;
    for (let r = 0; r < servers; r++)
      out += `  real_server 10.${1 + (r >> 8)}.${r & 255}.${1 + (s % 250)} 80 {\n  }\n`;
    out += '}\n';
  }
  return out;
}

async function oneChange(
  lvs: LvsSection,
  runs: number,
  spawnPerTransaction = false,
): Promise<{
  installMs: number;
  changeMs: number;
  /** Of changeMs: desired → ruleset → diff in JS, and the nft round trip. */
  jsMs: number;
  nftMs: number;
  /** CPU time per change (load-independent): this process, and the `nft -i` child. */
  cpuMs: number;
  nftCpuMs: number;
  commands: number;
}> {
  const dp = new NftDataplane({ spawnPerTransaction });
  const states = initialStates(lvs);
  const t0 = performance.now();
  let built = buildDesired(lvs, states);
  await dp.apply(built.table);
  const installMs = performance.now() - t0;
  const keys = [...states.keys()];
  const times: number[] = [];
  const js: number[] = [];
  const nft: number[] = [];
  let commands = 0;
  let cpu0 = process.cpuUsage();
  let nftTicks0 = 0;
  for (let i = 0; i < runs; i++) {
    if (i === 1) {
      // The first change also starts the `nft -i` session: leave it out of the CPU figures.
      nftTicks0 = ticks(dp.nftPid);
      cpu0 = process.cpuUsage();
    }
    const k = keys[(i * 7919) % keys.length];
    const t = performance.now();
    // What the subsystem does on 'rs:state': rebuild only the service that changed.
    states.set(k, { up: !states.get(k)!.up, weight: 1 });
    const dirty = new Set([k.split('|')[0]]);
    built = buildDesired(lvs, states, built.quorum, { prev: built.table, dirty });
    const st = await dp.apply(built.table);
    const total = performance.now() - t;
    times.push(total);
    nft.push(dp.lastNftMs);
    js.push(total - dp.lastNftMs);
    commands = st.commands;
  }
  const cpu = process.cpuUsage(cpu0);
  const nftCpuMs = ((ticks(dp.nftPid) - nftTicks0) * 10) / (runs - 1);
  await dp.release();
  return {
    installMs,
    changeMs: median(times),
    jsMs: median(js),
    nftMs: median(nft),
    cpuMs: (cpu.user + cpu.system) / 1000 / (runs - 1),
    nftCpuMs: spawnPerTransaction ? NaN : nftCpuMs,
    commands,
  };
}

/** utime + stime of a process, in clock ticks (10 ms). */
function ticks(pid: number | undefined): number {
  if (!pid) return 0;
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]);
}

/** One-element changes through a long-lived `nft -i`, synchronised by a `describe` sentinel. */
async function interactive(runs: number): Promise<number> {
  const p = spawn('nft', ['-i'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  let wake: (() => void) | null = null;
  p.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    if (buf.includes('datatype inet_service')) {
      buf = '';
      wake?.();
    }
  });
  const send = (line: string) =>
    new Promise<void>((r) => {
      wake = r;
      p.stdin.write(`${line}\ndescribe tcp dport\n`);
    });
  await send('add table ip bench; add map ip bench m { type ipv4_addr : ipv4_addr; }');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await send(`add element ip bench m { 10.0.${i >> 8}.${i & 255} : 10.1.0.1 }`);
    times.push(performance.now() - t);
  }
  await send('delete table ip bench');
  p.stdin.end();
  return median(times);
}

async function perSpawn(runs: number): Promise<number> {
  await nftApply('add table ip bench\nadd map ip bench m { type ipv4_addr : ipv4_addr; }\n');
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await nftApply(`add element ip bench m { 10.0.${i >> 8}.${i & 255} : 10.1.0.1 }\n`);
    times.push(performance.now() - t);
  }
  await nftApply('delete table ip bench\n');
  return median(times);
}

async function inner(): Promise<void> {
  const big = lvsOf(conf(100, 100, 'rr'));
  const rr = await oneChange(big, 31);
  const rrSpawn = await oneChange(big, 15, true);
  const mh = await oneChange(lvsOf(conf(1, 100, 'mh')), 15);
  const spawnMs = await perSpawn(30);
  const interMs = await interactive(30);
  const out = {
    date: new Date().toISOString(),
    kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(),
    realServers: 10000,
    installTableMs: rr.installMs,
    oneChangeToKernelMs: rr.changeMs,
    oneChangeCommands: rr.commands,
    oneChangeJsMs: rr.jsMs,
    oneChangeNftMs: rr.nftMs,
    oneChangeCpuMs: rr.cpuMs,
    oneChangeNftCpuMs: rr.nftCpuMs,
    oneChangeToKernelSpawnMs: rrSpawn.changeMs,
    loadAverage: spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim(),
    maglev100: { slots: 10007, installMs: mh.installMs, oneChangeMs: mh.changeMs },
    oneElement: { nftFileSpawnMs: spawnMs, nftInteractiveMs: interMs },
  };
  process.stdout.write(JSON.stringify(out) + '\n');
}

function outer(): void {
  const ns = `sa-bench-dp-${process.pid}`;
  spawnSync('ip', ['netns', 'add', ns]);
  try {
    const self = fileURLToPath(import.meta.url);
    const r = spawnSync(
      'ip',
      ['netns', 'exec', ns, process.execPath, '--import', 'tsx', self, '--inner'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    if (r.status !== 0) throw new Error('inner run failed');
    const res = JSON.parse(r.stdout.trim().split('\n').pop()!) as {
      installTableMs: number;
      oneChangeToKernelMs: number;
      oneChangeCommands: number;
      oneChangeJsMs: number;
      oneChangeNftMs: number;
      oneChangeCpuMs: number;
      oneChangeNftCpuMs: number;
      oneChangeToKernelSpawnMs: number;
      loadAverage: string;
      maglev100: { installMs: number; oneChangeMs: number };
      oneElement: { nftFileSpawnMs: number; nftInteractiveMs: number };
    };
    const dir = fileURLToPath(new URL('./results/', import.meta.url));
    mkdirSync(dir, { recursive: true });
    writeFileSync(`${dir}dataplane.json`, JSON.stringify(res, null, 2) + '\n');
    const f = (x: number) => `${x.toFixed(1)} ms`;
    console.log('| measurement | time |\n|---|---|');
    console.log(
      `| install 10,000 real servers (100 services × 100) from nothing | ${f(res.installTableMs)} |`,
    );
    console.log(
      `| one real server down/up → kernel, 10,000-server table (${res.oneChangeCommands} commands) | ${f(res.oneChangeToKernelMs)} |`,
    );
    console.log(
      `| … of which desired state, ruleset and diff (JS) / the \`nft -i\` round trip | ${f(res.oneChangeJsMs)} / ${f(res.oneChangeNftMs)} |`,
    );
    console.log(
      `| … CPU time per change (load-independent): stayalive / \`nft -i\` | ${f(res.oneChangeCpuMs)} / ${f(res.oneChangeNftCpuMs)} |`,
    );
    console.log(
      `| the same with \`nft -f -\` spawned per transaction | ${f(res.oneChangeToKernelSpawnMs)} |`,
    );
    console.log(
      `| install one Maglev service, 100 servers (10,007 slots) | ${f(res.maglev100.installMs)} |`,
    );
    console.log(`| one Maglev server down/up → kernel | ${f(res.maglev100.oneChangeMs)} |`);
    console.log(
      `| one element via \`nft -f -\` (spawn per transaction) | ${f(res.oneElement.nftFileSpawnMs)} |`,
    );
    console.log(
      `| one element via long-lived \`nft -i\` | ${f(res.oneElement.nftInteractiveMs)} |`,
    );
    console.log(`(load average during the run: ${res.loadAverage})`);
  } finally {
    spawnSync('ip', ['netns', 'del', ns]);
  }
}

if (process.argv.includes('--inner')) await inner();
else outer();
