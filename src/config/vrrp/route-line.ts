/**
 * The route line grammar of static_routes and virtual_routes (keepalived's
 * alloc_route, `ip route` syntax without abbreviations). Pure.
 *
 * The destination, src, via/gw, dev, table and metric are typed; every other
 * option is kept as written in `options` for the runtime. A route whose
 * family can't be told defaults to IPv4, as in keepalived.
 */
import { isIP } from '../ip.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { interfaceKnown } from './common.js';
import { parseIpWithPrefix } from './address-line.js';
import { lineWords, trackOption, u32 } from './line-words.js';
import type { RouteSpec } from './types.js';

const TYPES = new Set([
  'unicast',
  'local',
  'broadcast',
  'multicast',
  'throw',
  'unreachable',
  'prohibit',
  'blackhole',
  'nat',
]);
/** Options that take one value (kept in `options`). */
const VALUED = new Set([
  'tos',
  'dsfield',
  'protocol',
  'scope',
  'mtu',
  'hoplimit',
  'advmss',
  'rtt',
  'rttvar',
  'reordering',
  'window',
  'cwnd',
  'ssthresh',
  'realms',
  'rto_min',
  'initcwnd',
  'initrwnd',
  'features',
  'congctl',
  'pref',
  'expires',
  'nexthop',
  'weight',
  'vrf',
  'quickack',
  'fastopen_no_cookie',
  'ttl-propagate',
  'or',
]);
const BARE = new Set(['onlink', 'lock', 'append', 'prepend', 'ecn', 'inet6']);

export function parseRouteLine(
  node: ConfNode,
  ctx: ParseCtx,
  kind: 'virtual' | 'static',
): RouteSpec | undefined {
  const lw = lineWords(node, ctx, 'route');
  const { words, warn } = lw;
  const r: RouteSpec = {
    family: 4,
    type: 'unicast',
    to: '',
    src: null,
    via: null,
    dev: null,
    table: null,
    metric: null,
    options: {},
    noTrack: false,
    trackGroup: null,
    pos: node.pos,
  };
  let familyKnown = false;
  const setFamily = (f: 4 | 6, what: string): boolean => {
    if (familyKnown && f !== r.family) {
      warn(`${what} has different address family to route - skipping`);
      return false;
    }
    r.family = f;
    familyKnown = true;
    return true;
  };
  while (lw.advance()) {
    const w = lw.word;
    if (w === 'inet6') {
      if (!setFamily(6, 'inet6')) return undefined;
    } else if (w === 'src') {
      const v = lw.value();
      if (v === undefined || !isIP(v))
        return (warn(`invalid route src address ${v ?? ''}`), undefined);
      if (!setFamily(isIP(v) as 4 | 6, `src ${v}`)) return undefined;
      r.src = v;
    } else if (w === 'via' || w === 'gw') {
      const v = lw.value();
      if (v === undefined) return undefined;
      const f = isIP(v);
      if (!f) return (warn(`Invalid via address ${v}`), undefined);
      if (!setFamily(f, `via ${v}`)) return undefined;
      r.via = v;
    } else if (w === 'dev' || w === 'oif') {
      const v = lw.value();
      if (v === undefined) return undefined;
      if (!interfaceKnown(ctx, v, node.pos)) {
        warn(`WARNING - interface ${v} for VROUTE nexthop doesn't exist`);
        return undefined;
      }
      r.dev = v;
    } else if (w === 'table') {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.table = v;
    } else if (w === 'metric' || w === 'priority' || w === 'preference') {
      const v = lw.value();
      if (v === undefined) return undefined;
      const n = u32(v);
      if (n === undefined) warn(`Invalid metric ${v}`);
      else r.metric = n;
    } else if (w === 'no_track' || (w === 'track_group' && kind === 'static')) {
      if (!trackOption(ctx, lw, r)) return undefined;
    } else if (w === 'encap') {
      // encap TYPE … : keep the rest of the encap words together.
      const parts: string[] = [];
      while (
        lw.i + 1 < words.length &&
        !['via', 'dev', 'table', 'metric', 'src'].includes(words[lw.i + 1])
      ) {
        parts.push(words[++lw.i]);
      }
      r.options.encap = parts.join(' ');
    } else if (VALUED.has(w)) {
      const v = lw.value();
      if (v === undefined) return undefined;
      r.options[w] = w in r.options ? `${r.options[w]} ${v}` : v;
    } else if (BARE.has(w)) {
      r.options[w] = '';
    } else if (TYPES.has(w) && r.to === '') {
      r.type = w;
    } else if (r.to === '' && (w === 'to' || w === 'default' || w === 'any' || w === 'all')) {
      if (w === 'to') continue;
      r.to = 'default';
    } else if (r.to === '') {
      const p = parseIpWithPrefix(w, ctx, node);
      if (!p) return undefined;
      if (!setFamily(p.family, `route ${w}`)) return undefined;
      r.to = `${p.address}/${p.prefixLength}`;
    } else {
      warn(`Unknown route keyword ${w} - ignoring`);
    }
  }
  if (r.to === '') {
    warn('Route has no destination - skipping');
    return undefined;
  }
  return r;
}
