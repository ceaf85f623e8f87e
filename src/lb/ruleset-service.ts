/**
 * One virtual service → its nftables objects in a scratch table of the right family (ruleset.ts
 * merges the scratch tables and caches them per service). Pure.
 *
 * NAT: the service chain does `dnat to <selector> map @<svc>_slots` (persistence: the backend's
 * mark in ct mark and in a timed map keyed by the masked client address, refreshed on each NEW
 * connection). Its real servers get an element (and counter) in backend_in / backend_out; with
 * masquerade its VIPs go into masq_vips. DR: the chain rewrites ether saddr/daddr from the slot
 * map and does `fwd`; no conntrack, so selection is always a hash (schedule.ts).
 */
import { hash32, JHASH_SEED } from './hash.js';
import type { NftChain, NftMap, NftTable } from './nft-state.js';
import { select, type HashOn } from './schedule.js';
import type { DesiredService, ServiceMatch } from './types.js';

/** Where a DR backend lives: the interface towards it, that interface's MAC and the backend's. */
export interface DrNeighbour {
  dev: string;
  devMac: string;
  mac: string;
}

const TABLE = 'stayalive';

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

export function natTable(family: 4 | 6, masquerade: boolean): NftTable {
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
    // Per-backend traffic counters, by the real server's address . port as seen in forward: one
    // anonymous counter per set element. (Named counter objects made every later `nft` command
    // re-read all of them into its cache: ~120 ms per change with 20,000 of them.)
    [
      'backend_in',
      { decl: `type ${addrT} . inet_service; counter;`, elements: new Map(), set: true },
    ],
    [
      'backend_out',
      { decl: `type ${addrT} . inet_service; counter;`, elements: new Map(), set: true },
    ],
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
          // Every forwarded packet passes here: the direction test keeps it to one lookup.
          `ct status dnat ct direction original ${ip} daddr . th dport @backend_in`,
          `ct status dnat ct direction reply ${ip} saddr . th sport @backend_out`,
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
  return { family: family === 4 ? 'ip' : 'ip6', name: TABLE, maps, chains };
}

export function drTable(): NftTable {
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

export function natService(
  t: NftTable,
  svc: DesiredService,
  chain: string,
  masquerade: boolean,
): void {
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
    t.maps.get('backend_in')!.elements.set(`${b.addr} . ${b.port}`, '');
    t.maps.get('backend_out')!.elements.set(`${b.addr} . ${b.port}`, '');
  }
  if (masquerade)
    for (const m of svc.matches)
      if (m.kind === 'addr') t.maps.get('masq_vips')?.elements.set(m.addr, 'goto do_masq');
}

export function drService(
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
