/**
 * `ipvsadm -Ln`-style listing of the load balancer's status (LbStatus from subsystem.ts). Pure.
 * Differences: no connection counters (nftables keeps none per backend); an approximated
 * scheduler is shown with a `~`; drained (weight 0) servers show weight 0 as in IPVS.
 */
import type { LbStatus } from './subsystem.js';

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
      const fwd = s.method === 'DR' ? 'Route' : 'Masq';
      out.push(
        `  -> ${hostPort(b.id).padEnd(28)} ${fwd.padEnd(7)} ${String(b.weight).padEnd(6)} ${'-'.padEnd(10)} -`,
      );
    }
  }
  for (const r of st.refused) out.push(`# not installed: ${r.id}: ${r.why}`);
  return out.join('\n') + '\n';
}
