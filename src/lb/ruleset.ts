/**
 * Desired table → nftables objects (nft-state.ts), only in stayalive's own tables:
 * `table ip stayalive` / `table ip6 stayalive` for NAT, `table netdev stayalive` for DR. Pure.
 *
 * NAT: nat prerouting (and output, for clients on the director) dispatches with one vmap lookup
 *   on daddr . l4proto . dport (a second on daddr . l4proto for port-0 services, a third on the
 *   packet mark for fwmark services) into one chain per service, which does `dnat to <selector>
 *   map @<svc>_slots`. Optional masquerade (one-armed set-ups) in nat postrouting for VIPs.
 *   Persistence: the chosen backend's mark lives in ct mark and in a timed map keyed by the masked
 *   client address, refreshed on each NEW connection (IPVS refreshes while connections live).
 * DR: netdev ingress on the real servers' interface; the service chain rewrites ether saddr (the
 *   director's MAC) and ether daddr (the backend's MAC, from the slot map) and does `fwd`. No
 *   conntrack is used, so DR selection is always a hash (schedule.ts).
 *
 * ruleset-service.ts builds one service's objects; this file merges them, caches them per
 * service, reuses the previous build's shared maps when no service changed its entries in them,
 * and leaves out dispatch rules whose map is empty.
 */
import type { NftState, NftTable } from './nft-state.js';
import { tableKey } from './nft-state.js';
import { drService, drTable, natService, natTable, type DrNeighbour } from './ruleset-service.js';
import type { DesiredService, DesiredTable } from './types.js';

export { backendMark, type DrNeighbour } from './ruleset-service.js';

export interface RulesetOptions {
  /** Masquerade NAT traffic to the VIPs (real servers need no route back via the director). */
  masquerade?: boolean;
  /** DR backends by address (resolved from the neighbour table by the runtime). */
  dr?: ReadonlyMap<string, DrNeighbour>;
}

export interface RulesetResult {
  state: NftState;
  /** Chain name per service id (for status and tests). */
  chains: Map<string, string>;
  warnings: string[];
  /** Per service, its entries in the shared maps (see BuildOptions.prev). */
  sigs: string[];
}

export function chainName(id: string): string {
  return 'vs_' + id.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/**
 * Names under which a real server's traffic counters (to it, from it) are reported:
 * `rs_<addr>_<port>_in|out` (nft.ts reads them from the backend_in/out set elements).
 */
export function counterNames(addr: string, port: number): { in: string; out: string } {
  const base = `rs_${addr.replace(/[.:]/g, '_')}_${port}`;
  return { in: `${base}_in`, out: `${base}_out` };
}

interface Fragment {
  key: string;
  /** The service's objects in a scratch table of the right family (shared maps hold its entries). */
  table: NftTable;
  warnings: string[];
  /** The service's entries in the shared maps, as text: equal signatures, equal contributions. */
  sig: string;
}

/** Maps every service of a table adds entries to (dispatch, counters, masquerade). */
const SHARED = new Set([...natTable(4, true).maps.keys(), ...drTable().maps.keys()]);

// A service's objects, kept per DesiredService object: when desired.ts reuses an unchanged
// service, its maps and chains are reused too, and reconcile skips them by identity — a change
// to one service of a large table costs O(that service), not O(table).
const fragments = new WeakMap<DesiredService, Fragment>();

function fragment(svc: DesiredService, chain: string, opts: RulesetOptions): Fragment {
  const masq = !!opts.masquerade || !!svc.masquerade;
  const macs =
    svc.method === 'DR'
      ? svc.backends.map((b) => {
          const n = opts.dr?.get(b.addr);
          return n ? `${n.dev}/${n.devMac}/${n.mac}` : '';
        })
      : [];
  const key = `${chain}|${masq}|${macs.join(',')}`;
  const hit = fragments.get(svc);
  if (hit?.key === key) return hit;
  const warnings: string[] = [];
  let table: NftTable;
  if (svc.method === 'DR') {
    table = drTable();
    drService(table, svc, chain, opts.dr ?? new Map(), warnings);
  } else {
    table = natTable(svc.family, masq);
    natService(table, svc, chain, masq);
  }
  let sig = `${tableKey(table)}|${masq}`;
  for (const [name, m] of table.maps)
    if (SHARED.has(name)) for (const [k, v] of m.elements) sig += `|${name}|${k}|${v}`;
  const f = { key, table, warnings, sig };
  fragments.set(svc, f);
  return f;
}

export interface BuildOptions extends RulesetOptions {
  /**
   * The previous build. When every service contributes the same entries to the shared maps as
   * then (a health or weight change), its shared maps are reused as they are, so neither this
   * build nor reconcile walks them: with 10,000 real servers, the counter sets alone hold 20,000
   * elements.
   */
  prev?: RulesetResult;
}

export function buildRuleset(desired: DesiredTable, opts: BuildOptions = {}): RulesetResult {
  const state: NftState = new Map();
  const chains = new Map<string, string>();
  const warnings: string[] = [];
  const used = new Set<string>();
  const frags: Fragment[] = [];
  for (const svc of desired.services) {
    let chain = chainName(svc.id);
    for (let n = 2; used.has(chain); n++) chain = `${chainName(svc.id)}_${n}`;
    used.add(chain);
    chains.set(svc.id, chain);
    if (svc.method === 'DR' && svc.matches.some((m) => m.kind === 'fwmark')) {
      warnings.push(
        `${svc.id}: DR on a firewall mark is not supported (netdev ingress runs before marks are set)`,
      );
      continue;
    }
    frags.push(fragment(svc, chain, opts));
  }
  const sigs = frags.map((f) => f.sig);
  const prev = opts.prev;
  const reuse =
    !!prev && prev.sigs.length === sigs.length && prev.sigs.every((x, i) => x === sigs[i]);
  // A NAT table has the masquerade chain when the option or any of its services asks for it.
  const masqTables = new Set(
    frags.filter((f) => f.table.maps.has('masq_vips')).map((f) => tableKey(f.table)),
  );
  for (const f of frags) {
    warnings.push(...f.warnings);
    const k = tableKey(f.table);
    let t = state.get(k);
    if (!t) {
      // The shared objects (dispatch maps, base chains) are fresh per build, or the previous
      // build's when nothing in them changed; the service's own maps and chains are the
      // fragment's objects.
      t =
        f.table.family === 'netdev'
          ? drTable()
          : natTable(f.table.family === 'ip' ? 4 : 6, masqTables.has(k));
      if (reuse) {
        const old = prev.state.get(k)!;
        for (const name of t.maps.keys()) t.maps.set(name, old.maps.get(name)!);
      }
      state.set(k, t);
    }
    for (const [name, m] of f.table.maps) {
      if (!SHARED.has(name)) t.maps.set(name, m);
      else if (!reuse) for (const [ek, ev] of m.elements) t.maps.get(name)!.elements.set(ek, ev);
    }
    for (const [name, c] of f.table.chains) if (!t.chains.has(name)) t.chains.set(name, c);
  }
  for (const t of state.values()) pruneDispatch(t);
  return { state, chains, warnings, sigs };
}

/**
 * Drops the dispatch rules whose map is empty (no port-0, fwmark or IPv6 DR service): netdev
 * ingress runs them for every packet on the interface, nat prerouting for every new connection.
 */
function pruneDispatch(t: NftTable): void {
  for (const [name, c] of t.chains) {
    if (name !== 'prerouting' && name !== 'output' && !name.startsWith('ingress_')) continue;
    const rules = c.rules.filter((r) => {
      const m = /vmap @(\S+)$/.exec(r);
      return !m || (t.maps.get(m[1])?.elements.size ?? 0) > 0;
    });
    if (rules.length !== c.rules.length) t.chains.set(name, { hook: c.hook, rules });
  }
}
