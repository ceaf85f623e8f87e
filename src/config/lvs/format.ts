/** keepalived's FMT_VS / FMT_RS spellings, for messages users grep for. Pure. */
import type { RealServer, VirtualServer } from './types.js';

function proto(vs: VirtualServer): string {
  return vs.protocol === null ? 'none' : vs.protocol.toLowerCase();
}

function hostPort(address: string, port: number, p: string): string {
  return `[${address}]:${p}:${port}`;
}

export function formatVs(vs: VirtualServer): string {
  const k = vs.key;
  if (k.kind === 'group') return `[${k.group}]:0`;
  if (k.kind === 'fwmark') return `FWM ${k.fwmark}`;
  return hostPort(k.address, k.port, proto(vs));
}

export function formatRs(rs: RealServer, vs: VirtualServer): string {
  return hostPort(rs.address, rs.port, proto(vs));
}
