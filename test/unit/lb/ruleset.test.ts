// Desired table → nftables text, compared with golden files in test/fixtures/lb (regenerate with
// UPDATE_GOLDEN=1 after checking the diff by eye), plus focused checks on the rules.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildDesired } from '../../../src/lb/desired.js';
import { render } from '../../../src/lb/nft-state.js';
import {
  backendMark,
  buildRuleset,
  chainName,
  type RulesetOptions,
} from '../../../src/lb/ruleset.js';
import { lvsOf, vsText } from './helpers.js';

const FIX = new URL('../../fixtures/lb/', import.meta.url);
const DR = new Map(
  [11, 12, 13].map((i) => [
    `198.51.100.${i}`,
    { dev: 'eth0', devMac: '02:dd:00:00:00:01', mac: `02:bb:00:00:00:${i}` },
  ]),
);

function golden(name: string, conf: string, opts: RulesetOptions = {}): string {
  const text = render(buildRuleset(buildDesired(lvsOf(conf), new Map()).table, opts).state);
  const file = new URL(name, FIX);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, 'utf8'), `${name} differs from its golden file`);
  return text;
}

test('golden: NAT rr, one TCP service', () => {
  const t = golden('nat-rr.nft', vsText({}));
  assert.match(
    t,
    /meta l4proto tcp dnat ip to numgen inc mod 3 map @vs_203_0_113_100_tcp_80_slots/,
  );
  assert.match(t, /services \{ 203\.0\.113\.100 \. tcp \. 80 : goto vs_203_0_113_100_tcp_80 \}/);
});

test('golden: NAT wrr with persistence /24', () => {
  const t = golden(
    'nat-wrr-persist.nft',
    vsText({
      algo: 'wrr',
      weights: [3, 2, 1],
      extra: '  persistence_timeout 30\n  persistence_granularity 255.255.255.0',
    }),
  );
  assert.match(t, /ct mark set ip saddr and 255\.255\.255\.0 map @\S+_persist/);
  assert.match(t, /timeout 30s;/);
  const m1 = backendMark('[198.51.100.11]:tcp:80');
  const m2 = backendMark('[198.51.100.12]:tcp:80');
  const m3 = backendMark('[198.51.100.13]:tcp:80');
  assert.ok(t.includes(`0 : ${m1}, 1 : ${m1}, 2 : ${m2}, 3 : ${m1}, 4 : ${m2}, 5 : ${m3}`));
});

test('golden: UDP sh, IPv6 mh, fwmark with masquerade', () => {
  golden('nat-sh-udp.nft', vsText({ port: 53, proto: 'UDP', algo: 'sh' }));
  const v6 = golden(
    'nat-mh-v6.nft',
    vsText({ vip: '2001:db8::100', algo: 'mh' }).replace(/198\.51\.100\.(\d+)/g, '2001:db8:1::$1'),
  );
  assert.match(v6, /table ip6 stayalive/);
  assert.match(v6, /dnat ip6 to jhash ip6 saddr mod 307 seed 0x5eed/);
  const fw = golden(
    'nat-fwmark-masq.nft',
    `virtual_server fwmark 7 {\n  lb_algo rr\n  lb_kind NAT\n  real_server 198.51.100.11 0 {\n  }\n  real_server 198.51.100.12 0 {\n  }\n}\n` +
      vsText({}),
    { masquerade: true },
  );
  assert.match(fw, /fwmarks \{ 7 : goto vs_FWM_7 \}/);
  assert.match(fw, /ct status dnat ct original ip daddr vmap @masq_vips/);
});

test('golden: DR in netdev ingress rewrites both MACs and forwards', () => {
  const t = golden('dr.nft', vsText({ kind: 'DR', algo: 'wrr', weights: [2, 1, 1] }), { dr: DR });
  assert.match(t, /type filter hook ingress device "eth0" priority 0/);
  assert.match(
    t,
    /ether daddr set jhash ip saddr \. th sport \. ip daddr \. th dport mod 4 seed 0x5eed map @\S+ ether saddr set 02:dd:00:00:00:01 fwd to "eth0"/,
  );
  assert.doesNotMatch(t, /table ip stayalive/);
});

test('no live backend → drop; DR without a known MAC warns', () => {
  const lvs = lvsOf(vsText({ extra: '  alpha' }));
  const r = buildRuleset(buildDesired(lvs, new Map()).table);
  assert.deepEqual(
    r.state.get('ip stayalive')?.chains.get(chainName('[203.0.113.100]:tcp:80'))?.rules,
    ['drop'],
  );
  const dr = buildRuleset(buildDesired(lvsOf(vsText({ kind: 'DR' })), new Map()).table);
  assert.equal(dr.warnings.length, 3);
  assert.match(dr.warnings[0], /no MAC for DR real server/);
});
