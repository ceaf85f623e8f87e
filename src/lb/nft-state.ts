/**
 * An in-memory picture of stayalive's nftables objects: tables of named maps (with elements)
 * and chains (with rules), all as nft text. ruleset.ts builds it from the desired table,
 * reconcile.ts diffs two of them, render() prints one whole. Pure.
 */

export interface NftMap {
  /** Body of the declaration, e.g. `type mark : verdict;`. */
  decl: string;
  /** Element key → value, both as nft text. */
  elements: Map<string, string>;
  /** A dynamic (persistence) map: flushed when `flushOnLoss`'s map loses a value. */
  flushOnLoss?: string;
}

export interface NftChain {
  /** Base chain header (`type nat hook … policy accept;`), or '' for a regular chain. */
  hook: string;
  rules: string[];
}

export interface NftTable {
  family: 'ip' | 'ip6' | 'netdev';
  name: string;
  maps: Map<string, NftMap>;
  chains: Map<string, NftChain>;
  /** Named counters (per-backend traffic, referenced from the counter maps). */
  counters?: Set<string>;
}

/** Keyed by `<family> <name>`. */
export type NftState = Map<string, NftTable>;

export const tableKey = (t: Pick<NftTable, 'family' | 'name'>): string => `${t.family} ${t.name}`;

export function elementsText(m: ReadonlyMap<string, string>, keys?: readonly string[]): string {
  const ks = keys ?? [...m.keys()];
  return ks.map((k) => `${k} : ${m.get(k)}`).join(', ');
}

/** One table's full definition (maps, chains, then their elements) without the delete prelude. */
export function renderTable(t: NftTable): string {
  const lines = [`table ${tableKey(t)} {`];
  for (const c of t.counters ?? []) lines.push(`  counter ${c} { }`);
  for (const [name, m] of t.maps) lines.push(`  map ${name} { ${m.decl} }`);
  for (const [name, c] of t.chains) {
    lines.push(`  chain ${name} {`);
    if (c.hook) lines.push(`    ${c.hook}`);
    for (const r of c.rules) lines.push(`    ${r}`);
    lines.push('  }');
  }
  lines.push('}');
  for (const [name, m] of t.maps)
    if (m.elements.size)
      lines.push(`add element ${tableKey(t)} ${name} { ${elementsText(m.elements)} }`);
  return lines.join('\n') + '\n';
}

/** The whole state, as an atomic replace: each table is created-if-missing, deleted, redefined. */
export function render(state: NftState): string {
  let out = '';
  for (const t of state.values())
    out += `table ${tableKey(t)}\ndelete table ${tableKey(t)}\n` + renderTable(t);
  return out;
}
