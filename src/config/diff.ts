/**
 * diff(old, new) of two configuration models: which objects were added,
 * removed or changed, per collection. Pure. Reload turns this into the
 * smallest set of effects (an instance whose config is unchanged keeps its
 * state; a virtual server that gained one real server changes one element).
 *
 * Objects are matched by identity, not position: by the key of a Record, or
 * for arrays by `name`, then `key`, then `id` (the sections give their
 * objects one of these), else by their whole content.
 */
import type { Config } from './model.js';

export type ChangeKind = 'added' | 'removed' | 'changed';

export interface Change {
  kind: ChangeKind;
  /** e.g. "vrrp.instances", "lvs.virtualServers", "global". */
  collection: string;
  /** Identity of the object inside its collection ("" for a singleton like global). */
  key: string;
  /** For 'changed': the top-level fields of the object that differ. */
  fields?: string[];
}

export interface ConfigDiff {
  changes: Change[];
  added: number;
  removed: number;
  changed: number;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Structural equality on plain JSON data (the model contains nothing else). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => deepEqual(a[k], b[k]));
  }
  return false;
}

function changedFields(a: unknown, b: unknown): string[] {
  if (!isObject(a) || !isObject(b)) return [];
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys].filter((k) => !deepEqual(a[k], b[k])).sort();
}

function identity(item: unknown): string {
  if (isObject(item)) {
    for (const f of ['name', 'key', 'id']) {
      const v = item[f];
      if (typeof v === 'string' || typeof v === 'number') return String(v);
      // A structured identity (a virtual server's {address, port} or {fwmark}).
      if (isObject(v)) return JSON.stringify(v);
    }
  }
  return JSON.stringify(item as Json);
}

function keyed(coll: unknown): Map<string, unknown> | undefined {
  if (Array.isArray(coll)) {
    if (!coll.every(isObject)) return undefined;
    return new Map(coll.map((x) => [identity(x), x]));
  }
  if (isObject(coll) && Object.values(coll).every(isObject) && Object.keys(coll).length > 0) {
    return new Map(Object.entries(coll));
  }
  return undefined;
}

function diffCollection(name: string, a: unknown, b: unknown, out: Change[]): void {
  const ma = keyed(a) ?? new Map();
  const mb = keyed(b) ?? new Map();
  for (const [k, v] of ma) {
    if (!mb.has(k)) out.push({ kind: 'removed', collection: name, key: k });
    else if (!deepEqual(v, mb.get(k))) {
      out.push({ kind: 'changed', collection: name, key: k, fields: changedFields(v, mb.get(k)) });
    }
  }
  for (const k of mb.keys()) {
    if (!ma.has(k)) out.push({ kind: 'added', collection: name, key: k });
  }
}

/** Is this field a collection of objects (diffed by identity) rather than a setting? */
function isCollection(v: unknown): boolean {
  return (
    (Array.isArray(v) && v.every(isObject)) || (isObject(v) && Object.values(v).every(isObject))
  );
}

export function diffConfig(oldC: Config, newC: Config): ConfigDiff {
  const changes: Change[] = [];
  const g = changedFields(oldC.global, newC.global);
  if (g.length) changes.push({ kind: 'changed', collection: 'global', key: '', fields: g });
  for (const section of ['vrrp', 'lvs', 'bfd', 'gateway'] as const) {
    const a = oldC[section] as unknown as Record<string, unknown>;
    const b = newC[section] as unknown as Record<string, unknown>;
    for (const field of new Set([...Object.keys(a), ...Object.keys(b)])) {
      const va = a[field];
      const vb = b[field];
      if (isCollection(va ?? vb) && isCollection(vb ?? va)) {
        diffCollection(`${section}.${field}`, va, vb, changes);
      } else if (!deepEqual(va, vb)) {
        changes.push({ kind: 'changed', collection: section, key: field });
      }
    }
  }
  const count = (k: ChangeKind): number => changes.filter((c) => c.kind === k).length;
  return { changes, added: count('added'), removed: count('removed'), changed: count('changed') };
}
