/**
 * The rule line grammar of static_rules and virtual_rules (keepalived's
 * alloc_rule, `ip rule` syntax). Pure. from/to/table/priority/fwmark/iif/oif
 * are typed; other options are kept as written in `options`.
 */
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { parseIpWithPrefix } from './address-line.js';
import { lineWords, trackOption, u32 } from './line-words.js';
import type { RuleSpec } from './types.js';

const VALUED = new Set([
  'tos',
  'dsfield',
  'realms',
  'goto',
  'suppress_prefixlength',
  'sup_pl',
  'suppress_ifgroup',
  'sup_group',
  'tunnel-id',
  'uidrange',
  'protocol',
  'ipproto',
  'sport',
  'dport',
  'type',
]);

export function parseRuleLine(
  node: ConfNode,
  ctx: ParseCtx,
  kind: 'virtual' | 'static',
): RuleSpec | undefined {
  const lw = lineWords(node, ctx, 'rule');
  const { warn } = lw;
  const r: RuleSpec = {
    family: 4,
    from: null,
    to: null,
    table: null,
    priority: null,
    autoPriority: false,
    fwmark: null,
    iif: null,
    oif: null,
    options: {},
    noTrack: false,
    trackGroup: null,
    pos: node.pos,
  };
  let familyKnown = false;
  while (lw.advance()) {
    const w = lw.word;
    if (w === 'inet6') {
      r.family = 6;
      familyKnown = true;
    } else if (w === 'from' || w === 'to') {
      const v = lw.value();
      if (v === undefined) return undefined;
      let text = v;
      if (v !== 'all') {
        const p = parseIpWithPrefix(v, ctx, node);
        if (!p) return undefined;
        if (familyKnown && p.family !== r.family) {
          warn(`rule ${w} address family mismatch - skipping`);
          return undefined;
        }
        r.family = p.family;
        familyKnown = true;
        text = `${p.address}/${p.prefixLength}`;
      }
      r[w] = text;
    } else if (w === 'table' || w === 'lookup') {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.table = v;
    } else if (
      w === 'preference' ||
      w === 'priority' ||
      w === 'order' ||
      w === 'pref' ||
      w === 'prio'
    ) {
      const v = lw.value();
      if (v === undefined) return undefined;
      const n = u32(v);
      if (n === undefined) warn(`Invalid rule preference ${v}`);
      else r.priority = n;
    } else if (w === 'fwmark') {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.fwmark = v;
    } else if (w === 'iif' || w === 'dev') {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.iif = v;
    } else if (w === 'oif') {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.oif = v;
    } else if (w === 'l3mdev') {
      r.options.l3mdev = '';
    } else if (w === 'no_track' || (w === 'track_group' && kind === 'static')) {
      if (!trackOption(ctx, lw, r)) return undefined;
    } else if (VALUED.has(w)) {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.options[w] = v;
    } else if (['blackhole', 'unreachable', 'prohibit', 'nop'].includes(w)) {
      r.options.type = w;
    } else {
      warn(`Unknown rule option ${w} - ignoring`);
    }
  }
  if (r.priority === null) {
    // keepalived numbers rules without a preference from 16384 downwards,
    // per family, in file order (static and virtual rules share the count).
    const v = ctx.config.vrrp;
    const all = [...v.staticRules, ...Object.values(v.instances).flatMap((i) => i.virtualRules)];
    const taken = all.filter((x) => x.autoPriority && x.family === r.family).length;
    r.priority = 16384 - taken;
    r.autoPriority = true;
    warn(
      `Rule has no preference specified - setting to ${r.priority}. This is probably not what you want.`,
    );
  }
  return r;
}
