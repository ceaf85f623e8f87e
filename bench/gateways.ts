// Gateway tracking bench (root; network namespaces from test/lab/lib):
//  1. Detection and route-change latency for ICMP: a router tracks its ISP next hop; the ISP is
//     silenced (nftables drop, both directions: no carrier change, only missing replies) and
//     restored, several times per setting. Reported: silence → gateway declared down, down →
//     route deleted in the kernel (from `ip -ts monitor route`), and restore → route back.
//  2. Scale: 1,000 gateways on loopback addresses (127.1.x.y) in one lab host, probed every 1 s
//     and every 0.2 s: CPU share of one core and RSS of the runtime process over 10 s.
// Writes bench/results/gateways.json and prints tables.
//
// Usage: node --import tsx bench/gateways.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { events, startDriver, waitEvent, writeConf, type Ev } from '../test/lab/gateway-common.js';
import { sleep, waitFor, withLab, type Lab, type LabProcess } from '../test/lab/lib/index.js';

interface Setting {
  interval: number;
  timeout: number;
  fall: number;
  rise: number;
  runs: number;
}

const SETTINGS: Setting[] = [
  { interval: 1, timeout: 0.5, fall: 3, rise: 2, runs: 3 },
  { interval: 0.2, timeout: 0.1, fall: 3, rise: 2, runs: 5 },
  { interval: 0.05, timeout: 0.03, fall: 3, rise: 2, runs: 5 },
];

const conf = (s: Setting): string => `gateway_track ISP {
    address 198.51.100.1
    interface up1
    interval ${s.interval}
    timeout ${s.timeout}
    rise ${s.rise}
    fall ${s.fall}
    route {
        default metric 10
    }
}
`;

/** `ip -ts monitor` timestamps ("[2026-11-23T16:52:42.140477] Deleted default …") in epoch ms. */
function monitorTimes(out: string, what: RegExp): number[] {
  const r: number[] = [];
  for (const line of out.split('\n')) {
    const m = /^\[([\d-]+T[\d:.]+)\] (.*)$/.exec(line);
    if (!m || !what.test(m[2])) continue;
    const [base, frac = '0'] = m[1].split('.');
    r.push(new Date(base).getTime() + Number(`0.${frac}`) * 1000);
  }
  return r;
}

const stats = (xs: number[]): { min: number; median: number; max: number } => {
  const s = [...xs].sort((a, b) => a - b);
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { min: r(s[0]), median: r(s[Math.floor(s.length / 2)]), max: r(s[s.length - 1]) };
};

async function latency(lab: Lab): Promise<Record<string, unknown>[]> {
  const r = await lab.host('r');
  const isp = await lab.host('isp');
  await lab.link(
    r,
    isp,
    { ifname: 'up1', addrs: ['198.51.100.2/30'] },
    { ifname: 'r', addrs: ['198.51.100.1/30'] },
  );
  const out: Record<string, unknown>[] = [];
  for (const s of SETTINGS) {
    const mon = r.spawn(['ip', '-ts', 'monitor', 'route']);
    const d = startDriver(r, writeConf(lab, `lat-${s.interval}.conf`, conf(s)));
    const evAfter = (t0: number, pred: (e: Ev) => boolean, ms: number, what: string): Promise<Ev> =>
      waitEvent(d, (e) => e.t > t0 && pred(e), ms, what);
    const budget = (s.fall + s.rise + 2) * s.interval * 1000 + 3000;
    const startBudget = budget + 10_000; // node + tsx start-up
    await evAfter(
      0,
      (e) => e.ev === 'gateway:route' && e.action === 'add',
      startBudget,
      'route up',
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${d.output().slice(-2000)}`);
    });
    const detect: number[] = [];
    const detectFromRule: number[] = [];
    const nftMs: number[] = [];
    const toKernel: number[] = [];
    const total: number[] = [];
    const back: number[] = [];
    for (let i = 0; i < s.runs; i++) {
      await sleep(s.interval * 1000 * (1 + Math.random())); // random phase against the probes
      const t0 = Date.now();
      await lab.loss(isp, 'r', 100, 'both');
      const t0done = Date.now(); // the drop rule is in place by now
      const down = await evAfter(
        t0,
        (e) => e.ev === 'gateway:state' && e.up === false,
        budget,
        'down',
      );
      await waitFor(() => monitorTimes(mon.output(), /^Deleted default/).some((x) => x > t0), {
        timeoutMs: 3000,
        what: 'kernel delete',
      });
      const kDel = monitorTimes(mon.output(), /^Deleted default/).find((x) => x > t0) as number;
      detect.push(down.t - t0);
      detectFromRule.push(down.t - t0done);
      nftMs.push(t0done - t0);
      toKernel.push(kDel - down.t);
      total.push(kDel - t0);
      const t1 = Date.now();
      await lab.loss(isp, 'r', 0, 'both');
      await evAfter(
        t1,
        (e) => e.ev === 'gateway:route' && e.action === 'add' && e.ok === true,
        budget,
        'route back',
      );
      await waitFor(() => monitorTimes(mon.output(), /^default via/).some((x) => x > t1), {
        timeoutMs: 3000,
        what: 'kernel add',
      });
      back.push((monitorTimes(mon.output(), /^default via/).find((x) => x > t1) as number) - t1);
    }
    d.kill('SIGTERM');
    await d.exited;
    await mon.stop(1000);
    out.push({
      interval_s: s.interval,
      timeout_s: s.timeout,
      fall: s.fall,
      rise: s.rise,
      runs: s.runs,
      bound_ms: Math.round((s.fall * s.interval + s.timeout) * 1000),
      /** From the moment the drop command started (over-counts by the nft run time). */
      silence_to_down_ms: stats(detect),
      /** From the moment the drop command returned (under-counts by up to the nft run time). */
      rule_in_place_to_down_ms: stats(detectFromRule),
      nft_command_ms: stats(nftMs),
      down_to_kernel_ms: stats(toKernel),
      silence_to_route_deleted_ms: stats(total),
      restore_to_route_added_ms: stats(back),
    });
  }
  return out;
}

function cpuTicks(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(rest[11]) + Number(rest[12]); // utime + stime (fields 14, 15)
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Math.round((Number(m?.[1] ?? 0) / 1024) * 10) / 10;
}

async function scale(lab: Lab): Promise<Record<string, unknown>[]> {
  const h = await lab.host('big');
  const N = 1000;
  const out: Record<string, unknown>[] = [];
  for (const interval of [1, 0.2]) {
    const text = Array.from(
      { length: N },
      (_, i) =>
        `gateway_track G${i} {\n address 127.1.${Math.floor(i / 250)}.${(i % 250) + 1}\n interval ${interval}\n timeout ${Math.min(0.5, interval)}\n rise 1\n fall 3\n}\n`,
    ).join('');
    const d: LabProcess = startDriver(h, writeConf(lab, `scale-${interval}.conf`, text));
    await waitEvent(d, (e) => e.ev === 'started', 20_000, 'started');
    await waitFor(
      () => events(d).filter((e) => e.ev === 'gateway:state' && e.up === true).length >= N,
      { timeoutMs: 10_000, what: `${N} gateways up` },
    );
    await sleep(2000);
    const hz = 100; // USER_HZ
    const c0 = cpuTicks(d.pid);
    const t0 = performance.now();
    await sleep(10_000);
    const c1 = cpuTicks(d.pid);
    const t1 = performance.now();
    const downs = events(d).filter(
      (e) => e.ev === 'gateway:state' && e.up === false && e.reason !== 'start',
    ).length;
    out.push({
      gateways: N,
      interval_s: interval,
      probes_per_s: Math.round(N / interval),
      cpu_percent_of_one_core: Math.round((((c1 - c0) / hz) * 1000 * 1000) / (t1 - t0)) / 10,
      rss_mib: rssMiB(d.pid),
      spurious_down: downs,
    });
    d.kill('SIGTERM');
    await d.exited;
  }
  return out;
}

const latencyRows = await withLab('gwbench', latency);
const scaleRows = await withLab('gwscale', scale);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  latency: latencyRows,
  scale: scaleRows,
};
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}gateways.json`, JSON.stringify(result, null, 2) + '\n');
console.table(
  latencyRows.map((r) => ({
    interval: r.interval_s,
    'fall×int+timeout': r.bound_ms,
    'silence→down med/max': `${(r.silence_to_down_ms as { median: number }).median}/${(r.silence_to_down_ms as { max: number }).max}`,
    'rule→down med/max': `${(r.rule_in_place_to_down_ms as { median: number }).median}/${(r.rule_in_place_to_down_ms as { max: number }).max}`,
    'down→kernel med/max': `${(r.down_to_kernel_ms as { median: number }).median}/${(r.down_to_kernel_ms as { max: number }).max}`,
    'restore→route med': (r.restore_to_route_added_ms as { median: number }).median,
  })),
);
console.table(scaleRows);
