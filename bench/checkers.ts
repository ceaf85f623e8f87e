// Checker scale against HAProxy, in one run: 10,000 TCP_CHECK real servers (127.2.x.y:39080)
// and 2,000 HTTP_GET real servers (127.3.x.y:39180), delay_loop / inter 1 s, checked by the
// real checker runtime in this process and by HAProxy (Debian `haproxy`, one thread) at the
// same time. Reports CPU (process.cpuUsage; /proc/PID/stat for HAProxy) and RSS of both.
//
// Listeners, outside both measured processes: two python3 accept loops sharing
// 0.0.0.0:39080 (SO_REUSEPORT, TCP_DEFER_ACCEPT, backlog 4096; the kernel answers the SYNs,
// the loops accept and close, with a FIN, what the checks already reset — a RST from the
// listener could reach a lagging checker before it saw its connect complete).
// HTTP: a node:net responder on 0.0.0.0:39180 writing a fixed `200 OK`.
//
// Phases: `tcp` (10,000 TCP only), then `tcp+http` (10,000 TCP + 2,000 HTTP). Each phase: 2 s
// warm-up, then the window. Writes bench/results/checkers.json and prints a table.
//
// Usage: node --import tsx bench/checkers.ts [--seconds 20] [--tcp 10000] [--http 2000] [--net]
//   --net forces the node:net TCP path (the fallback) instead of the addon's TcpProber.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import '../src/check/events.js';
import { makeProbe, type ProbeFactory } from '../src/check/probes.js';
import { CheckerRuntime } from '../src/check/runtime.js';
import { probeTcp, targetOf } from '../src/check/tcp.js';
import { DiagnosticSink } from '../src/config/diagnostics.js';
import { treeFromText } from '../src/config/lexer.js';
import type { Config } from '../src/config/model.js';
import { parseConfig } from '../src/config/parse.js';
import { subscribe } from '../src/core/bus.js';
import { sharedTcpProber } from '../src/os/tcp-prober.js';

const { values: opt } = parseArgs({
  options: {
    seconds: { type: 'string', default: '20' },
    tcp: { type: 'string', default: '10000' },
    http: { type: 'string', default: '2000' },
    net: { type: 'boolean', default: false },
  },
});
const WINDOW_S = Number(opt.seconds);
const N_TCP = Number(opt.tcp);
const N_HTTP = Number(opt.http);
const TCP_PORT = 39080;
const HTTP_PORT = 39180;
const HAPROXY_SRC = '127.9.0.1';
const NFT_TABLE = 'sa_bench_checkers';
const tcpAddr = (i: number): string => `127.2.${Math.floor(i / 250)}.${(i % 250) + 1}`;
const httpAddr = (i: number): string => `127.3.${Math.floor(i / 250)}.${(i % 250) + 1}`;

const PY_LISTENER = `
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
s.setsockopt(socket.IPPROTO_TCP, socket.TCP_DEFER_ACCEPT, 1)
s.bind(('0.0.0.0', ${TCP_PORT}))
s.listen(4096)
print('ready', flush=True)
while True:
    c, _ = s.accept()
    c.close()
`;
const HTTP_RESPONDER = `
import { createServer } from 'node:net';
const body = 'HTTP/1.0 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok';
const s = createServer((c) => { c.on('error', () => {}); c.once('data', () => c.end(body)); });
s.listen({ port: ${HTTP_PORT}, host: '0.0.0.0', backlog: 4096 }, () => console.log('ready'));
process.stdin.on('end', () => process.exit(0)); process.stdin.resume();
`;

function checkerConfig(nTcp: number, nHttp: number): Config {
  let text = 'virtual_server 192.0.2.100 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n';
  text += '  delay_loop 1\n  connect_timeout 1\n';
  for (let i = 0; i < nTcp; i++)
    text += `  real_server ${tcpAddr(i)} ${TCP_PORT} {\n    TCP_CHECK {\n    }\n  }\n`;
  text += '}\n';
  if (nHttp > 0) {
    text += 'virtual_server 192.0.2.101 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n';
    text += '  delay_loop 1\n  connect_timeout 1\n';
    for (let i = 0; i < nHttp; i++)
      text += `  real_server ${httpAddr(i)} ${HTTP_PORT} {\n    HTTP_GET {\n      url {\n        path /\n        status_code 200\n      }\n    }\n  }\n`;
    text += '}\n';
  }
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 'bench.conf', diag);
  return parseConfig(tree, 'bench.conf', { interfaces: null, hostname: 'bench' }, diag).config;
}

function haproxyConfig(nTcp: number, nHttp: number, sock: string): string {
  const lines = [
    'global',
    '  nbthread 1',
    '  maxconn 2000',
    `  stats socket ${sock} mode 600 level admin`,
    'defaults',
    '  mode tcp',
    '  timeout connect 1s',
    '  timeout client 5s',
    '  timeout server 5s',
    // Its own source address, so the nft counters below tell its SYNs from ours.
    `  default-server inter 1s fall 2 rise 1 source ${HAPROXY_SRC}`,
    // HAProxy refuses to run without a listener; nothing connects to it.
    'frontend fe',
    '  bind 127.0.0.1:39999',
    '  default_backend tcp_rs',
    'backend tcp_rs',
    '  balance roundrobin',
  ];
  for (let i = 0; i < nTcp; i++) lines.push(`  server t${i} ${tcpAddr(i)}:${TCP_PORT} check`);
  if (nHttp > 0) {
    lines.push('backend http_rs', '  mode http', '  option httpchk GET /');
    for (let i = 0; i < nHttp; i++) lines.push(`  server h${i} ${httpAddr(i)}:${HTTP_PORT} check`);
  }
  return `${lines.join('\n')}\n`;
}

function waitLine(child: ChildProcess, word: string, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what} did not start`)), 30_000);
    child.once('exit', (code) => reject(new Error(`${what} exited (${code})`)));
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes(word)) {
        clearTimeout(t);
        resolve();
      }
    });
  });
}

const TICK = 100; // USER_HZ on Linux
function procCpuMs(pid: number): { total: number; sys: number } {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  const user = (Number(rest[11]) * 1000) / TICK;
  const sys = (Number(rest[12]) * 1000) / TICK;
  return { total: user + sys, sys };
}
function procRssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round(Number(m?.[1] ?? 0) / 102.4) / 10;
}
function haproxyStat(sock: string): Promise<{ up: number; down: number }> {
  return new Promise((resolve) => {
    let out = '';
    const c = connect(sock, () => c.write('show stat -1 4 -1\n'));
    c.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', () => resolve({ up: -1, down: -1 }));
    c.on('end', () => {
      const rows = out.split('\n').filter((l) => l && !l.startsWith('#'));
      const status = (l: string): string => l.split(',')[17] ?? '';
      resolve({
        up: rows.filter((l) => status(l).startsWith('UP')).length,
        down: rows.filter((l) => status(l).startsWith('DOWN')).length,
      });
    });
  });
}

// SYNs HAProxy sends (source HAPROXY_SRC), counted by nftables: its real check rate.
function nft(script: string): boolean {
  return (
    spawnSync('nft', ['-f', '-'], { input: script, stdio: ['pipe', 'ignore', 'ignore'] }).status ===
    0
  );
}
function nftSetup(): boolean {
  nft(`delete table inet ${NFT_TABLE}\n`);
  return nft(
    `table inet ${NFT_TABLE} {\n chain out {\n  type filter hook output priority 0;\n  ip saddr ${HAPROXY_SRC} tcp flags & (syn|ack) == syn counter\n }\n}\n`,
  );
}
function nftSyns(): number {
  const r = spawnSync('nft', ['-j', 'list', 'table', 'inet', NFT_TABLE], { encoding: 'utf8' });
  const m = /"counter":\s*\{\s*"packets":\s*(\d+)/.exec(r.stdout ?? '');
  return m ? Number(m[1]) : -1;
}

interface Row {
  phase: string;
  tcpServers: number;
  httpServers: number;
  windowS: number;
  probe: string;
  checks: number;
  tcpChecks: number;
  httpChecks: number;
  failures: number;
  /** First failures per reason (only results that differed from the previous one are events). */
  failureReasons: Record<string, number>;
  eventsPublished: number;
  checksPerS: number;
  cpuMsPerS: number;
  cpuUsPerCheck: number;
  /** Of cpuUsPerCheck, the kernel's share (connect, close, epoll; loopback handshakes). */
  sysUsPerCheck: number;
  coreShare: number;
  rssMb: number;
  p50LatencyMs: number;
  p99LatencyMs: number;
  haproxy: {
    cpuMsPerS: number;
    coreShare: number;
    cpuUsPerCheck: number;
    sysUsPerCheck: number;
    rssMb: number;
    /** Measured from its SYNs (nft counter); -1 if nft was not usable. */
    checksPerS: number;
    up: number;
    down: number;
  };
  cpuRatioToHaproxy: number;
}

async function phase(name: string, nTcp: number, nHttp: number, dir: string): Promise<Row> {
  const cfgPath = join(dir, `${name}.cfg`);
  const sock = join(dir, `${name}.sock`);
  writeFileSync(cfgPath, haproxyConfig(nTcp, nHttp, sock));
  const hap = spawn('haproxy', ['-db', '-f', cfgPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  let hapErr = '';
  hap.stderr.on('data', (d: Buffer) => (hapErr += d.toString()));
  hap.once('exit', (code) => {
    if (code !== null && code !== 0) console.error(`haproxy exited ${code}: ${hapErr}`);
  });
  const forceNet: ProbeFactory = (p, rs, config) => {
    const c = p.checker;
    if (c.type !== 'TCP_CHECK') return makeProbe(p, rs, config);
    return (signal) => probeTcp(targetOf(c.conn), signal, null);
  };
  const rt = new CheckerRuntime(opt.net ? { probeFactory: forceNet } : {});
  // The runtime publishes 'check:result' only when a result differs from the previous one,
  // so probes are counted from its totals (every probe) and from status() (per type).
  const tcpProbes = (): number => {
    let n = 0;
    for (const r of rt.status().realServers)
      for (const c of r.checkers) if (c.id.startsWith('TCP')) n += c.probes - (c.inFlight ? 1 : 0);
    return n;
  };
  const reasons = new Map<string, number>();
  let counting = false;
  const off = subscribe('check:result', (e) => {
    if (counting && !e.ok) reasons.set(e.reason, (reasons.get(e.reason) ?? 0) + 1);
  });
  rt.start(checkerConfig(nTcp, nHttp));
  await new Promise((r) => setTimeout(r, 2000));
  const hap0 = procCpuMs(hap.pid ?? 0);
  const syn0 = nftSyns();
  const tcp0 = tcpProbes();
  const n0 = rt.counters();
  counting = true;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, WINDOW_S * 1000));
  const cpu = process.cpuUsage(cpu0);
  const wall = (performance.now() - t0) / 1000;
  const n1 = rt.counters();
  const tcpChecks = tcpProbes() - tcp0;
  const checks = n1.results - n0.results;
  const failures = n1.failures - n0.failures;
  const hap1 = procCpuMs(hap.pid ?? 0);
  const hapMs = hap1.total - hap0.total;
  const hapSysMs = hap1.sys - hap0.sys;
  const syn1 = nftSyns();
  const hapRss = procRssMb(hap.pid ?? 0);
  const rssMb = Math.round(process.memoryUsage().rss / 104857.6) / 10;
  counting = false;
  off();
  const st = await haproxyStat(sock);
  await rt.stop();
  hap.kill('SIGTERM');
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const hist = n1.latencyMs.map((v, i) => v - (n0.latencyMs[i] ?? 0));
  // Upper edge of the 1 ms bucket holding the p-th latency.
  const pct = (p: number): number => {
    let seen = 0;
    for (let i = 0; i < hist.length; i++) {
      seen += hist[i] ?? 0;
      if (seen >= checks * p) return i + 1;
    }
    return hist.length;
  };
  const r3 = (x: number): number => Math.round(x * 1000) / 1000;
  // Without nft, assume HAProxy checks every server once per inter.
  const hapChecks = syn0 >= 0 && syn1 >= 0 ? syn1 - syn0 : (nTcp + nHttp) * wall;
  return {
    phase: name,
    tcpServers: nTcp,
    httpServers: nHttp,
    windowS: Math.round(wall * 100) / 100,
    probe: opt.net || !sharedTcpProber() ? 'node:net' : 'native TcpProber',
    checks,
    tcpChecks,
    httpChecks: checks - tcpChecks,
    failures,
    failureReasons: Object.fromEntries(reasons),
    eventsPublished: n1.published - n0.published,
    checksPerS: Math.round(checks / wall),
    cpuMsPerS: Math.round(cpuMs / wall),
    cpuUsPerCheck: Math.round((cpuMs * 1000) / Math.max(1, checks)),
    sysUsPerCheck: Math.round(cpu.system / Math.max(1, checks)),
    coreShare: r3(cpuMs / 1000 / wall),
    rssMb,
    p50LatencyMs: r3(pct(0.5)),
    p99LatencyMs: r3(pct(0.99)),
    haproxy: {
      cpuMsPerS: Math.round(hapMs / wall),
      coreShare: r3(hapMs / 1000 / wall),
      cpuUsPerCheck: Math.round((hapMs * 1000) / Math.max(1, hapChecks)),
      sysUsPerCheck: Math.round((hapSysMs * 1000) / Math.max(1, hapChecks)),
      rssMb: hapRss,
      checksPerS: syn0 >= 0 ? Math.round(hapChecks / wall) : -1,
      up: st.up,
      down: st.down,
    },
    cpuRatioToHaproxy: Math.round((cpuMs / Math.max(1, hapMs)) * 100) / 100,
  };
}

const dir = mkdtempSync(join(tmpdir(), 'sa-bench-checkers-'));
const LISTENERS = 2;
const pys = Array.from({ length: LISTENERS }, () =>
  spawn('python3', ['-c', PY_LISTENER], { stdio: ['ignore', 'pipe', 'inherit'] }),
);
const httpScript = join(dir, 'http.mjs');
writeFileSync(httpScript, HTTP_RESPONDER);
const web = spawn(process.execPath, [httpScript], { stdio: ['pipe', 'pipe', 'inherit'] });
const rows: Row[] = [];
if (!nftSetup()) console.error('nft not usable: HAProxy rate assumed, not measured');
try {
  for (const py of pys) await waitLine(py, 'ready', 'python3 listener');
  await waitLine(web, 'ready', 'HTTP responder');
  rows.push(await phase('tcp', N_TCP, 0, dir));
  if (N_HTTP > 0) rows.push(await phase('tcp+http', N_TCP, N_HTTP, dir));
} finally {
  web.stdin?.end();
  for (const py of pys) py.kill();
  nft(`delete table inet ${NFT_TABLE}\n`);
  web.kill();
  rmSync(dir, { recursive: true, force: true });
}
const out = fileURLToPath(new URL('./results/checkers.json', import.meta.url));
mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify({ bench: 'checkers', date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length, delayLoopS: 1, rows }, null, 2)}\n`,
);
console.log(
  'phase     probe            checks/s  fail  CPU ms/s  µs/check (sys)  core  RSS MB  p50 ms  p99 ms | HAProxy chk/s  core  µs/check (sys)  RSS MB  up/down | ratio',
);
for (const r of rows) {
  const h = r.haproxy;
  console.log(
    `${r.phase.padEnd(8)}  ${r.probe.padEnd(15)}  ${String(r.checksPerS).padStart(8)}  ${String(r.failures).padStart(4)}  ${String(r.cpuMsPerS).padStart(8)}  ${String(r.cpuUsPerCheck).padStart(8)} (${String(r.sysUsPerCheck).padStart(3)})  ${r.coreShare.toFixed(2)}  ${r.rssMb.toFixed(1).padStart(6)}  ${r.p50LatencyMs.toFixed(2).padStart(6)}  ${r.p99LatencyMs.toFixed(2).padStart(6)} | ${String(h.checksPerS).padStart(13)}  ${h.coreShare.toFixed(2)}  ${String(h.cpuUsPerCheck).padStart(8)} (${String(h.sysUsPerCheck).padStart(3)})  ${h.rssMb.toFixed(1).padStart(6)}  ${h.up}/${h.down} | ${r.cpuRatioToHaproxy.toFixed(2)}`,
  );
}
console.log(`written to ${out}`);
