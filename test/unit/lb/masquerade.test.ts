// stayalive's `masquerade` virtual_server keyword: parsed with positions, refused where the data
// plane cannot do it (DR, fwmark), and turned into the masq_vips entry of that service only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { treeFromText } from '../../../src/config/lexer.js';
import { parseConfig } from '../../../src/config/parse.js';
import { buildDesired } from '../../../src/lb/desired.js';
import { reconcile } from '../../../src/lb/reconcile.js';
import { buildRuleset } from '../../../src/lb/ruleset.js';
import { vsText } from './helpers.js';

function parse(text: string) {
  const diag = new DiagnosticSink();
  const { config } = parseConfig(
    treeFromText(text, 't.conf', diag),
    't.conf',
    { interfaces: null, hostname: 'h' },
    diag,
  );
  return { lvs: config.lvs, diags: diag.items };
}

test('masquerade: accepted on a NAT virtual server without a diagnostic', () => {
  const { lvs, diags } = parse(vsText({ extra: '  masquerade' }));
  assert.deepEqual(
    diags.map((d) => d.message),
    [],
  );
  assert.deepEqual(lvs.virtualServers[0].masquerade?.pos.line, 5);
});

test('masquerade with a value: error at the value, keyword ignored', () => {
  const { lvs, diags } = parse(vsText({ extra: '  masquerade yes' }));
  assert.equal(lvs.virtualServers[0].masquerade, null);
  assert.equal(diags.length, 1);
  assert.match(diags[0].message, /masquerade takes no value \(got 'yes'\)/);
  assert.deepEqual([diags[0].pos?.line, diags[0].pos?.col], [5, 14]);
});

test('masquerade on DR or fwmark: error at the keyword, ignored', () => {
  const dr = parse(vsText({ kind: 'DR', extra: '  masquerade' }));
  assert.equal(dr.lvs.virtualServers[0].masquerade, null);
  const e = dr.diags.find((d) => /masquerade/.test(d.message));
  assert.match(e!.message, /masquerade only applies to lb_kind NAT - ignoring/);
  assert.deepEqual([e!.pos?.line, e!.pos?.col], [5, 3]);
  const fw = parse(
    'virtual_server fwmark 7 {\n  lb_algo rr\n  lb_kind NAT\n  masquerade\n  real_server 198.51.100.11 80 {\n  }\n}\n',
  );
  const f = fw.diags.find((d) => /masquerade/.test(d.message));
  assert.match(f!.message, /not supported on fwmark services/);
  assert.equal(f!.pos?.line, 4);
});

test('masquerade keyword → that VIP only in masq_vips, postrouting chain present', () => {
  const conf = vsText({ extra: '  masquerade' }) + vsText({ vip: '203.0.113.101', port: 81 });
  const { lvs } = parse(conf);
  const d = buildDesired(lvs, new Map()).table;
  assert.equal(d.services[0].masquerade, true);
  assert.equal(d.services[1].masquerade, undefined);
  const t = buildRuleset(d).state.get('ip stayalive')!;
  assert.deepEqual([...t.maps.get('masq_vips')!.elements], [['203.0.113.100', 'goto do_masq']]);
  assert.deepEqual(t.chains.get('postrouting')!.rules, [
    'ct status dnat ct original ip daddr vmap @masq_vips',
  ]);
  // Without the keyword anywhere: no masquerade objects at all.
  const plain = buildRuleset(buildDesired(parse(vsText({})).lvs, new Map()).table).state.get(
    'ip stayalive',
  )!;
  assert.ok(!plain.maps.has('masq_vips') && !plain.chains.has('postrouting'));
  // Turning it on by reload adds the chain, the map and the one element.
  const p = reconcile(
    buildRuleset(buildDesired(parse(vsText({})).lvs, new Map()).table).state,
    buildRuleset(buildDesired(parse(vsText({ extra: '  masquerade' })).lvs, new Map()).table).state,
  );
  assert.ok(
    p.commands.includes('add element ip stayalive masq_vips { 203.0.113.100 : goto do_masq }'),
  );
  assert.ok(p.commands.some((c) => c.startsWith('add chain ip stayalive postrouting')));
});
