// Requests/s and p99 latency through the nftables VIP (NAT and DR), against straight to one real
// server and against HAProxy (TCP mode) on the same director, all in one run, in the LB lab
// topology (test/lab/lb-common.ts: client → router → director → rs1..rs3, each a tiny node HTTP
// server). Cases:
//   direct rs1 · NAT VIP, 1 server (rs1 only: the data plane's own cost, same server as direct) ·
//   NAT VIP, 3 servers rr · DR VIP, 3 servers rr (a second VIP on the real servers' lo; only
//   replies from it go straight to the router) · HAProxy TCP, 3 servers roundrobin.
// Load: wrk (Debian `wrk`), -d DURATION s per case, 2 threads, 32 connections, in two modes —
// keep-alive (forwarding cost) and `Connection: close` (a new connection, hence one scheduling
// decision, per request). The cases run interleaved in ROUNDS rounds and each figure is the
// median over the rounds, so machine noise hits every case alike; the load average is recorded
// with each measurement. HAProxy is our own process in the director's namespace (Debian's service
// is never started). Writes bench/results/dataplane-rps.json and prints a table.
//
// Usage (root): node --import tsx bench/dataplane-rps.ts [DURATION_S=5] [ROUNDS=3]
import { readFileSync } from 'node:fs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addDrVip, buildLbLab, Driver, VIP, type LbLab } from '../test/lab/lb-common.js';
import { requireRoot, waitFor, withLab, type Lab } from '../test/lab/lib/index.js';

const DURATION = Number(process.argv[2] ?? 5);
const ROUNDS = Number(process.argv[3] ?? 3);
const HAPROXY_PORT = 8000;
const DR_VIP = '203.0.113.101';
const VIA_D = '198.51.100.21';
const rsBlock = (n: number, port = 80) =>
  Array.from({ length: n }, (_, i) => `  real_server 198.51.100.${11 + i} ${port} {\n  }\n`).join(
    '',
  );
const vs = (addr: string, port: number, kind: string, n: number) =>
  `virtual_server ${addr} ${port} {\n  lb_algo rr\n  lb_kind ${kind}\n  protocol TCP\n${rsBlock(n)}}\n`;
// NAT VIP:80 → rs1..3; NAT VIP:81 → rs1:80 only; DR VIP2:80 → rs1..3.
const CONF = vs(VIP, 80, 'NAT', 3) + vs(VIP, 81, 'NAT', 1) + vs(DR_VIP, 80, 'DR', 3);

interface Run {
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
  /** /proc/loadavg's 1-minute figure when the case started. */
  load1: number;
  /** The director's conntrack: drop + insert_failed + early_drop during the case; entries after. */
  ctDrops?: number;
  ctCount?: number;
}

async function ctStats(l: LbLab): Promise<{ drops: number; count: number }> {
  const s = (await l.d.exec(['conntrack', '-S'])).stdout;
  let drops = 0;
  for (const m of s.matchAll(/\b(?:drop|insert_failed|early_drop)=(\d+)/g)) drops += Number(m[1]);
  const c = Number((await l.d.exec(['conntrack', '-C'])).stdout.trim());
  return { drops, count: c };
}

interface Row extends Omit<Run, 'load1' | 'ctCount'> {
  target: string;
  mode: 'keepalive' | 'close';
  /** Every round, in order. */
  runs: Run[];
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const load1 = (): number => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/** wrk's latency figures ("1.23ms", "850.00us", "1.02s") in ms. */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

async function wrk(l: LbLab, url: string, close: boolean): Promise<Run> {
  const load = load1();
  const args = ['wrk', '-t2', '-c32', `-d${DURATION}s`, '--latency', '--timeout', '2s'];
  if (close) args.push('-H', 'Connection: close');
  const r = await l.c.exec([...args, url], { timeoutMs: (DURATION + 90) * 1000 });
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const err = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors = (err ? err.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + non2xx;
  return { rps, p50ms: p50, p99ms: p99, errors, load1: load };
}

const HAPROXY_CFG = `global
  maxconn 4096
defaults
  mode tcp
  timeout connect 2s
  timeout client 30s
  timeout server 30s
listen vip
  bind 198.51.100.2:${HAPROXY_PORT}
  balance roundrobin
  server rs1 198.51.100.11:80
  server rs2 198.51.100.12:80
  server rs3 198.51.100.13:80
`;

async function run(lab: Lab): Promise<Row[]> {
  const l = await buildLbLab(lab);
  await addDrVip(l, DR_VIP);
  // rs1 answers on a second address that the router sends through the director: "direct" with
  // the same two forwarding hops as the NAT VIP, but no NAT (isolates DNAT + our ruleset).
  await l.rs[0].ip(['addr', 'add', `${VIA_D}/24`, 'dev', 'eth0']);
  await l.r.ip(['route', 'add', `${VIA_D}/32`, 'via', '198.51.100.2']);
  const drv = new Driver(lab, l.d);
  const cfg = join(lab.dir, 'haproxy.cfg');
  writeFileSync(cfg, HAPROXY_CFG);
  const ha = l.d.spawn(['haproxy', '-db', '-f', cfg], { logTo: join(lab.dir, 'haproxy.log') });
  try {
    await drv.send({ cmd: 'start', conf: drv.conf(CONF) });
    await waitFor(
      async () => (await l.d.exec(['ss', '-ltn'])).stdout.includes(`:${HAPROXY_PORT}`),
      { timeoutMs: 5000, what: 'haproxy listening' },
    );
    const targets: Array<[string, string]> = [
      ['direct rs1', 'http://198.51.100.11/'],
      ['direct rs1, routed through the director (no NAT)', `http://${VIA_D}/`],
      ['nftables NAT VIP (1 server: rs1)', `http://${VIP}:81/`],
      ['nftables NAT VIP (3 servers, rr)', `http://${VIP}/`],
      ['nftables DR VIP (3 servers, rr)', `http://${DR_VIP}/`],
      ['HAProxy TCP (3 servers, roundrobin)', `http://198.51.100.2:${HAPROXY_PORT}/`],
    ];
    const runs = new Map<string, Run[]>();
    for (let round = 0; round < ROUNDS; round++)
      for (const mode of ['keepalive', 'close'] as const)
        for (const [target, url] of targets) {
          // Each case starts with an empty conntrack table on the director: a "direct" flow
          // whose reply tuple (rs1:80 → client:port) matches a NAT flow of an earlier case
          // still in TIME_WAIT (120 s) would be un-NATed to the VIP and stall (seen: 7 req/s).
          await l.d.exec(['conntrack', '-F']);
          const ct0 = await ctStats(l);
          const r = { ...(await wrk(l, url, mode === 'close')) };
          const ct1 = await ctStats(l);
          r.ctDrops = ct1.drops - ct0.drops;
          r.ctCount = ct1.count;
          const k = `${mode}|${target}`;
          runs.set(k, [...(runs.get(k) ?? []), r]);
          console.error(JSON.stringify({ round, mode, target, ...r }));
        }
    const rows: Row[] = [];
    for (const mode of ['keepalive', 'close'] as const)
      for (const [target] of targets) {
        const rs = runs.get(`${mode}|${target}`)!;
        rows.push({
          target,
          mode,
          rps: median(rs.map((r) => r.rps)),
          p50ms: median(rs.map((r) => r.p50ms)),
          p99ms: median(rs.map((r) => r.p99ms)),
          errors: rs.reduce((n, r) => n + r.errors, 0),
          ctDrops: rs.reduce((n, r) => n + (r.ctDrops ?? 0), 0),
          runs: rs,
        });
      }
    return rows;
  } finally {
    await ha.stop(1000);
    drv.close();
  }
}

requireRoot();
const rows = await withLab('lbrps', run);
const base = (mode: string) => rows.find((r) => r.mode === mode && r.target.startsWith('direct'))!;
console.log(
  `${ROUNDS} rounds × ${DURATION} s per case, medians; load average (1 min) at each run in brackets`,
);
console.log(
  '| mode | target | req/s | × direct | p50 ms | p99 ms | errors | ct drops | load |\n|---|---|---|---|---|---|---|---|---|',
);
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.target} | ${r.rps.toFixed(0)} | ${(r.rps / base(r.mode).rps).toFixed(2)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.errors} | ${r.ctDrops} | ${r.runs.map((x) => x.load1.toFixed(1)).join(' ')} |`,
  );
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'dataplane-rps.json'),
  JSON.stringify(
    { at: new Date().toISOString(), durationS: DURATION, rounds: ROUNDS, rows },
    null,
    2,
  ) + '\n',
);
