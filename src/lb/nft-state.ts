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
  /** A set, not a map: elements are keys only (their values are ''). */
  set?: boolean;
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
}

/** Keyed by `<family> <name>`. */
export type NftState = Map<string, NftTable>;

export const tableKey = (t: Pick<NftTable, 'family' | 'name'>): string => `${t.family} ${t.name}`;

/** `map` or `set`: the keyword for declaring, deleting and flushing it. */
export const kind = (m: NftMap): 'map' | 'set' => (m.set ? 'set' : 'map');

export function elementsText(m: NftMap, keys?: readonly string[]): string {
  const ks = keys ?? [...m.elements.keys()];
  return m.set ? ks.join(', ') : ks.map((k) => `${k} : ${m.elements.get(k)}`).join(', ');
}

/** One table's full definition (maps, chains, then their elements) without the delete prelude. */
export function renderTable(t: NftTable): string {
  const lines = [`table ${tableKey(t)} {`];
  for (const [name, m] of t.maps) lines.push(`  ${kind(m)} ${name} { ${m.decl} }`);
  for (const [name, c] of t.chains) {
    lines.push(`  chain ${name} {`);
    if (c.hook) lines.push(`    ${c.hook}`);
    for (const r of c.rules) lines.push(`    ${r}`);
    lines.push('  }');
  }
  lines.push('}');
  for (const [name, m] of t.maps)
    if (m.elements.size) lines.push(`add element ${tableKey(t)} ${name} { ${elementsText(m)} }`);
  return lines.join('\n') + '\n';
}

/** The whole state, as an atomic replace: each table is created-if-missing, deleted, redefined. */
export function render(state: NftState): string {
  let out = '';
  for (const t of state.values())
    out += `table ${tableKey(t)}\ndelete table ${tableKey(t)}\n` + renderTable(t);
  return out;
}
