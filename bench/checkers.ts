// Checker scale: N TCP listeners on loopback addresses (127.2.x.y:8080, in a child process so
// their CPU is not counted), N TCP_CHECKs with delay_loop 1 s run by the real checker runtime
// for a bounded window; CPU time of the checking process per check and per second. Loopback
// only; stops by itself. Writes bench/results/checkers.json and prints a table.
//
// Usage: node --import tsx bench/checkers.ts [N...]   (default: 500 1000 2000; window 10 s)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../src/check/events.js';
import { CheckerRuntime } from '../src/check/runtime.js';
import { DiagnosticSink } from '../src/config/diagnostics.js';
import { treeFromText } from '../src/config/lexer.js';
import type { Config } from '../src/config/model.js';
import { parseConfig } from '../src/config/parse.js';
import { subscribe } from '../src/core/bus.js';

const WINDOW_S = Number(process.env.SA_BENCH_WINDOW_S ?? 10);
const addr = (i: number): string => `127.2.${Math.floor(i / 250)}.${(i % 250) + 1}`;

const SERVERS = `
import { createServer } from 'node:net';
const n = Number(process.argv[2]);
let up = 0;
for (let i = 0; i < n; i++) {
  const s = createServer((c) => c.destroy());
  s.listen(8080, '127.2.' + Math.floor(i / 250) + '.' + ((i % 250) + 1), () => { if (++up === n) console.log('ready'); });
}
process.on('SIGTERM', () => process.exit(0));
`;

function config(n: number): Config {
  let text = 'virtual_server 192.0.2.100 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n';
  text += '  delay_loop 1\n  connect_timeout 1\n';
  for (let i = 0; i < n; i++)
    text += `  real_server ${addr(i)} 8080 {\n    TCP_CHECK {\n    }\n  }\n`;
  text += '}\n';
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 'bench.conf', diag);
  return parseConfig(tree, 'bench.conf', { interfaces: null, hostname: 'bench' }, diag).config;
}

interface Row {
  servers: number;
  windowS: number;
  checks: number;
  failures: number;
  checksPerS: number;
  cpuMsPerS: number;
  cpuUsPerCheck: number;
  coreShare: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
}

async function measure(n: number, dir: string): Promise<Row> {
  const script = join(dir, 'servers.mjs');
  writeFileSync(script, SERVERS);
  const child = spawn(process.execPath, [script, String(n)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('listeners did not start')), 30_000);
    child.stdout.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) {
        clearTimeout(t);
        resolve();
      }
    });
  });
  const rt = new CheckerRuntime();
  let counting = false;
  let checks = 0;
  let failures = 0;
  const lat: number[] = [];
  const off = subscribe('check:result', (e) => {
    if (!counting) return;
    checks++;
    if (!e.ok) failures++;
    lat.push(e.latencyMs);
  });
  rt.start(config(n));
  // Warm-up: the first probes are spread over warmup (= delay_loop, 1 s).
  await new Promise((r) => setTimeout(r, 2000));
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  counting = false;
  off();
  await rt.stop();
  child.kill('SIGTERM');
  const cpuMs = (cpu.user + cpu.system) / 1000;
  lat.sort((a, b) => a - b);
  const pct = (p: number): number => lat[Math.min(lat.length - 1, Math.floor(lat.length * p))] ?? 0;
  return {
    servers: n,
    windowS: Math.round(wall * 100) / 100,
    checks,
    failures,
    checksPerS: Math.round(checks / wall),
    cpuMsPerS: Math.round(cpuMs / wall),
    cpuUsPerCheck: Math.round((cpuMs * 1000) / Math.max(1, checks)),
    coreShare: Math.round((cpuMs / 1000 / wall) * 1000) / 1000,
    p50LatencyMs: Math.round(pct(0.5) * 1000) / 1000,
    p99LatencyMs: Math.round(pct(0.99) * 1000) / 1000,
  };
}

const sizes = process.argv
  .slice(2)
  .map(Number)
  .filter((n) => n > 0);
const dir = mkdtempSync(join(tmpdir(), 'sa-bench-checkers-'));
const rows: Row[] = [];
try {
  for (const n of sizes.length ? sizes : [500, 1000, 2000]) rows.push(await measure(n, dir));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const out = fileURLToPath(new URL('./results/checkers.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'checkers', date: new Date().toISOString(), node: process.version, probe: 'TCP_CHECK over node:net, delay_loop 1 s', rows }, null, 2)}\n`,
);
console.log('servers  checks/s  failures  CPU ms/s  µs/check  core  p50 ms  p99 ms');
for (const r of rows) {
  console.log(
    `${String(r.servers).padStart(7)}  ${String(r.checksPerS).padStart(8)}  ${String(r.failures).padStart(8)}  ${String(r.cpuMsPerS).padStart(8)}  ${String(r.cpuUsPerCheck).padStart(8)}  ${r.coreShare.toFixed(2).padStart(4)}  ${r.p50LatencyMs.toFixed(2).padStart(6)}  ${r.p99LatencyMs.toFixed(2).padStart(6)}`,
  );
}
console.log(`written to ${out}`);
