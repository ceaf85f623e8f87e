// VRRP failover, stayalive against keepalived, in one lab and one run: two nodes (a at priority
// 150, b at 100) of the same daemon and a client c on one switch. For each mode (v2
// `advert_int 1`, v3 `advert_int 0.05`) and each way the master goes (`kill`: every process of
// its namespace SIGSTOPped, then SIGKILLed; `term`: SIGTERM to the daemon, a priority-0 handover)
// the runs of the two daemons alternate. A crash falls half an advert interval after one of
// a's adverts (bench/phase-kill.ts), the same phase for both daemons. The client probes the VIP
// every 0.5 ms on a fixed schedule (bench/icmp-prober.ts) and captures the wire: the time from
// the kill to the new master's first advert, its first gratuitous ARP (the first frame that
// tells the client where the VIP is) and its first echo reply (the VIP answers again); and from
// the old master's last advert to the new one's first, which must stay within
// Master_Down_Interval + 20 ms (kill) or Skew_Time + 20 ms (term), and to its first reply.
//
// Soak mode (`--soak-minutes M`, default 2 with plain `--soak`; the 10-minute run is
// `--soak-minutes 10`): 100 instances at v3 advert_int 0.1 on one stayalive pair; counts the
// transitions after convergence (must be 0) and reports the CPU share and RSS of both daemons.
//
// Usage (root, after `npm run build`):
//   node --import tsx bench/failover.ts [--runs N] [--mode v3] [--how kill|term]
//   (--mode: a part of the label)
//   node --import tsx bench/failover.ts --soak [--soak-minutes M]
// Writes bench/results/failover.json (key `failover` or `soak`; the other key is kept).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stayalivectlArgv } from '../test/lab/lib/stayalive.js';
import {
  namespacePids,
  requireRoot,
  run,
  sleep,
  waitFor,
  withLab,
  type Host,
  type Lab,
} from '../test/lab/lib/index.js';
import {
  MAC,
  hasAddr,
  startNode,
  trio,
  vrrpConf,
  waitSoleHolder,
  type Node,
} from '../test/lab/vrrp-common.js';

type Kind = 'stayalive' | 'keepalived';
type How = 'kill' | 'term';
interface Mode {
  label: string;
  version: 2 | 3;
  advertInt: number;
}
const MODES: Mode[] = [
  { label: 'v2 advert_int 1', version: 2, advertInt: 1 },
  { label: 'v3 advert_int 0.05', version: 3, advertInt: 0.05 },
];
const KINDS: Kind[] = ['stayalive', 'keepalived'];
const VIP = '192.0.2.100';
const SLACK_MS = 20;
const PROBER = fileURLToPath(new URL('./icmp-prober.ts', import.meta.url));
const PHASE_KILL = fileURLToPath(new URL('./phase-kill.ts', import.meta.url));
/** The marker frame phase-kill.ts sends at the kill (an IEEE local experimental ethertype). */
const MARKER_ETHERTYPE = 0x88b5;
/** Where in a's advert cycle the crash falls (fraction of advert_int after an advert). */
const PHASE = 0.5;

/** RFC Skew_Time and Master_Down_Interval (keepalived: 3 adverts), in ms. */
const skewMs = (m: Mode, prio: number): number =>
  (m.version === 2 ? (256 - prio) / 256 : ((256 - prio) * m.advertInt) / 256) * 1000;
const mdiMs = (m: Mode, prio: number): number => 3 * m.advertInt * 1000 + skewMs(m, prio);

interface Sample {
  /** stayalive only: b's takeover went out as one prepared batch (status `preparedTakeovers`). */
  prepared?: boolean;
  /** Kill/SIGTERM → new master's first advert, ms. */
  toAdvert: number;
  /** Kill/SIGTERM → new master's first gratuitous ARP, ms. */
  toGarp: number;
  /** Old master's last advert (kill) or its priority-0 advert (term) → new master's first advert, ms. */
  gap: number;
  /** Kill/SIGTERM → the first echo reply from the new master to the client's 1 ms pings, ms. */
  toReply: number;
  /** The same from the old master's last (or priority-0) advert: free of the kill's phase, ms. */
  gapReply: number;
}

/** `tcpdump -tt -e` lines → VRRP adverts and gratuitous ARPs by source MAC, times in ms. */
async function frames(
  path: string,
): Promise<
  { t: number; mac: string; prio: number | null; garp: boolean; reply: boolean; marker: boolean }[]
> {
  const lines = await readPcapTimed(path);
  const out = [];
  for (const l of lines) {
    const m = /^(\d+\.\d+) ([0-9a-f:]{17}) > /.exec(l);
    if (!m) continue;
    const prio = /VRRPv\d, Advertisement, vrid \d+, prio (\d+)/.exec(l);
    out.push({
      t: Number(m[1]) * 1000,
      mac: m[2],
      prio: prio ? Number(prio[1]) : null,
      // Gratuitous only (sender = target): the backup's kernel also sends ordinary ARP
      // requests, one of which once counted as a "GARP" 36 ms before the takeover.
      garp: /who-has (\S+) (?:\(\S+\) )?tell \1,/.test(l),
      reply: /ICMP echo reply/.test(l),
      marker: l.includes(`(0x${MARKER_ETHERTYPE.toString(16)})`),
    });
  }
  return out;
}

async function readPcapTimed(path: string): Promise<string[]> {
  // Epoch timestamps and MACs, which readPcap() does not print.
  const r = await run(['tcpdump', '-tt', '-e', '-n', '-r', path]);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

function daemonPid(n: Node): number {
  const base = n.log.replace(/\.log$/, '');
  return Number(readFileSync(`${base}.pid`, 'utf8').trim());
}

async function oneRun(
  lab: Lab,
  t: { a: Host; b: Host; c: Host },
  kind: Kind,
  m: Mode,
  how: How,
  tag: string,
): Promise<Sample> {
  const conf = (prio: number): string =>
    vrrpConf({
      vrid: 50,
      priority: prio,
      version: m.version,
      advertInt: m.advertInt,
      vips: [`${VIP}/24`],
    });
  const na = startNode(lab, t.a, kind, conf(150), tag);
  const nb = startNode(lab, t.b, kind, conf(100), tag);
  try {
    await waitSoleHolder([t.a, t.b], t.a, VIP, mdiMs(m, 150) + 8000);
    const cap = await t.c.capture(
      'eth0',
      `proto 112 or arp or icmp[icmptype] == icmp-echoreply or ether proto ${MARKER_ETHERTYPE}`,
    );
    // The client probes the VIP on a fixed 0.5 ms schedule (bounded to 30 s) throughout.
    const pinger = t.c.spawn([process.execPath, '--import', 'tsx', PROBER, VIP, '500', '30']);
    await waitFor(() => pinger.output().includes('ready'), {
      timeoutMs: 10_000,
      intervalMs: 20,
      what: 'the prober',
    });
    // Settle past the first adverts.
    await sleep(2 * m.advertInt * 1000 + 300);
    // Half an advert interval after one of a's adverts, for every daemon alike: a crash of
    // every process of a's namespace, or a SIGTERM to the daemon (phase-kill.ts). Its marker
    // frame times it on the capture's clock.
    // It also probes every 0.1 ms from 2 ms before the takeover is due to 8 ms after.
    // b may take over for a moment at start: count its prepared takeovers from here.
    const preparedBefore = kind === 'stayalive' ? await preparedTakeovers(t.b, nb) : 0;
    const pids = how === 'kill' ? await namespacePids(t.a.ns) : [daemonPid(na)];
    const due = how === 'kill' ? mdiMs(m, 100) - PHASE * m.advertInt * 1000 : skewMs(m, 100);
    const killer = t.c.spawn([
      ...[process.execPath, '--import', 'tsx', PHASE_KILL, how],
      ...['192.0.2.1', String(PHASE * m.advertInt * 1000)],
      ...[VIP, String(Math.max(0, due - 2)), String(due + 8)],
      ...pids.map(String),
    ]);
    await waitFor(() => killer.output().includes('done') || !killer.running, {
      timeoutMs: 15_000,
      intervalMs: 5,
      what: 'phase-kill',
    });
    if (!killer.output().includes('done')) throw new Error(`phase-kill: ${killer.output()}`);
    // Quiet until the takeover is due: each poll is an `ip` process whose rtnetlink dump holds
    // the kernel's RTNL lock, which a takeover's address request then waits for.
    await sleep((how === 'kill' ? mdiMs(m, 100) : skewMs(m, 100)) + 50);
    await waitFor(() => hasAddr(t.b, VIP), {
      timeoutMs: mdiMs(m, 100) + 5000,
      intervalMs: 10,
      what: `${VIP} on b`,
    });
    await sleep(300);
    const prepared = kind === 'stayalive' ? await preparedTakeovers(t.b, nb) : undefined;
    await pinger.stop(1000);
    await killer.stop(1000);
    const path = await cap.stop();
    const fr = await frames(path);
    const kill = fr.find((f) => f.marker)?.t;
    if (kill === undefined) throw new Error(`${kind} ${m.label} ${how}: no marker in ${path}`);
    // kill: the old master's last advert; term: its priority-0 advert.
    const lastOld =
      how === 'kill'
        ? fr
            .filter((f) => f.mac === MAC.a && f.prio !== null && f.prio > 0 && f.t < kill + 1)
            .at(-1)
        : fr.find((f) => f.mac === MAC.a && f.prio === 0 && f.t > kill - 1);
    const newAdvert = fr.find((f) => f.mac === MAC.b && f.prio !== null && f.prio > 0);
    const garp = fr.find((f) => f.mac === MAC.b && f.garp && f.t > kill);
    const reply = fr.find((f) => f.mac === MAC.b && f.reply && f.t > kill);
    if (!lastOld || !newAdvert || !garp || !reply) {
      const missing = Object.entries({ lastOld, newAdvert, garp, reply })
        .filter(([, v]) => !v)
        .map(([k]) => k);
      const last = fr.at(-1);
      throw new Error(
        `${kind} ${m.label} ${how}: no ${missing.join(', ')} in ${path} (${fr.length} frames, kill ${kill.toFixed(1)}, first ${fr[0]?.t.toFixed(1)}, last ${last?.t.toFixed(1)} from ${last?.mac})`,
      );
    }
    return {
      toAdvert: newAdvert.t - kill,
      toGarp: garp.t - kill,
      gap: newAdvert.t - lastOld.t,
      toReply: reply.t - kill,
      gapReply: reply.t - lastOld.t,
      ...(prepared === undefined ? {} : { prepared: prepared > preparedBefore }),
    };
  } catch (e) {
    // Keep what the daemons said: the lab directory goes away at teardown.
    const tail = (n: Node): string =>
      readFileSync(n.log, 'utf8').trim().split('\n').slice(-6).join('\n    ');
    throw new Error(`${(e as Error).message}\n  a:\n    ${tail(na)}\n  b:\n    ${tail(nb)}`, {
      cause: e,
    });
  } finally {
    for (const n of [na, nb]) {
      if (n.proc.running) await n.proc.stop(5000);
    }
    for (const l of readFileSync(nb.log, 'utf8').split('\n'))
      if (l.includes('TAKEOVER')) console.error(kind, how, l);
    // A crashed master leaves its VIP behind.
    await t.a.ip(['addr', 'del', `${VIP}/24`, 'dev', 'eth0'], { check: false });
    await t.b.ip(['addr', 'del', `${VIP}/24`, 'dev', 'eth0'], { check: false });
  }
}

/** b's `preparedTakeovers` counter, through stayalivectl. */
async function preparedTakeovers(b: Host, n: Node): Promise<number> {
  const sock = n.log.replace(/\.log$/, '.sock');
  const r = await b.exec([...stayalivectlArgv(), '--socket', sock, '--json', 'status']);
  const st = JSON.parse(r.stdout) as {
    subsystems: { vrrp: { instances: { counters: { preparedTakeovers: number } }[] } };
  };
  return st.subsystems.vrrp.instances[0]?.counters.preparedTakeovers ?? 0;
}

interface Stats {
  median: number;
  min: number;
  max: number;
}
function stats(xs: number[]): Stats {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  const r = (x: number): number => Math.round(x * 10) / 10;
  return { median: r(median), min: r(s[0]), max: r(s[s.length - 1]) };
}

const resultsPath = fileURLToPath(new URL('./results/failover.json', import.meta.url));

function writeResults(key: 'failover' | 'soak', value: unknown): void {
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  const prev: Record<string, unknown> = existsSync(resultsPath)
    ? (JSON.parse(readFileSync(resultsPath, 'utf8')) as Record<string, unknown>)
    : {};
  prev[key] = value;
  writeFileSync(resultsPath, JSON.stringify(prev, null, 2) + '\n');
}

/** A run whose setup fails (no single master in time…) is logged, counted and tried again. */
async function retried<T>(fn: () => Promise<T>, failures: string[]): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (e) {
      failures.push((e as Error).message);
      console.error(`run failed (attempt ${i}): ${(e as Error).message}`);
      if (i === 3) throw e;
    }
  }
}

async function failover(runs: number): Promise<void> {
  const rows: Record<string, unknown>[] = [];
  const failures: string[] = [];
  await withLab('fo', async (lab) => {
    const t = await trio(lab);
    let n = 0;
    for (const m of MODES.filter((x) => x.label.includes(arg('--mode') ?? ''))) {
      for (const how of (['kill', 'term'] as How[]).filter((h) => (arg('--how') ?? h) === h)) {
        const samples: Record<Kind, Sample[]> = { stayalive: [], keepalived: [] };
        for (let i = 0; i < runs; i++) {
          for (const kind of KINDS) {
            const s = await retried(() => oneRun(lab, t, kind, m, how, `r${++n}`), failures);
            samples[kind].push(s);
            console.error(
              `${m.label} ${how} ${kind} #${i + 1}: advert ${s.toAdvert.toFixed(1)} ms, GARP ${s.toGarp.toFixed(1)} ms, gap ${s.gap.toFixed(1)} ms, reply ${s.toReply.toFixed(1)} ms${s.prepared === undefined ? '' : s.prepared ? ', prepared' : ', NOT prepared'}`,
            );
          }
        }
        const target = (how === 'kill' ? mdiMs(m, 100) : skewMs(m, 100)) + SLACK_MS;
        const row: Record<string, unknown> = {
          mode: m.label,
          how,
          runs,
          targetMs: Math.round(target * 10) / 10,
        };
        for (const kind of KINDS) {
          const ss = samples[kind];
          row[kind] = {
            toAdvert: stats(ss.map((s) => s.toAdvert)),
            toGarp: stats(ss.map((s) => s.toGarp)),
            gap: stats(ss.map((s) => s.gap)),
            toReply: stats(ss.map((s) => s.toReply)),
            gapReply: stats(ss.map((s) => s.gapReply)),
            withinTarget: ss.filter((s) => s.gap <= target).length,
            samples: ss,
          };
        }
        const med = (k: Kind, f: 'toReply' | 'gapReply'): number =>
          (row[k] as Record<typeof f, Stats>)[f].median;
        const ratio = (f: 'toReply' | 'gapReply'): number =>
          Math.round((med('stayalive', f) / med('keepalived', f)) * 10000) / 10000;
        // The measure is kill → first reply; from the old master's last advert it is
        // the same minus the phase of the kill (now fixed, so both say the same).
        row.ratio = ratio('toReply');
        row.ratioPhaseFree = ratio('gapReply');
        rows.push(row);
      }
    }
  });
  writeResults('failover', { date: new Date().toISOString(), rows, failures });
  if (failures.length) console.log(`${failures.length} run(s) failed and were repeated`);
  console.log(
    '| mode | how | daemon | kill→advert ms (med min–max) | kill→GARP ms | kill→first reply ms | last→first advert ms | last advert→first reply ms | target ms | within |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const f = (s: Stats): string => `${s.median} (${s.min}–${s.max})`;
  for (const r of rows) {
    for (const kind of KINDS) {
      const k = r[kind] as Record<'toAdvert' | 'toGarp' | 'gap' | 'toReply' | 'gapReply', Stats> & {
        withinTarget: number;
      };
      console.log(
        `| ${String(r.mode)} | ${String(r.how)} | ${kind} | ${f(k.toAdvert)} | ${f(k.toGarp)} | ${f(k.toReply)} | ${f(k.gap)} | ${f(k.gapReply)} | ${String(r.targetMs)} | ${k.withinTarget}/${String(r.runs)} |`,
      );
    }
    console.log(
      `|  |  | ratio stayalive/keepalived, medians: kill→reply ${String(r.ratio)}, last advert→reply ${String(r.ratioPhaseFree)} | | | | | | | |`,
    );
  }
}

/** utime + stime of a pid, in ms (clock ticks of 10 ms). */
function cpuMs(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}
const transitions = (n: Node): number =>
  (readFileSync(n.log, 'utf8').match(/Entering (MASTER|BACKUP|FAULT) STATE/g) ?? []).length;

async function soak(minutes: number): Promise<void> {
  const N = 100;
  const conf = (prio: number): string => {
    const inst = Array.from({ length: N }, (_, i) => {
      const vrid = i + 1;
      return [
        `vrrp_instance VI_${vrid} {`,
        '  state BACKUP',
        '  interface eth0',
        `  virtual_router_id ${vrid}`,
        `  priority ${prio}`,
        '  version 3',
        '  advert_int 0.1',
        `  virtual_ipaddress {\n    203.0.113.${vrid}/32\n  }`,
        '}',
      ].join('\n');
    });
    return `global_defs {\n  router_id soak\n  vrrp_garp_master_delay 1\n}\n${inst.join('\n')}\n`;
  };
  let result: Record<string, unknown> = {};
  await withLab('soak', async (lab) => {
    const t = await trio(lab);
    const na = startNode(lab, t.a, 'stayalive', conf(150), 'soak');
    const nb = startNode(lab, t.b, 'stayalive', conf(100), 'soak');
    const count = async (h: Host): Promise<number> => {
      const r = await h.ip(['-o', '-4', 'addr', 'show', 'dev', 'eth0']);
      return (r.stdout.match(/203\.0\.113\./g) ?? []).length;
    };
    await waitFor(async () => (await count(t.a)) === N && (await count(t.b)) === 0, {
      timeoutMs: 30_000,
      intervalMs: 200,
      what: `${N} VIPs on a, none on b`,
    });
    await sleep(2000); // past the second GARP bursts
    const pids = { a: daemonPid(na), b: daemonPid(nb) };
    const tr0 = { a: transitions(na), b: transitions(nb) };
    const cpu0 = { a: cpuMs(pids.a), b: cpuMs(pids.b) };
    const t0 = performance.now();
    const rssMax = { a: 0, b: 0 };
    const end = t0 + minutes * 60_000;
    while (performance.now() < end) {
      await sleep(Math.min(5000, end - performance.now()));
      rssMax.a = Math.max(rssMax.a, rssKb(pids.a));
      rssMax.b = Math.max(rssMax.b, rssKb(pids.b));
      if (!na.proc.running || !nb.proc.running) throw new Error('a daemon exited during the soak');
    }
    const wall = performance.now() - t0;
    const spurious = { a: transitions(na) - tr0.a, b: transitions(nb) - tr0.b };
    const holders = { a: await count(t.a), b: await count(t.b) };
    result = {
      date: new Date().toISOString(),
      instances: N,
      advertInt: 0.1,
      minutes,
      spuriousTransitions: spurious,
      vipsAtEnd: holders,
      cpuPercent: {
        master: Math.round(((cpuMs(pids.a) - cpu0.a) / wall) * 1000) / 10,
        backup: Math.round(((cpuMs(pids.b) - cpu0.b) / wall) * 1000) / 10,
      },
      rssMaxMb: {
        master: Math.round(rssMax.a / 102.4) / 10,
        backup: Math.round(rssMax.b / 102.4) / 10,
      },
    };
  });
  writeResults('soak', result);
  console.log(JSON.stringify(result, null, 2));
  const s = result.spuriousTransitions as { a: number; b: number };
  if (s.a !== 0 || s.b !== 0) process.exitCode = 1;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

requireRoot();
if (process.argv.includes('--soak') || arg('--soak-minutes') !== undefined) {
  await soak(Number(arg('--soak-minutes') ?? 2));
} else {
  await failover(Number(arg('--runs') ?? 5));
}
