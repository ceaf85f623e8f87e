/**
 * Config model + live real-server states → the desired table (types.ts). Pure.
 *
 * keepalived behaviour kept (check/ipwrapper.c): the quorum is the sum of the weights of live
 * real servers; it is gained at ≥ quorum + hysteresis and lost below quorum − hysteresis (or at
 * 0); with quorum lost and a sorry_server, the sorry server replaces the pool (real servers with
 * inhibit_on_failure stay at weight 0). A down real server with inhibit_on_failure stays with
 * weight 0 (drained: no new flows); without it, it leaves the pool. `usable: false` objects are
 * skipped. alpha is applied by whoever supplies the states (initialStates() gives the default).
 */
import { formatRs, formatVs } from '../config/lvs/format.js';
import type { RealServer, VirtualServer, VsgEntry, LvsSection } from '../config/lvs/types.js';
import type { DesiredBackend, DesiredTable, L4Proto, RsState, ServiceMatch } from './types.js';

/** Key of a real server's state: `<formatVs>|<formatRs>`. */
export const stateKey = (vs: string, rs: string): string => `${vs}|${rs}`;

// formatRs/stateKey strings per config object, built once: a 10,000-server table is rebuilt on
// every state change.
const ids = new WeakMap<RealServer, { id: string; key: string }>();
function rsIds(vsId: string, vs: VirtualServer, rs: RealServer): { id: string; key: string } {
  let e = ids.get(rs);
  if (!e || !e.key.startsWith(vsId)) {
    const id = formatRs(rs, vs);
    e = { id, key: stateKey(vsId, id) };
    ids.set(rs, e);
  }
  return e;
}

/** The states before any checker spoke: up unless alpha (keepalived's start-down mode). */
export function initialStates(lvs: LvsSection): Map<string, RsState> {
  const out = new Map<string, RsState>();
  for (const vs of lvs.virtualServers) {
    if (!vs.usable) continue;
    for (const rs of vs.realServers) {
      if (!rs.usable) continue;
      const alpha = rs.alpha ?? vs.alpha;
      out.set(rsIds(formatVs(vs), vs, rs).key, { up: !alpha, weight: rs.weight ?? 1 });
    }
  }
  return out;
}

/** keepalived's quorum state machine, one step (prev undefined = start-up). */
export function nextQuorum(
  prev: boolean | undefined,
  weightSum: number,
  quorum: number,
  hysteresis: number,
): boolean {
  if (prev === undefined) return weightSum >= quorum + hysteresis;
  const threshold = quorum + (prev ? -hysteresis : hysteresis);
  if (!prev && weightSum >= threshold) return true;
  if (prev && (weightSum === 0 || weightSum < threshold)) return false;
  return prev;
}

function ipv4ToInt(a: string): number {
  return a.split('.').reduce((n, o) => n * 256 + Number(o), 0);
}
function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Addresses of a VSG range (keepalived allows the last octet / last hextet to vary). */
function rangeAddrs(e: Extract<VsgEntry, { kind: 'range' }>): string[] {
  if (e.family === 4) {
    const a = ipv4ToInt(e.start);
    const b = ipv4ToInt(e.end);
    const out: string[] = [];
    for (let i = a; i <= b && out.length < 256; i++) out.push(intToIpv4(i));
    return out;
  }
  const cut = e.start.lastIndexOf(':');
  const head = e.start.slice(0, cut + 1);
  const from = parseInt(e.start.slice(cut + 1) || '0', 16);
  const to = parseInt(e.end.slice(e.end.lastIndexOf(':') + 1) || '0', 16);
  const out: string[] = [];
  for (let i = from; i <= to && out.length < 256; i++) out.push(head + i.toString(16));
  return out;
}

function proto(vs: VirtualServer): L4Proto {
  return vs.protocol === null ? 'tcp' : (vs.protocol.toLowerCase() as L4Proto);
}

function matchesOf(vs: VirtualServer, lvs: LvsSection, family: 4 | 6): ServiceMatch[] | string {
  const k = vs.key;
  if (k.kind === 'address')
    return [{ kind: 'addr', family: k.family, addr: k.address, proto: proto(vs), port: k.port }];
  if (k.kind === 'fwmark') return [{ kind: 'fwmark', family, mark: k.fwmark }];
  const g = lvs.virtualServerGroups[k.group];
  if (!g || !g.usable) return `virtual_server_group ${k.group} is missing or unusable`;
  const out: ServiceMatch[] = [];
  for (const e of g.entries) {
    if (e.kind === 'fwmark')
      out.push({ kind: 'fwmark', family: e.family ?? family, mark: e.fwmark });
    else
      for (const addr of rangeAddrs(e))
        out.push({ kind: 'addr', family: e.family, addr, proto: proto(vs), port: e.port });
  }
  return out;
}

function prefixOf(vs: VirtualServer, family: 4 | 6): number {
  const g = vs.persistenceGranularity;
  if (!g) return family === 4 ? 32 : 128;
  if (family === 6) return Number(g);
  return g.split('.').reduce((n, o) => n + (Number(o).toString(2).match(/1/g)?.length ?? 0), 0);
}

export interface DesiredResult {
  table: DesiredTable;
  /** Quorum state per service id, to feed back into the next call (hysteresis). */
  quorum: Map<string, boolean>;
}

/**
 * Services of a previous result to keep as they are (same objects: later stages skip them):
 * every one except those whose real servers changed state. Only valid for the same config.
 */
export interface Reuse {
  prev: DesiredTable;
  dirty: ReadonlySet<string>;
}

export function buildDesired(
  lvs: LvsSection,
  states: ReadonlyMap<string, RsState>,
  prevQuorum: ReadonlyMap<string, boolean> = new Map(),
  reuse?: Reuse,
  /** The data plane can carry lb_kind TUN (IPVS; nftables has no tunnel here). */
  tunnels = false,
): DesiredResult {
  const table: DesiredTable = { services: [], refused: [] };
  const quorum = new Map<string, boolean>();
  const old = new Map((reuse?.prev.services ?? []).map((s) => [s.id, s]));
  for (const vs of lvs.virtualServers) {
    const id = formatVs(vs);
    if (!vs.usable) {
      table.refused.push({ id, why: vs.why ?? 'unusable' });
      continue;
    }
    const kept = reuse && !reuse.dirty.has(id) ? old.get(id) : undefined;
    if (kept) {
      table.services.push(kept);
      quorum.set(id, prevQuorum.get(id) ?? kept.quorumUp);
      continue;
    }
    const rss = vs.realServers.filter((r) => r.usable);
    const family = vs.family ?? rss[0]?.family ?? 4;
    const methods = new Set(
      [...rss.map((r) => r.forwarding?.method), vs.forwarding?.method].filter(Boolean),
    );
    if (methods.has('TUN') && !tunnels) {
      table.refused.push({
        id,
        why: 'lb_kind TUN needs IP-in-IP tunnels (kernel CONFIG_NET_IPIP, module ipip), which this kernel lacks; use NAT or DR',
      });
      continue;
    }
    if (methods.size > 1) {
      table.refused.push({
        id,
        why: `real servers mix ${[...methods].join(' and ')}; stayalive needs one method per virtual server`,
      });
      continue;
    }
    const matches = matchesOf(vs, lvs, family);
    if (typeof matches === 'string') {
      table.refused.push({ id, why: matches });
      continue;
    }
    const live = (rs: RealServer): RsState =>
      states.get(rsIds(id, vs, rs).key) ?? { up: !(rs.alpha ?? vs.alpha), weight: rs.weight ?? 1 };
    const weightSum = rss.reduce((s, rs) => {
      const st = live(rs);
      return st.up ? s + st.weight : s;
    }, 0);
    const q = nextQuorum(prevQuorum.get(id), weightSum, vs.quorum, vs.hysteresis);
    quorum.set(id, q);
    const sorryActive = !q && vs.sorryServer !== null;
    const backends: DesiredBackend[] = [];
    for (const rs of rss) {
      const st = live(rs);
      const inhibit = rs.inhibitOnFailure ?? vs.inhibitOnFailure;
      const b = {
        id: rsIds(id, vs, rs).id,
        addr: rs.address,
        port: rs.port,
        sorry: false,
        up: st.up,
      };
      if (sorryActive) {
        // keepalived removes the live servers (inhibited ones drop to weight 0) while the sorry
        // server stands in.
        if (inhibit) backends.push({ ...b, weight: 0 });
      } else if (st.up) backends.push({ ...b, weight: st.weight });
      else if (inhibit) backends.push({ ...b, weight: 0 });
    }
    const ss = vs.sorryServer;
    if (ss && (sorryActive || ss.inhibit)) {
      const ssId = `[${ss.address}]:${vs.protocol === null ? 'none' : vs.protocol.toLowerCase()}:${ss.port}`;
      backends.push({
        id: ssId,
        addr: ss.address,
        port: ss.port,
        weight: sorryActive ? 1 : 0,
        sorry: true,
        up: sorryActive,
      });
    }
    const flags = vs.schedFlags;
    table.services.push({
      id,
      family,
      matches,
      scheduler: vs.scheduler ?? 'wlc',
      hashPort: flags.includes('sh-port') || flags.includes('mh-port'),
      method: methods.has('TUN') ? 'TUN' : methods.has('DR') ? 'DR' : 'NAT',
      ...(vs.masquerade ? { masquerade: true } : {}),
      persistence:
        vs.persistenceTimeout > 0
          ? { timeout: vs.persistenceTimeout, prefix: prefixOf(vs, family) }
          : null,
      backends,
      configured: rss.map((rs) => ({
        id: rsIds(id, vs, rs).id,
        weight: rs.weight ?? 1,
        addr: rs.address,
        port: rs.port,
      })),
      quorumUp: q,
      sorryActive,
    });
  }
  return { table, quorum };
}
