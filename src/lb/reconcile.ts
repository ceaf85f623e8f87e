/**
 * Diff two nftables states (nft-state.ts) → the smallest nft script that turns the first into the
 * second, applied as ONE atomic `nft -f` transaction. Elements are added/removed in place (a
 * changed value is delete + add); a chain is rewritten (flush + rules) only when its rules
 * changed; a map whose declaration changed is recreated. The previous state is the one we applied
 * (kept in memory): the kernel is never listed to diff. Pure.
 */
import { elementsText, kind, tableKey, type NftState, type NftTable } from './nft-state.js';

export interface Plan {
  /** nft script lines (empty = nothing to do). */
  commands: string[];
  /** Counts for 'lb:apply'. */
  elementsAdded: number;
  elementsRemoved: number;
  chainsReplaced: number;
}

const sameRules = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((r, i) => r === b[i]);

function diffTable(prev: NftTable, next: NftTable, plan: Plan): void {
  const t = tableKey(next);
  const out = plan.commands;
  const recreated = new Set<string>();
  for (const [name, m] of next.maps) {
    const p = prev.maps.get(name);
    if (p && p.decl !== m.decl) recreated.add(name);
  }
  const refs = (rules: readonly string[]): boolean =>
    [...recreated].some((m) => rules.some((r) => r.includes(`@${m} `) || r.endsWith(`@${m}`)));
  const dirty = new Set<string>();
  for (const [name, c] of next.chains) {
    const p = prev.chains.get(name);
    if (p === c && !refs(c.rules)) continue; // the same object: unchanged (ruleset.ts reuses them)
    if (p && (p.hook !== c.hook || !sameRules(p.rules, c.rules) || refs(c.rules))) dirty.add(name);
  }
  // 1. Empty the chains we rewrite or remove (drops their references to maps).
  for (const name of dirty) out.push(`flush chain ${t} ${name}`);
  const removedChains = [...prev.chains.keys()].filter((n) => !next.chains.has(n));
  for (const name of removedChains) out.push(`flush chain ${t} ${name}`);
  // 2. Element deletions (vmap entries pointing at removed chains go here).
  const flush = new Set<string>();
  for (const [name, m] of next.maps) {
    const p = prev.maps.get(name);
    if (!p || p === m || recreated.has(name)) continue;
    const gone = [...p.elements.keys()].filter(
      (k) => !m.elements.has(k) || m.elements.get(k) !== p.elements.get(k),
    );
    if (gone.length) {
      out.push(`delete element ${t} ${name} { ${gone.join(', ')} }`);
      plan.elementsRemoved += gone.length;
    }
    const vals = new Set(m.elements.values());
    if ([...p.elements.values()].some((v) => !vals.has(v))) flush.add(name);
  }
  for (const [name, m] of next.maps)
    if (m.flushOnLoss && prev.maps.has(name) && !recreated.has(name) && flush.has(m.flushOnLoss))
      out.push(`flush ${kind(m)} ${t} ${name}`);
  // 3. Remove chains, then maps nobody references any more.
  for (const name of removedChains) out.push(`delete chain ${t} ${name}`);
  for (const [name, p] of prev.maps)
    if (!next.maps.has(name) || recreated.has(name)) {
      out.push(`delete ${kind(p)} ${t} ${name}`);
      plan.elementsRemoved += p.elements.size;
    }
  // 4. New maps and chains, then element additions, then rules.
  for (const [name, m] of next.maps)
    if (!prev.maps.has(name) || recreated.has(name))
      out.push(`add ${kind(m)} ${t} ${name} { ${m.decl} }`);
  for (const [name, c] of next.chains)
    if (!prev.chains.has(name))
      out.push(c.hook ? `add chain ${t} ${name} { ${c.hook} }` : `add chain ${t} ${name}`);
    else if (dirty.has(name) && prev.chains.get(name)!.hook !== c.hook) {
      // A base chain's hook cannot be changed in place.
      out.push(`delete chain ${t} ${name}`, `add chain ${t} ${name} { ${c.hook} }`);
    }
  for (const [name, m] of next.maps) {
    const p = prev.maps.get(name);
    if (p === m) continue;
    const fresh = !p || recreated.has(name);
    const add = [...m.elements.keys()].filter(
      (k) => fresh || p.elements.get(k) !== m.elements.get(k),
    );
    if (add.length) {
      out.push(`add element ${t} ${name} { ${elementsText(m, add)} }`);
      plan.elementsAdded += add.length;
    }
  }
  for (const [name, c] of next.chains)
    if (!prev.chains.has(name) || dirty.has(name)) {
      for (const r of c.rules) out.push(`add rule ${t} ${name} ${r}`);
      plan.chainsReplaced++;
    }
}

/**
 * A whole table as flat one-line commands. The table is created-if-missing, deleted and
 * recreated in the same transaction, so a leftover from a killed run is replaced atomically.
 */
function createTable(t: NftTable, plan: Plan): void {
  const k = tableKey(t);
  const out = plan.commands;
  out.push(`add table ${k}`, `delete table ${k}`, `add table ${k}`);
  for (const [name, m] of t.maps) out.push(`add ${kind(m)} ${k} ${name} { ${m.decl} }`);
  for (const [name, c] of t.chains)
    out.push(c.hook ? `add chain ${k} ${name} { ${c.hook} }` : `add chain ${k} ${name}`);
  for (const [name, m] of t.maps)
    if (m.elements.size) {
      out.push(`add element ${k} ${name} { ${elementsText(m)} }`);
      plan.elementsAdded += m.elements.size;
    }
  for (const [name, c] of t.chains) {
    for (const r of c.rules) out.push(`add rule ${k} ${name} ${r}`);
    plan.chainsReplaced++;
  }
}

/** prev null = nothing applied yet (start-up): every table is (re)created. */
export function reconcile(prev: NftState | null, next: NftState): Plan {
  const plan: Plan = { commands: [], elementsAdded: 0, elementsRemoved: 0, chainsReplaced: 0 };
  for (const [k] of prev ?? []) if (!next.has(k)) plan.commands.push(`delete table ${k}`);
  for (const [k, t] of next) {
    const p = prev?.get(k);
    if (!p) createTable(t, plan);
    else diffTable(p, t, plan);
  }
  return plan;
}

/** Commands that remove everything stayalive made. */
export function teardown(state: NftState): string[] {
  return [...state.keys()].map((k) => `delete table ${k}`);
}
