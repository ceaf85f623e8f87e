// Requests/s and p99 latency through the nftables NAT VIP, against straight to one real server
// and against HAProxy (TCP mode) on the same director, all in one run, in the LB lab topology
// (test/lab/lb-common.ts: client → router → director → rs1..rs3, each a tiny node HTTP server).
// Load: wrk (Debian `wrk`), bounded: -d DURATION s per case, 2 threads, 32 connections, in two
// modes — keep-alive (forwarding cost) and `Connection: close` (a new connection, hence one NAT
// scheduling decision, per request). HAProxy is our own process in the director's namespace
// (Debian's service is never started). Writes bench/results/dataplane-rps.json and prints a table.
//
// Usage (root): node --import tsx bench/dataplane-rps.ts [DURATION_S=5]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildLbLab, Driver, lbConf, VIP, type LbLab } from '../test/lab/lb-common.js';
import { requireRoot, waitFor, withLab, type Lab } from '../test/lab/lib/index.js';

const DURATION = Number(process.argv[2] ?? 5);
const HAPROXY_PORT = 8000;

interface Row {
  target: string;
  mode: 'keepalive' | 'close';
  rps: number;
  p50ms: number;
  p99ms: number;
  errors: number;
}

/** wrk's latency figures ("1.23ms", "850.00us", "1.02s") in ms. */
function ms(text: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(text.trim());
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
}

async function wrk(l: LbLab, url: string, close: boolean): Promise<Omit<Row, 'target' | 'mode'>> {
  const args = ['wrk', '-t2', '-c32', `-d${DURATION}s`, '--latency', '--timeout', '2s'];
  if (close) args.push('-H', 'Connection: close');
  const r = await l.c.exec([...args, url], { timeoutMs: (DURATION + 20) * 1000 });
  const out = r.stdout;
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = ms(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = ms(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const err = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const errors = (err ? err.slice(1).reduce((s, x) => s + Number(x), 0) : 0) + non2xx;
  return { rps, p50ms: p50, p99ms: p99, errors };
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
  const drv = new Driver(lab, l.d);
  const cfg = join(lab.dir, 'haproxy.cfg');
  writeFileSync(cfg, HAPROXY_CFG);
  const ha = l.d.spawn(['haproxy', '-db', '-f', cfg], { logTo: join(lab.dir, 'haproxy.log') });
  try {
    await drv.send({ cmd: 'start', conf: drv.conf(lbConf()) });
    await waitFor(
      async () => (await l.d.exec(['ss', '-ltn'])).stdout.includes(`:${HAPROXY_PORT}`),
      { timeoutMs: 5000, what: 'haproxy listening' },
    );
    const targets: Array<[string, string]> = [
      ['direct rs1', 'http://198.51.100.11/'],
      ['nftables NAT VIP (3 servers, rr)', `http://${VIP}/`],
      ['HAProxy TCP (3 servers, roundrobin)', `http://198.51.100.2:${HAPROXY_PORT}/`],
    ];
    const rows: Row[] = [];
    for (const mode of ['keepalive', 'close'] as const)
      for (const [target, url] of targets) {
        const r = { target, mode, ...(await wrk(l, url, mode === 'close')) };
        rows.push(r);
        console.error(JSON.stringify(r));
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
  '| mode | target | req/s | × direct | p50 ms | p99 ms | errors |\n|---|---|---|---|---|---|---|',
);
for (const r of rows)
  console.log(
    `| ${r.mode} | ${r.target} | ${r.rps.toFixed(0)} | ${(r.rps / base(r.mode).rps).toFixed(2)} | ${r.p50ms.toFixed(2)} | ${r.p99ms.toFixed(2)} | ${r.errors} |`,
  );
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(
  join(dir, 'dataplane-rps.json'),
  JSON.stringify({ at: new Date().toISOString(), durationS: DURATION, rows }, null, 2) + '\n',
);
