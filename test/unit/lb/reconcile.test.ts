// Reconcile minimality and correctness: the same config gives zero commands; one backend added
// gives one element; a chain is rewritten only when its rule changes; and (fast-check) applying
// the plan to the previous state — with a small interpreter of the nft commands we emit — always
// yields exactly the new state.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { buildDesired, initialStates, stateKey } from '../../../src/lb/desired.js';
import type { NftState, NftTable } from '../../../src/lb/nft-state.js';
import { reconcile, teardown } from '../../../src/lb/reconcile.js';
import { buildRuleset } from '../../../src/lb/ruleset.js';
import { lvsOf, vsText } from './helpers.js';

const stateOf = (conf: string): NftState =>
  buildRuleset(buildDesired(lvsOf(conf), new Map()).table, { dr: DR }).state;
const DR = new Map(
  [11, 12, 13, 14, 15].map((i) => [
    `198.51.100.${i}`,
    { dev: 'eth0', devMac: '02:dd:00:00:00:01', mac: `02:bb:00:00:00:${i}` },
  ]),
);

/** Applies our own command subset to a deep copy of `prev` (a model of the kernel). */
function interpret(prev: NftState, commands: string[], next: NftState): NftState {
  const s: NftState = new Map(
    [...prev].map(([k, t]) => [
      k,
      {
        ...t,
        maps: new Map([...t.maps].map(([n, m]) => [n, { ...m, elements: new Map(m.elements) }])),
        chains: new Map([...t.chains].map(([n, c]) => [n, { ...c, rules: [...c.rules] }])),
      },
    ]),
  );
  const split = (body: string): string[] => body.split(', ');
  for (const c of commands) {
    let m: RegExpExecArray | null;
    const tbl = (fam: string): NftTable => s.get(fam)!;
    if ((m = /^delete table (\S+ \S+)$/.exec(c))) s.delete(m[1]);
    else if ((m = /^add table (\S+ \S+)$/.exec(c))) {
      if (!s.has(m[1]))
        s.set(m[1], {
          ...next.get(m[1])!,
          maps: new Map(),
          chains: new Map(),
        });
    } else if ((m = /^flush chain (\S+ \S+) (\S+)$/.exec(c)))
      tbl(m[1]).chains.get(m[2])!.rules = [];
    else if ((m = /^delete chain (\S+ \S+) (\S+)$/.exec(c))) {
      assert.equal(tbl(m[1]).chains.get(m[2])!.rules.length, 0, 'chain flushed before delete');
      tbl(m[1]).chains.delete(m[2]);
    } else if ((m = /^add chain (\S+ \S+) (\S+)(?: \{ (.*) \})?$/.exec(c)))
      tbl(m[1]).chains.set(m[2], { hook: m[3] ?? '', rules: [] });
    else if ((m = /^add rule (\S+ \S+) (\S+) (.*)$/.exec(c)))
      tbl(m[1]).chains.get(m[2])!.rules.push(m[3]);
    else if ((m = /^delete element (\S+ \S+) (\S+) \{ (.*) \}$/.exec(c)))
      for (const k of split(m[3]))
        assert.ok(tbl(m[1]).maps.get(m[2])!.elements.delete(k), `element ${k} existed`);
    else if ((m = /^add element (\S+ \S+) (\S+) \{ (.*) \}$/.exec(c)))
      for (const kv of split(m[3])) {
        const set = tbl(m[1]).maps.get(m[2])!.set;
        const [k, v] = set ? [kv, ''] : kv.split(' : ');
        assert.ok(!tbl(m[1]).maps.get(m[2])!.elements.has(k), `element ${k} is new`);
        tbl(m[1]).maps.get(m[2])!.elements.set(k, v);
      }
    else if ((m = /^flush (?:map|set) (\S+ \S+) (\S+)$/.exec(c)))
      tbl(m[1]).maps.get(m[2])!.elements.clear();
    else if ((m = /^delete (map|set) (\S+ \S+) (\S+)$/.exec(c))) {
      assert.equal(tbl(m[2]).maps.get(m[3])!.set === true, m[1] === 'set', `${m[3]} is a ${m[1]}`);
      tbl(m[2]).maps.delete(m[3]);
    } else if ((m = /^add (map|set) (\S+ \S+) (\S+) \{ (.*) \}$/.exec(c)))
      tbl(m[2]).maps.set(m[3], {
        decl: m[4],
        elements: new Map(),
        flushOnLoss: next.get(m[2])?.maps.get(m[3])?.flushOnLoss,
        ...(m[1] === 'set' ? { set: true } : {}),
      });
    else assert.fail(`unknown command ${c}`);
  }
  return s;
}

const plain = (s: NftState) =>
  [...s]
    .map(([k, t]) => [
      k,
      [...t.maps].map(([n, m]) => [n, m.decl, [...m.elements].sort()]).sort(),
      [...t.chains].map(([n, c]) => [n, c.hook, c.rules]).sort(),
    ])
    .sort();

test('same config twice: zero commands', () => {
  const conf = vsText({}) + vsText({ port: 443, algo: 'mh', extra: '  persistence_timeout 30' });
  assert.deepEqual(reconcile(stateOf(conf), stateOf(conf)).commands, []);
});

test('sh: a server drained changes bucket elements only, never the rule', () => {
  const conf = (w: number[]) => vsText({ algo: 'sh', weights: w, extra: '  inhibit_on_failure' });
  const p = reconcile(stateOf(conf([1, 1, 1, 1])), stateOf(conf([1, 1, 1, 0])));
  assert.equal(p.chainsReplaced, 0);
  assert.ok(p.elementsAdded > 0 && p.elementsAdded === p.elementsRemoved);
  assert.ok(p.commands.every((c) => /^(delete|add) element ip stayalive vs_\S+_slots /.test(c)));
});

test('rr: one backend added → its slot and counters, and the rule (mod N) rewritten, nothing else', () => {
  const p = reconcile(stateOf(vsText({})), stateOf(vsText({ weights: [1, 1, 1, 1] })));
  assert.equal(p.elementsAdded, 3);
  assert.equal(p.elementsRemoved, 0);
  assert.equal(p.chainsReplaced, 1);
  assert.deepEqual(p.commands, [
    'flush chain ip stayalive vs_203_0_113_100_tcp_80',
    'add element ip stayalive backend_in { 198.51.100.14 . 80 }',
    'add element ip stayalive backend_out { 198.51.100.14 . 80 }',
    'add element ip stayalive vs_203_0_113_100_tcp_80_slots { 3 : 198.51.100.14 . 80 }',
    'add rule ip stayalive vs_203_0_113_100_tcp_80 meta l4proto tcp dnat ip to numgen inc mod 4 map @vs_203_0_113_100_tcp_80_slots',
  ]);
});

test('a new service: one dispatch element, its map and chain; other services untouched', () => {
  const p = reconcile(stateOf(vsText({})), stateOf(vsText({}) + vsText({ port: 443 })));
  assert.ok(
    p.commands.every((c) => !c.includes('tcp_80')),
    p.commands.join('\n'),
  );
  assert.ok(
    p.commands.includes(
      'add element ip stayalive services { 203.0.113.100 . tcp . 443 : goto vs_203_0_113_100_tcp_443 }',
    ),
  );
});

test('Maglev: a backend removed from service changes only the slots it owned', () => {
  const conf = (w: number[]) => vsText({ algo: 'mh', weights: w, extra: '  inhibit_on_failure' });
  const a = stateOf(conf([1, 1, 1]));
  const b = stateOf(conf([1, 1, 0]));
  const p = reconcile(a, b);
  assert.equal(p.chainsReplaced, 0);
  const slots = a.get('ip stayalive')!.maps.get('vs_203_0_113_100_tcp_80_slots')!;
  const owned = [...slots.elements.values()].filter((v) => v.startsWith('198.51.100.13 ')).length;
  assert.equal(p.elementsRemoved, owned);
  assert.equal(p.elementsAdded, owned);
});

test('persistence map is flushed when a backend leaves, kept when one is only drained', () => {
  const conf = (w: number[], extra = '') =>
    vsText({ weights: w, extra: `  persistence_timeout 30\n${extra}` });
  const gone = reconcile(stateOf(conf([1, 1, 1])), stateOf(conf([1, 1])));
  assert.ok(
    gone.commands.some((c) => c.startsWith('flush map ip stayalive') && c.endsWith('_persist')),
  );
  const drained = reconcile(
    stateOf(conf([1, 1, 1], '  inhibit_on_failure')),
    stateOf(conf([1, 1, 0], '  inhibit_on_failure')),
  );
  assert.ok(!drained.commands.some((c) => c.startsWith('flush map')), drained.commands.join('\n'));
});

test('teardown deletes only our tables', () => {
  assert.deepEqual(teardown(stateOf(vsText({}) + vsText({ port: 81, kind: 'DR' }))), [
    'delete table ip stayalive',
    'delete table netdev stayalive',
  ]);
});

test('property: interpreting the plan turns the previous state into the next one', () => {
  const svc = fc.record({
    port: fc.constantFrom(80, 443, 53),
    algo: fc.constantFrom('rr', 'wrr', 'sh', 'mh', 'wlc'),
    kind: fc.constantFrom('NAT', 'NAT', 'DR'),
    proto: fc.constantFrom('TCP', 'UDP'),
    weights: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 5 }),
    persist: fc.constantFrom('', '  persistence_timeout 30', '  persistence_timeout 60'),
  });
  const conf = fc
    .uniqueArray(svc, { maxLength: 3, selector: (s) => `${s.port}/${s.proto}` })
    .map((ss) =>
      ss.map((s) => vsText({ ...s, extra: `${s.persist}\n  inhibit_on_failure` })).join(''),
    );
  fc.assert(
    fc.property(conf, conf, (c1, c2) => {
      const a = stateOf(c1);
      const b = stateOf(c2);
      const p = reconcile(a, b);
      assert.deepEqual(plain(interpret(a, p.commands, b)), plain(b));
      assert.deepEqual(reconcile(b, stateOf(c2)).commands, []);
    }),
    { numRuns: 150 },
  );
});

test('one state change with reuse: unchanged services keep their objects, same plan as a full build', () => {
  const lvs = lvsOf(vsText({}) + vsText({ port: 443, algo: 'mh' }));
  const st = initialStates(lvs);
  const d1 = buildDesired(lvs, st);
  const applied = buildRuleset(d1.table).state;
  const vs80 = '[203.0.113.100]:tcp:80';
  st.set(stateKey(vs80, '[198.51.100.12]:tcp:80'), { up: false, weight: 1 });
  const d2 = buildDesired(lvs, st, d1.quorum, { prev: d1.table, dirty: new Set([vs80]) });
  assert.equal(d2.table.services[1], d1.table.services[1]);
  assert.notEqual(d2.table.services[0], d1.table.services[0]);
  const full = buildDesired(lvs, st, d1.quorum);
  const fast = reconcile(applied, buildRuleset(d2.table).state);
  assert.deepEqual(fast.commands, reconcile(applied, buildRuleset(full.table).state).commands);
  assert.ok(fast.commands.every((c) => !c.includes('tcp_443')));
  assert.equal(fast.elementsRemoved, 2); // rr slots 1 and 2 go, slot 1 comes back as rs3
});

test('10,000-server table, one rr server down: 4 commands, 2 slot elements, shared maps reused', () => {
  let conf = '';
  for (let s = 0; s < 100; s++) {
    conf += `virtual_server 203.0.113.${1 + s} ${1000 + s} {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n`;
    for (let r = 0; r < 100; r++) conf += `  real_server 10.1.${r}.${1 + s} 80 {\n  }\n`;
    conf += '}\n';
  }
  const lvs = lvsOf(conf);
  const st = initialStates(lvs);
  const d1 = buildDesired(lvs, st);
  const b1 = buildRuleset(d1.table);
  const vs = '[203.0.113.1]:tcp:1000';
  st.set(stateKey(vs, '[10.1.7.1]:tcp:80'), { up: false, weight: 1 });
  const d2 = buildDesired(lvs, st, d1.quorum, { prev: d1.table, dirty: new Set([vs]) });
  const b2 = buildRuleset(d2.table, { prev: b1 });
  const t1 = b1.state.get('ip stayalive')!;
  const t2 = b2.state.get('ip stayalive')!;
  // Health touches no counter or dispatch entry: the 10,000-element sets are not even walked.
  for (const name of ['services', 'backend_in', 'backend_out'])
    assert.equal(t2.maps.get(name), t1.maps.get(name), `${name} reused`);
  const p = reconcile(b1.state, b2.state);
  const slots = 'ip stayalive vs_203_0_113_1_tcp_1000_slots';
  assert.deepEqual(p.commands, [
    'flush chain ip stayalive vs_203_0_113_1_tcp_1000',
    // Slot 7 takes the last server; slot 99 goes: no renumbering of the 92 servers after it.
    `delete element ${slots} { 7, 99 }`,
    `add element ${slots} { 7 : 10.1.99.1 . 80 }`,
    'add rule ip stayalive vs_203_0_113_1_tcp_1000 meta l4proto tcp dnat ip to numgen inc mod 99 map @vs_203_0_113_1_tcp_1000_slots',
  ]);
  // The same plan as a full build diffed element by element.
  assert.deepEqual(reconcile(b1.state, buildRuleset(buildDesired(lvs, st).table).state), p);
  // Back up: the same table as at the start, again without walking the shared maps.
  st.set(stateKey(vs, '[10.1.7.1]:tcp:80'), { up: true, weight: 1 });
  const d3 = buildDesired(lvs, st, d2.quorum, { prev: d2.table, dirty: new Set([vs]) });
  const b3 = buildRuleset(d3.table, { prev: b2 });
  assert.equal(reconcile(b2.state, b3.state).commands.length, 4);
  assert.deepEqual(plain(b3.state), plain(b1.state));
});

test('a config change with prev: new counters are added (shared maps not reused blindly)', () => {
  const lvs1 = lvsOf(vsText({}));
  const b1 = buildRuleset(buildDesired(lvs1, initialStates(lvs1)).table);
  const lvs2 = lvsOf(vsText({ weights: [1, 1, 1, 1] }));
  const b2 = buildRuleset(buildDesired(lvs2, initialStates(lvs2)).table, { prev: b1 });
  assert.ok(
    reconcile(b1.state, b2.state).commands.includes(
      'add element ip stayalive backend_in { 198.51.100.14 . 80 }',
    ),
  );
});
