// Gateway tracking bench (root; network namespaces from test/lab/lib):
//  1. Detection and route-change latency for ICMP and BFD: a router tracks its ISP next hop; the
//     ISP is silenced (nftables drop, both directions: no carrier change, only missing replies)
//     and restored, several times per setting. Reported:
//     - silence → route deleted: from the drop command. Includes a random phase of up to one
//       interval (the probe in flight when the drop lands may still be answered), so it is
//       bounded by fall × interval + timeout, not by the target.
//     - first unanswered probe → route deleted (ICMP, phase-free): from the first echo request
//       that got no reply (captured on the router's uplink) = (fall − 1) × interval + timeout +
//       our processing. The target fall × interval + 50 ms applies to this one (timeout ≤
//       interval): it is what the configuration promises once the gateway stops answering.
//     - last BFD packet → route deleted (BFD): from the peer's last packet seen on the uplink =
//       Detection Time (multiplier × interval) + processing; target 3 × 50 + 50 = 200 ms.
//     - down → ack: the gateway's down decision to the kernel's ack of the route delete, inside
//       the process (our processing: effects, rtnetlink round trip); down → monitor: the same
//       end seen by `ip -ts monitor route`, which adds that process's own wake-up latency.
//     The BFD peer is BIRD (bird2) on the ISP, 50 ms × 3.
//  2. Scale: 1,000 gateways on loopback addresses (127.1.x.y) in one lab host, probed every 1 s
//     and every 0.2 s: CPU share of one core and RSS of the runtime process over 10 s.
// Writes bench/results/gateways.json and prints tables.
//
// Usage: node --import tsx bench/gateways.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import {
  events,
  startBird,
  startDriver,
  waitEvent,
  writeConf,
  type Ev,
} from '../test/lab/gateway-common.js';
import { sleep, waitFor, withLab, type Lab, type LabProcess } from '../test/lab/lib/index.js';

interface Setting {
  method: 'icmp' | 'bfd';
  interval: number;
  timeout: number;
  fall: number;
  rise: number;
  runs: number;
}

const ALL_SETTINGS: Setting[] = [
  { method: 'icmp', interval: 1, timeout: 0.5, fall: 3, rise: 2, runs: 3 },
  { method: 'icmp', interval: 0.2, timeout: 0.1, fall: 3, rise: 2, runs: 5 },
  { method: 'icmp', interval: 0.05, timeout: 0.03, fall: 3, rise: 2, runs: 5 },
  // BFD 50 ms × 3 (interval = BFD's TX interval, fall = its multiplier); the gateway follows the
  // session with rise/fall 1.
  { method: 'bfd', interval: 0.05, timeout: 0.05, fall: 3, rise: 1, runs: 8 },
];
// SA_BENCH_ONLY=bfd,icmp-1 … picks settings; SA_BENCH_NO_SCALE=1 skips the 1,000-gateway part.
const only = process.env.SA_BENCH_ONLY?.split(',');
const SETTINGS = ALL_SETTINGS.filter(
  (s) => !only || only.includes(s.method === 'bfd' ? 'bfd' : `icmp-${s.interval}`),
);

const conf = (s: Setting): string =>
  s.method === 'bfd'
    ? `bfd_instance ISP_BFD {
    neighbor_ip 198.51.100.1
    min_tx ${s.interval * 1000}
    min_rx ${s.interval * 1000}
    multiplier ${s.fall}
}
gateway_track ISP {
    address 198.51.100.1
    interface up1
    method bfd
    interval 1
    rise 1
    fall 1
    route {
        default metric 10
    }
}
`
    : `gateway_track ISP {
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

/** tcpdump -tt lines of the uplink: epoch ms and the rest of the line. */
function captured(out: string): { t: number; text: string }[] {
  const r: { t: number; text: string }[] = [];
  for (const line of out.split('\n')) {
    const m = /^(\d+\.\d+) (.*)$/.exec(line);
    if (m) r.push({ t: Number(m[1]) * 1000, text: m[2] });
  }
  return r;
}

/** The first echo request sent in [from, to] that no echo reply answered. */
function firstUnanswered(out: string, from: number, to: number): number | null {
  const pkts = captured(out);
  const replied = new Set(
    pkts.flatMap((p) => {
      const m = /ICMP echo reply, id (\d+), seq (\d+)/.exec(p.text);
      return m ? [`${m[1]}/${m[2]}`] : [];
    }),
  );
  for (const p of pkts) {
    const m = /ICMP echo request, id (\d+), seq (\d+)/.exec(p.text);
    if (m && p.t >= from && p.t <= to && !replied.has(`${m[1]}/${m[2]}`)) return p.t;
  }
  return null;
}

/** The peer's last BFD packet (to our port 3784) seen before `before`. */
function lastBfdFromPeer(out: string, before: number): number | null {
  let last: number | null = null;
  for (const p of captured(out)) {
    if (p.t < before && /198\.51\.100\.1\.\d+ > 198\.51\.100\.2\.3784:/.test(p.text)) last = p.t;
  }
  return last;
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
    const bird = s.method === 'bfd' ? startBird(lab, isp, [['198.51.100.2', 'r']]) : null;
    const mon = r.spawn(['ip', '-ts', 'monitor', 'route']);
    const cap = r.spawn(['tcpdump', '-l', '-n', '-tt', '-i', 'up1', 'icmp or udp port 3784']);
    await waitFor(() => cap.output().includes('listening on'), {
      timeoutMs: 5000,
      what: 'tcpdump',
    });
    const d = startDriver(r, writeConf(lab, `lat-${s.method}-${s.interval}.conf`, conf(s)));
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
    const phaseFree: number[] = [];
    const toAck: number[] = [];
    const load: number[] = [];
    for (let i = 0; i < s.runs; i++) {
      const runStart = Date.now();
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
      const ack = await evAfter(
        t0,
        (e) => e.ev === 'gateway:route' && e.action === 'delete' && e.ok === true,
        3000,
        'delete acked',
      );
      toAck.push(ack.t - down.t);
      load.push(loadavg()[0]);
      await sleep(50); // tcpdump's line for the last packet
      const start =
        s.method === 'bfd'
          ? lastBfdFromPeer(cap.output(), down.t)
          : firstUnanswered(cap.output(), runStart, down.t);
      if (start !== null) phaseFree.push(kDel - start);
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
    await cap.stop(1000);
    await bird?.stop(1000);
    const target = Math.round((s.fall * s.interval + 0.05) * 1000);
    const pf = phaseFree.length > 0 ? stats(phaseFree) : null;
    out.push({
      method: s.method,
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
      /** Down decision → the kernel's ack of the delete, inside the process. */
      down_to_ack_ms: stats(toAck),
      silence_to_route_deleted_ms: stats(total),
      /**
       * ICMP: first unanswered probe sent → route deleted; BFD: the peer's last packet → route
       * deleted. The target applies to this measure.
       */
      [s.method === 'bfd'
        ? 'last_bfd_packet_to_route_deleted_ms'
        : 'first_unanswered_probe_to_route_deleted_ms']: pf,
      target_ms: target,
      within_target: pf !== null && pf.max <= target,
      restore_to_route_added_ms: stats(back),
      loadavg_1m: stats(load),
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
const scaleRows = process.env.SA_BENCH_NO_SCALE ? [] : await withLab('gwscale', scale);
const result = {
  date: new Date().toISOString(),
  node: process.version,
  loadavg_at_end: loadavg().map((x) => Math.round(x * 100) / 100),
  latency: latencyRows,
  scale: scaleRows,
};
const dir = fileURLToPath(new URL('./results/', import.meta.url));
mkdirSync(dir, { recursive: true });
const partial = only !== undefined || process.env.SA_BENCH_NO_SCALE !== undefined;
writeFileSync(
  `${dir}gateways${partial ? '-partial' : ''}.json`,
  JSON.stringify(result, null, 2) + '\n',
);
console.table(
  latencyRows.map((r) => ({
    method: r.method,
    interval: r.interval_s,
    'fall×int+timeout': r.bound_ms,
    target: r.target_ms,
    'phase-free med/max': (() => {
      const v = (r.first_unanswered_probe_to_route_deleted_ms ??
        r.last_bfd_packet_to_route_deleted_ms) as { median: number; max: number } | null;
      return v ? `${v.median}/${v.max}` : '-';
    })(),
    'down→ack med/max': `${(r.down_to_ack_ms as { median: number }).median}/${(r.down_to_ack_ms as { max: number }).max}`,
    load: (r.loadavg_1m as { median: number }).median,
    'silence→down med/max': `${(r.silence_to_down_ms as { median: number }).median}/${(r.silence_to_down_ms as { max: number }).max}`,
    'rule→down med/max': `${(r.rule_in_place_to_down_ms as { median: number }).median}/${(r.rule_in_place_to_down_ms as { max: number }).max}`,
    'down→kernel med/max': `${(r.down_to_kernel_ms as { median: number }).median}/${(r.down_to_kernel_ms as { max: number }).max}`,
    'restore→route med': (r.restore_to_route_added_ms as { median: number }).median,
  })),
);
console.table(scaleRows);
