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
 */
import { JHASH_SEED } from './hash.js';
import { hash32 } from './hash.js';
import type { NftChain, NftMap, NftState, NftTable } from './nft-state.js';
import { tableKey } from './nft-state.js';
import { select, type HashOn } from './schedule.js';
import type { DesiredService, DesiredTable, ServiceMatch } from './types.js';

/** Where a DR backend lives: the interface towards it, that interface's MAC and the backend's. */
export interface DrNeighbour {
  dev: string;
  devMac: string;
  mac: string;
}

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
}

const TABLE = 'stayalive';

export function chainName(id: string): string {
  return 'vs_' + id.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '');
}

/** Persistence mark of a backend: a stable hash, so restarts and other directors agree. */
export function backendMark(id: string): string {
  const m = hash32(id, 0x6d61726b) & 0x7fffffff || 1;
  return '0x' + m.toString(16).padStart(8, '0');
}

function mask(family: 4 | 6, prefix: number): string {
  if (family === 4) {
    const bits = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
    return [24, 16, 8, 0].map((s) => (bits >>> s) & 255).join('.');
  }
  const groups: string[] = [];
  for (let g = 0; g < 8; g++) {
    const n = Math.max(0, Math.min(16, prefix - g * 16));
    groups.push(((0xffff << (16 - n)) & 0xffff).toString(16));
  }
  return groups.join(':').replace(/(^|:)0(:0)+$/, '::');
}

function ipx(family: 4 | 6): 'ip' | 'ip6' {
  return family === 4 ? 'ip' : 'ip6';
}

function selector(
  family: 4 | 6,
  hashOn: HashOn,
  kind: 'numgen' | 'jhash',
  modulus: number,
): string {
  if (kind === 'numgen') return `numgen inc mod ${modulus}`;
  const ip = ipx(family);
  const key = {
    saddr: `${ip} saddr`,
    'saddr-port': `${ip} saddr . th sport`,
    daddr: `${ip} daddr`,
    flow: `${ip} saddr . th sport . ${ip} daddr . th dport`,
  }[hashOn];
  return `jhash ${key} mod ${modulus} seed 0x${JHASH_SEED.toString(16)}`;
}

function clientKey(svc: DesiredService): string {
  const ip = ipx(svc.family);
  const p = svc.persistence;
  const full = svc.family === 4 ? 32 : 128;
  return !p || p.prefix >= full ? `${ip} saddr` : `${ip} saddr and ${mask(svc.family, p.prefix)}`;
}

/** Names of a real server's traffic counters (to it, from it): `rs_<addr>_<port>_in|out`. */
export function counterNames(addr: string, port: number): { in: string; out: string } {
  const base = `rs_${addr.replace(/[.:]/g, '_')}_${port}`;
  return { in: `${base}_in`, out: `${base}_out` };
}

function natTable(family: 4 | 6, masquerade: boolean): NftTable {
  const ip = ipx(family);
  const addrT = family === 4 ? 'ipv4_addr' : 'ipv6_addr';
  const dispatch = [
    `${ip} daddr . meta l4proto . th dport vmap @services`,
    `${ip} daddr . meta l4proto vmap @services_anyport`,
    'meta mark vmap @fwmarks',
  ];
  const maps = new Map<string, NftMap>([
    [
      'services',
      { decl: `type ${addrT} . inet_proto . inet_service : verdict;`, elements: new Map() },
    ],
    ['services_anyport', { decl: `type ${addrT} . inet_proto : verdict;`, elements: new Map() }],
    ['fwmarks', { decl: 'type mark : verdict;', elements: new Map() }],
    // Per-backend traffic counters, by the real server's address . port as seen in forward.
    ['backend_in', { decl: `type ${addrT} . inet_service : counter;`, elements: new Map() }],
    ['backend_out', { decl: `type ${addrT} . inet_service : counter;`, elements: new Map() }],
  ]);
  const chains = new Map<string, NftChain>([
    [
      'prerouting',
      { hook: 'type nat hook prerouting priority dstnat; policy accept;', rules: dispatch },
    ],
    ['output', { hook: 'type nat hook output priority -100; policy accept;', rules: dispatch }],
    [
      'forward',
      {
        hook: 'type filter hook forward priority filter; policy accept;',
        rules: [
          `ct status dnat counter name ${ip} daddr . th dport map @backend_in`,
          `ct status dnat counter name ${ip} saddr . th sport map @backend_out`,
        ],
      },
    ],
  ]);
  if (masquerade) {
    maps.set('masq_vips', { decl: `type ${addrT} : verdict;`, elements: new Map() });
    chains.set('postrouting', {
      hook: 'type nat hook postrouting priority srcnat; policy accept;',
      rules: [`ct status dnat ct original ${ip} daddr vmap @masq_vips`],
    });
    chains.set('do_masq', { hook: '', rules: ['masquerade'] });
  }
  return { family: family === 4 ? 'ip' : 'ip6', name: TABLE, maps, chains, counters: new Set() };
}

function drTable(): NftTable {
  return {
    family: 'netdev',
    name: TABLE,
    maps: new Map([
      [
        'services4',
        { decl: 'type ipv4_addr . inet_proto . inet_service : verdict;', elements: new Map() },
      ],
      [
        'services4_anyport',
        { decl: 'type ipv4_addr . inet_proto : verdict;', elements: new Map() },
      ],
      [
        'services6',
        { decl: 'type ipv6_addr . inet_proto . inet_service : verdict;', elements: new Map() },
      ],
      [
        'services6_anyport',
        { decl: 'type ipv6_addr . inet_proto : verdict;', elements: new Map() },
      ],
    ]),
    chains: new Map(),
  };
}

function dispatchElements(t: NftTable, svc: DesiredService, chain: string, dr: boolean): void {
  for (const m of svc.matches) {
    const { map, key } = matchKey(m, dr);
    t.maps.get(map)?.elements.set(key, `goto ${chain}`);
  }
}

function matchKey(m: ServiceMatch, dr: boolean): { map: string; key: string } {
  if (m.kind === 'fwmark') return { map: 'fwmarks', key: String(m.mark) };
  const sfx = dr ? String(m.family) : '';
  return m.port === 0
    ? { map: `services${sfx}_anyport`, key: `${m.addr} . ${m.proto}` }
    : { map: `services${sfx}`, key: `${m.addr} . ${m.proto} . ${m.port}` };
}

function natService(t: NftTable, svc: DesiredService, chain: string, masquerade: boolean): void {
  const ip = ipx(svc.family);
  const sel = select(svc);
  const withPort = svc.backends.length > 0 && svc.backends.every((b) => b.port !== 0);
  // nft ties a port mapping to one transport protocol (the map's typeof must name it); fwmark
  // services with real-server ports translate TCP only.
  const m0 = svc.matches[0];
  const proto = m0?.kind === 'addr' ? m0.proto : 'tcp';
  const valT = withPort ? `${ip} daddr . ${proto} dport` : `${ip} daddr`;
  const val = (b: { addr: string; port: number }): string =>
    withPort ? `${b.addr} . ${b.port}` : b.addr;
  const byId = new Map(svc.backends.map((b) => [b.id, b]));
  const l4 = withPort ? `meta l4proto ${proto} ` : '';
  const slots = `${chain}_slots`;
  const expr = selector(svc.family, sel.hashOn, sel.kind, sel.modulus);
  const rules: string[] = [];
  if (!svc.persistence) {
    t.maps.set(slots, {
      decl: `typeof numgen inc mod 2 : ${valT};`,
      elements: new Map(sel.slots.map((id, i) => [String(i), val(byId.get(id)!)])),
    });
    rules.push(sel.slots.length ? `${l4}dnat ${ip} to ${expr} map @${slots}` : 'drop');
  } else {
    const backends = `${chain}_backends`;
    const persist = `${chain}_persist`;
    const key = clientKey(svc);
    t.maps.set(backends, {
      decl: `typeof ct mark : ${valT};`,
      elements: new Map(svc.backends.map((b) => [backendMark(b.id), val(b)])),
    });
    t.maps.set(slots, {
      decl: 'typeof numgen inc mod 2 : ct mark;',
      elements: new Map(sel.slots.map((id, i) => [String(i), backendMark(id)])),
    });
    t.maps.set(persist, {
      decl: `typeof ${ip} saddr : ct mark; size 65535; flags dynamic,timeout; timeout ${svc.persistence.timeout}s;`,
      elements: new Map(),
      flushOnLoss: backends,
    });
    rules.push(`ct mark set ${key} map @${persist}`);
    rules.push(sel.slots.length ? `ct mark 0 ct mark set ${expr} map @${slots}` : 'ct mark 0 drop');
    rules.push(`update @${persist} { ${key} : ct mark }`);
    rules.push(`${l4}dnat ${ip} to ct mark map @${backends}`);
  }
  t.chains.set(chain, { hook: '', rules });
  dispatchElements(t, svc, chain, false);
  // Counters follow the configuration, not health: a server going down or up touches none.
  for (const b of [...svc.configured, ...svc.backends.filter((x) => x.sorry)]) {
    if (b.port === 0) continue;
    const c = counterNames(b.addr, b.port);
    t.counters!.add(c.in).add(c.out);
    t.maps.get('backend_in')!.elements.set(`${b.addr} . ${b.port}`, `"${c.in}"`);
    t.maps.get('backend_out')!.elements.set(`${b.addr} . ${b.port}`, `"${c.out}"`);
  }
  if (masquerade)
    for (const m of svc.matches)
      if (m.kind === 'addr') t.maps.get('masq_vips')?.elements.set(m.addr, 'goto do_masq');
}

function drService(
  t: NftTable,
  svc: DesiredService,
  chain: string,
  dr: ReadonlyMap<string, DrNeighbour>,
  warnings: string[],
): void {
  const ip = ipx(svc.family);
  const sel = select(svc);
  const neigh = svc.backends.map((b) => dr.get(b.addr));
  const known = neigh.find((n) => n !== undefined);
  const missing = svc.backends.filter((_, i) => !neigh[i]);
  for (const b of missing)
    warnings.push(
      `${svc.id}: no MAC for DR real server ${b.id} (not on a directly connected network?)`,
    );
  if (!known) {
    t.chains.set(chain, { hook: '', rules: ['drop'] });
    dispatchElements(t, svc, chain, true);
    return;
  }
  const macOf = new Map(svc.backends.map((b, i) => [b.id, neigh[i]?.mac]));
  const slotList = sel.slots.filter((id) => macOf.get(id));
  const slots = `${chain}_slots`;
  t.maps.set(slots, {
    decl: 'typeof numgen inc mod 2 : ether daddr;',
    elements: new Map(
      sel.slots.map((id, i) => [
        String(i),
        macOf.get(id) ?? macOf.get(slotList[i % Math.max(1, slotList.length)] ?? '') ?? '',
      ]),
    ),
  });
  if (slotList.length === 0) t.maps.get(slots)!.elements.clear();
  const out = `ether saddr set ${known.devMac} fwd to "${known.dev}"`;
  const expr = selector(svc.family, sel.hashOn, 'jhash', sel.modulus);
  const rules: string[] = [];
  if (svc.persistence) {
    const persist = `${chain}_persist`;
    const key = clientKey(svc);
    t.maps.set(persist, {
      decl: `typeof ${ip} saddr : ether daddr; size 65535; flags dynamic,timeout; timeout ${svc.persistence.timeout}s;`,
      elements: new Map(),
      flushOnLoss: slots,
    });
    // Netdev sees every packet, so the entry is refreshed by traffic, as IPVS templates are.
    rules.push(
      `ether daddr set ${key} map @${persist} update @${persist} { ${key} : ether daddr } ${out}`,
    );
    rules.push(
      slotList.length
        ? `ether daddr set ${expr} map @${slots} update @${persist} { ${key} : ether daddr } ${out}`
        : 'drop',
    );
  } else {
    rules.push(slotList.length ? `ether daddr set ${expr} map @${slots} ${out}` : 'drop');
  }
  t.chains.set(chain, { hook: '', rules });
  dispatchElements(t, svc, chain, true);
  const ingress = `ingress_${known.dev.replace(/[^A-Za-z0-9]/g, '_')}`;
  if (!t.chains.has(ingress))
    t.chains.set(ingress, {
      hook: `type filter hook ingress device "${known.dev}" priority 0; policy accept;`,
      rules: [
        'ip daddr . meta l4proto . th dport vmap @services4',
        'ip daddr . meta l4proto vmap @services4_anyport',
        'ip6 daddr . meta l4proto . th dport vmap @services6',
        'ip6 daddr . meta l4proto vmap @services6_anyport',
      ],
    });
}

interface Fragment {
  key: string;
  /** The service's objects in a scratch table of the right family (shared maps hold its entries). */
  table: NftTable;
  warnings: string[];
}

// A service's objects, kept per DesiredService object: when desired.ts reuses an unchanged
// service, its maps and chains are reused too, and reconcile skips them by identity — a change
// to one service of a large table costs O(that service), not O(table).
const fragments = new WeakMap<DesiredService, Fragment>();

function fragment(svc: DesiredService, chain: string, opts: RulesetOptions): Fragment {
  const masq = !!opts.masquerade;
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
  const f = { key, table, warnings };
  fragments.set(svc, f);
  return f;
}

export function buildRuleset(desired: DesiredTable, opts: RulesetOptions = {}): RulesetResult {
  const state: NftState = new Map();
  const chains = new Map<string, string>();
  const warnings: string[] = [];
  const used = new Set<string>();
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
    const f = fragment(svc, chain, opts);
    warnings.push(...f.warnings);
    const k = tableKey(f.table);
    let t = state.get(k);
    if (!t) {
      // The shared objects (dispatch maps, base chains) are fresh per build; the service's own
      // maps and chains are the fragment's objects.
      t = svc.method === 'DR' ? drTable() : natTable(svc.family, !!opts.masquerade);
      state.set(k, t);
    }
    const shared = new Set(t.maps.keys());
    for (const [name, m] of f.table.maps) {
      if (shared.has(name))
        for (const [ek, ev] of m.elements) t.maps.get(name)!.elements.set(ek, ev);
      else t.maps.set(name, m);
    }
    for (const [name, c] of f.table.chains) if (!t.chains.has(name)) t.chains.set(name, c);
    for (const c of f.table.counters ?? []) (t.counters ??= new Set()).add(c);
  }
  return { state, chains, warnings };
}
