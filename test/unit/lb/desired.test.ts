// Desired table: quorum with hysteresis and the sorry server, inhibit_on_failure (drain), alpha,
// TUN refusal, unusable objects skipped, virtual server groups expanded.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDesired, initialStates, nextQuorum, stateKey } from '../../../src/lb/desired.js';
import type { RsState } from '../../../src/lb/types.js';
import { lvsOf, vsText } from './helpers.js';

const VS = '[203.0.113.100]:tcp:80';
const RS = (i: number) => `[198.51.100.${10 + i}]:tcp:80`;
function states(up: boolean[], weight = 1): Map<string, RsState> {
  return new Map(up.map((u, i) => [stateKey(VS, RS(i + 1)), { up: u, weight }]));
}

test('all up: every real server with its weight, quorum up', () => {
  const lvs = lvsOf(vsText({ weights: [3, 2, 1] }));
  const { table } = buildDesired(lvs, initialStates(lvs));
  const s = table.services[0];
  assert.equal(s.id, VS);
  assert.deepEqual(s.matches, [
    { kind: 'addr', family: 4, addr: '203.0.113.100', proto: 'tcp', port: 80 },
  ]);
  assert.deepEqual(
    s.backends.map((b) => [b.id, b.weight]),
    [
      [RS(1), 3],
      [RS(2), 2],
      [RS(3), 1],
    ],
  );
  assert.equal(s.quorumUp, true);
});

test('a down server leaves the pool; with inhibit_on_failure it stays at weight 0', () => {
  const plain = lvsOf(vsText({}));
  const d1 = buildDesired(plain, states([true, false, true])).table.services[0];
  assert.deepEqual(
    d1.backends.map((b) => b.id),
    [RS(1), RS(3)],
  );
  const inh = lvsOf(vsText({ extra: '  inhibit_on_failure' }));
  const d2 = buildDesired(inh, states([true, false, true])).table.services[0];
  assert.deepEqual(
    d2.backends.map((b) => [b.id, b.weight, b.up]),
    [
      [RS(1), 1, true],
      [RS(2), 0, false],
      [RS(3), 1, true],
    ],
  );
});

test('all down → the sorry server takes the pool; back up → the real servers return', () => {
  const lvs = lvsOf(vsText({ extra: '  sorry_server 198.51.100.99 8080' }));
  const down = buildDesired(lvs, states([false, false, false]), new Map([[VS, true]]));
  const s = down.table.services[0];
  assert.equal(s.sorryActive, true);
  assert.deepEqual(
    s.backends.map((b) => [b.addr, b.port, b.weight, b.sorry]),
    [['198.51.100.99', 8080, 1, true]],
  );
  const up = buildDesired(lvs, states([true, false, false]), down.quorum).table.services[0];
  assert.equal(up.sorryActive, false);
  assert.deepEqual(
    up.backends.map((b) => b.id),
    [RS(1)],
  );
});

test('quorum with hysteresis: lost below quorum−h, regained only at quorum+h', () => {
  // quorum 3, hysteresis 1 over four servers of weight 1.
  const lvs = lvsOf(
    vsText({
      weights: [1, 1, 1, 1],
      extra: '  quorum 3\n  hysteresis 1\n  sorry_server 198.51.100.99 80',
    }),
  );
  let q = buildDesired(lvs, states([true, true, true, true])).quorum;
  assert.equal(q.get(VS), true);
  // 2 live: 2 ≥ 3−1 → still up
  let r = buildDesired(lvs, states([true, true, false, false]), q);
  assert.equal(r.table.services[0].quorumUp, true);
  // 1 live: lost → sorry server
  r = buildDesired(lvs, states([true, false, false, false]), r.quorum);
  assert.equal(r.table.services[0].sorryActive, true);
  // 3 live: 3 < 3+1 → still down
  r = buildDesired(lvs, states([true, true, true, false]), r.quorum);
  assert.equal(r.table.services[0].sorryActive, true);
  // 4 live: regained
  r = buildDesired(lvs, states([true, true, true, true]), r.quorum);
  assert.equal(r.table.services[0].sorryActive, false);
  assert.equal(r.table.services[0].backends.length, 4);
  q = r.quorum;
  assert.equal(q.get(VS), true);
});

test('nextQuorum: start-up needs quorum + hysteresis; zero weight always loses', () => {
  assert.equal(nextQuorum(undefined, 3, 3, 1), false);
  assert.equal(nextQuorum(undefined, 4, 3, 1), true);
  assert.equal(nextQuorum(true, 0, 0, 0), false);
});

test('alpha: initial states start down', () => {
  const lvs = lvsOf(vsText({ extra: '  alpha' }));
  const st = initialStates(lvs);
  assert.deepEqual(
    [...st.values()].map((s) => s.up),
    [false, false, false],
  );
  assert.equal(buildDesired(lvs, st).table.services[0].backends.length, 0);
});

test('TUN is refused naming the missing kernel feature; DR and NAT kept', () => {
  const lvs = lvsOf(vsText({ kind: 'TUN' }) + vsText({ port: 81, kind: 'DR' }));
  const { table } = buildDesired(lvs, new Map());
  assert.equal(table.services.length, 1);
  assert.equal(table.services[0].method, 'DR');
  assert.match(table.refused[0].why, /CONFIG_NET_IPIP/);
});

test('with a data plane that carries tunnels (IPVS), TUN is a service like the others', () => {
  const lvs = lvsOf(vsText({ kind: 'TUN' }) + vsText({ port: 81, kind: 'DR' }));
  const { table } = buildDesired(lvs, new Map(), new Map(), undefined, true);
  assert.deepEqual(
    table.services.map((s) => s.method),
    ['TUN', 'DR'],
  );
  assert.deepEqual(table.refused, []);
});

test('virtual_server_group ranges expand into one match per address; persistence granularity', () => {
  const lvs = lvsOf(`virtual_server_group G {
  203.0.113.10-12 80
  fwmark 7
}
virtual_server group G {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  persistence_timeout 30
  persistence_granularity 255.255.255.0
  real_server 198.51.100.11 80 {
  }
}
`);
  const s = buildDesired(lvs, new Map()).table.services[0];
  assert.deepEqual(
    s.matches.map((m) => (m.kind === 'addr' ? m.addr : `fwm ${m.mark}`)),
    ['203.0.113.10', '203.0.113.11', '203.0.113.12', 'fwm 7'],
  );
  assert.deepEqual(s.persistence, { timeout: 30, prefix: 24 });
});

test('unusable real servers are skipped', () => {
  const lvs = lvsOf(vsText({}));
  lvs.virtualServers[0].realServers[1].usable = false;
  const s = buildDesired(lvs, new Map()).table.services[0];
  assert.deepEqual(
    s.backends.map((b) => b.id),
    [RS(1), RS(3)],
  );
});
