/**
 * `ipvsadm -Ln`-style listings of the load balancer (subsystem.ts), pure:
 *   formatLbStatus(status)      — the table, with ActiveConn/InActConn from conntrack;
 *   formatLbStats(sample)       — `--stats`: packets and bytes per service and real server;
 *   formatLbRate(prev, next)    — `--rate`: per-second rates between two samples.
 * Differences: connection counts come from conntrack (NAT only; DR shows `-`); traffic counters
 * are forward-path packets (NAT only), with no Conns column; an approximated scheduler is shown
 * with a `~`; drained (weight 0) servers show weight 0 as in IPVS.
 */
import type { LbStatsBackend, LbStatsSample, LbStatus } from './subsystem.js';

function hostPort(id: string): string {
  // `[addr]:proto:port` → `addr:port` (IPv6 keeps brackets, as ipvsadm prints it).
  const m = /^\[(.+)\]:([a-z]+):(\d+)$/.exec(id);
  if (!m) return id;
  return m[1].includes(':') ? `[${m[1]}]:${m[3]}` : `${m[1]}:${m[3]}`;
}

function protoOf(id: string): string {
  if (id.startsWith('FWM ')) return 'FWM';
  const m = /^\[.+\]:([a-z]+):\d+$/.exec(id);
  return m ? m[1].toUpperCase() : '';
}

export function formatLbStatus(st: LbStatus): string {
  const out = [
    `IP Virtual Server (data plane: ${st.dataplane})`,
    'Prot LocalAddress:Port Scheduler Flags',
    '  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn',
  ];
  for (const s of st.services) {
    const flags = s.persistence ? ` persistent ${s.persistence}` : '';
    const name = s.id.startsWith('FWM ') ? s.id.slice(4) : hostPort(s.id);
    out.push(
      `${protoOf(s.id).padEnd(4)} ${name} ${s.scheduler}${s.approximate ? '~' : ''}${flags}`,
    );
    for (const b of s.backends) {
      const fwd = s.method === 'DR' ? 'Route' : s.method === 'TUN' ? 'Tunnel' : 'Masq';
      const act = b.activeConn === undefined ? '-' : String(b.activeConn);
      const inact = b.inactConn === undefined ? '-' : String(b.inactConn);
      out.push(
        `  -> ${hostPort(b.id).padEnd(28)} ${fwd.padEnd(7)} ${String(b.weight).padEnd(6)} ${act.padEnd(10)} ${inact}`,
      );
    }
  }
  for (const r of st.refused) out.push(`# not installed: ${r.id}: ${r.why}`);
  return out.join('\n') + '\n';
}

type Numbers = Omit<LbStatsBackend, 'id'>;
const FIELDS = ['inPkts', 'outPkts', 'inBytes', 'outBytes'] as const;

function sum(rows: readonly Numbers[]): Numbers {
  const t: Numbers = { inPkts: 0, outPkts: 0, inBytes: 0, outBytes: 0 };
  for (const r of rows) for (const f of FIELDS) t[f] += r[f];
  return t;
}

/** ipvsadm's short numbers: 1234 → 1234, 123456 → 123K, 12345678 → 12M. */
function short(n: number): string {
  const v = Math.round(n);
  if (v < 100_000) return String(v);
  if (v < 100_000_000) return `${Math.round(v / 1000)}K`;
  if (v < 100_000_000_000) return `${Math.round(v / 1_000_000)}M`;
  return `${Math.round(v / 1_000_000_000)}G`;
}

function table(
  dataplane: string,
  head: readonly string[],
  services: Array<{ id: string; total: Numbers; backends: Array<{ id: string; n: Numbers }> }>,
): string {
  const cols = (n: Numbers): string => FIELDS.map((f) => short(n[f]).padStart(9)).join('');
  const out = [
    `IP Virtual Server (data plane: ${dataplane})`,
    `Prot LocalAddress:Port          ${head.map((h) => h.padStart(9)).join('')}`,
    '  -> RemoteAddress:Port',
  ];
  for (const s of services) {
    const name = s.id.startsWith('FWM ') ? s.id.slice(4) : hostPort(s.id);
    out.push(`${protoOf(s.id).padEnd(4)} ${name.padEnd(26)}${cols(s.total)}`);
    for (const b of s.backends) out.push(`  -> ${hostPort(b.id).padEnd(26)}${cols(b.n)}`);
  }
  return out.join('\n') + '\n';
}

/** `ipvsadm -Ln --stats`: counters since the table was installed (service line = sum). */
export function formatLbStats(sample: LbStatsSample): string {
  return table(
    sample.dataplane,
    ['InPkts', 'OutPkts', 'InBytes', 'OutBytes'],
    sample.services.map((s) => ({
      id: s.id,
      total: sum(s.backends),
      backends: s.backends.map((b) => ({ id: b.id, n: b })),
    })),
  );
}

/**
 * `ipvsadm -Ln --rate`: per-second rates between two samples of stats() taken apart in time (the
 * caller reads one, waits ~1 s, reads another). Backends missing from `prev` and counters that
 * went down (table reinstalled) count from zero.
 */
export function formatLbRate(prev: LbStatsSample, next: LbStatsSample): string {
  const dt = Math.max(1e-3, (next.at - prev.at) / 1000);
  const before = new Map<string, Numbers>();
  for (const s of prev.services) for (const b of s.backends) before.set(`${s.id}|${b.id}`, b);
  return table(
    next.dataplane,
    ['InPPS', 'OutPPS', 'InBPS', 'OutBPS'],
    next.services.map((s) => {
      const backends = s.backends.map((b) => {
        const p = before.get(`${s.id}|${b.id}`);
        const n = { ...b };
        for (const f of FIELDS) n[f] = (p && b[f] >= p[f] ? b[f] - p[f] : b[f]) / dt;
        return { id: b.id, n };
      });
      return { id: s.id, total: sum(backends.map((b) => b.n)), backends };
    }),
  );
}
