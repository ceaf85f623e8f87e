// src/os/rtnl against the real kernel (root): addresses, routes (custom table, metric, src,
// multipath, blackhole, replace), rules, a macvlan, errno codes on duplicates and missing
// objects, and monitor events. Each case runs in a child (test/lab/rtnl-cases.ts) inside the lab
// host's namespace, so the netlink socket sees only that namespace; the parent checks the
// result against `ip -j` run in the same namespace. Cases build on each other, in order.
import * as assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { nativeAvailable } from '../../src/os/native.js';
import { Lab, type Host } from './lib/index.js';

const cases = fileURLToPath(new URL('./rtnl-cases.ts', import.meta.url));
const tsx = import.meta.resolve('tsx');
const skip =
  process.getuid?.() !== 0 ? 'needs root' : !nativeAvailable() ? 'addon not built' : false;

type Json = Record<string, unknown>;
// ip -j output and the child's JSON are untyped by nature; fields are checked by the asserts.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

describe('rtnetlink client on the real kernel', { skip, concurrency: false }, () => {
  let lab: Lab;
  let a: Host;

  before(async () => {
    lab = await Lab.create('rtnl');
    a = await lab.host('a');
    const sw = await lab.switch('lan');
    await lab.link(a, sw, {
      ifname: 'eth0',
      mac: '02:00:00:00:00:0a',
      addrs: ['192.0.2.1/24', '2001:db8:1::1/64'],
    });
  });

  after(async () => {
    await lab?.teardown();
  });

  /** Runs one case in host a; asserts it exited by itself with status 0. */
  async function runCase(name: string): Promise<Loose> {
    const r = await a.exec([process.execPath, '--import', tsx, cases, name], {
      check: false,
      timeoutMs: 15_000,
    });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    assert.equal(r.code, 0, `case ${name} failed: ${last} ${r.stderr}`);
    return JSON.parse(last) as Json;
  }

  async function ipJson(args: string[]): Promise<Loose> {
    return JSON.parse((await a.ip(['-j', ...args])).stdout || '[]');
  }

  function assertErr(e: Loose, code: string, errno: number, prefix: string): void {
    assert.equal(e.threw, true, `${prefix}: expected ${code}`);
    assert.equal(e.name, 'RtnlError');
    assert.equal(e.code, code);
    assert.equal(e.errno, errno);
    assert.ok(String(e.message).startsWith(`${prefix}: ${code}`), e.message);
  }

  /** "addr/len" of every address on eth0, as ip sees them and as the client listed them. */
  async function sameAddresses(listed: Loose[]): Promise<Loose[]> {
    const [link] = await ipJson(['addr', 'show', 'dev', 'eth0']);
    const fromIp = link.addr_info.map((x: Loose) => `${x.local}/${x.prefixlen}`).sort();
    const fromClient = listed.map((x: Loose) => `${x.address}/${x.prefixLength}`).sort();
    assert.deepEqual(fromClient, fromIp);
    return link.addr_info;
  }

  test('add IPv4 (label, broadcast) and IPv6 (nodad) addresses; duplicates give EEXIST', async () => {
    const r = await runCase('addr-add');
    assertErr(r.dup4, 'EEXIST', -17, 'add address 192.0.2.100/24 dev eth0');
    assertErr(r.dup6, 'EEXIST', -17, 'add address 2001:db8:1::100/64 dev eth0');
    const info = await sameAddresses(r.listed);
    const v4 = info.find((x: Loose) => x.local === '192.0.2.100');
    assert.equal(v4.prefixlen, 24);
    assert.equal(v4.label, 'eth0:vip');
    assert.equal(v4.broadcast, '192.0.2.255');
    const v6 = info.find((x: Loose) => x.local === '2001:db8:1::100');
    assert.equal(v6.nodad, true);
    const c4 = r.listed.find((x: Loose) => x.address === '192.0.2.100');
    assert.equal(c4.label, 'eth0:vip');
    assert.equal(c4.broadcast, '192.0.2.255');
    assert.ok(c4.flags.includes('secondary'), 'second address in 192.0.2.0/24 is secondary');
    const c6 = r.listed.find((x: Loose) => x.address === '2001:db8:1::100');
    assert.ok(c6.flags.includes('nodad'));
  });

  test('delete both addresses; deleting again gives EADDRNOTAVAIL', async () => {
    const r = await runCase('addr-del');
    assertErr(r.missing4, 'EADDRNOTAVAIL', -99, 'delete address 192.0.2.100/24 dev eth0');
    assertErr(r.missing6, 'EADDRNOTAVAIL', -99, 'delete address 2001:db8:1::100/64 dev eth0');
    const info = await sameAddresses(r.listed);
    assert.ok(!info.some((x: Loose) => x.local === '192.0.2.100' || x.local === '2001:db8:1::100'));
  });

  test('address options: peer (added and deleted), preferred_lft 0 → deprecated, 300 s, mngtmpaddr', async () => {
    const r = await runCase('addr-options');
    const info = (r.ip as Loose[])[0].addr_info as Loose[];
    const p2p = info.find((x: Loose) => x.local === '10.9.9.1');
    assert.equal(p2p.address, '10.9.9.2', 'peer');
    const dep = info.find((x: Loose) => x.local === '2001:db8:1::128');
    assert.equal(dep.preferred_life_time, 0);
    assert.equal(dep.deprecated, true);
    assert.equal(dep.valid_life_time, 4294967295);
    const tmp = info.find((x: Loose) => x.local === '2001:db8:5::1');
    assert.ok(
      tmp.preferred_life_time > 250 && tmp.preferred_life_time <= 300,
      String(tmp.preferred_life_time),
    );
    assert.equal(tmp.mngtmpaddr, true);
    const c = r.listed.find((x: Loose) => x.address === '10.9.9.1');
    assert.equal(c.peer, '10.9.9.2');
    assert.ok(!r.after.some((x: Loose) => x.address === '10.9.9.1'), 'deleted with its peer');
  });

  test('routes: table 100 with metric and src, IPv6, multipath, blackhole, replace, EEXIST', async () => {
    const r = await runCase('route-add');
    assertErr(
      r.dup,
      'EEXIST',
      -17,
      'add route 203.0.113.0/24 via 192.0.2.2 dev eth0 table 100 metric 50 src 192.0.2.1',
    );
    const t4 = await ipJson(['route', 'show', 'table', '100']);
    assert.equal(t4.length, 2, 'replace changed the route instead of adding one');
    const uni = t4.find((x: Loose) => x.dst === '203.0.113.0/24');
    assert.deepEqual(
      [uni.gateway, uni.dev, uni.prefsrc, uni.metric],
      ['192.0.2.4', 'eth0', '192.0.2.1', 50],
    );
    const bh = t4.find((x: Loose) => x.dst === '198.51.100.128/25');
    assert.equal(bh.type, 'blackhole');
    const [t6] = await ipJson(['-6', 'route', 'show', 'table', '100']);
    assert.deepEqual([t6.dst, t6.gateway, t6.metric], ['2001:db8:99::/48', '2001:db8:1::2', 60]);
    // The client's view of table 100 is the same set.
    const mine = r.table100.map((x: Loose) => `${x.dst}/${x.prefixLength} ${x.type} ${x.gateway}`);
    assert.deepEqual(mine.sort(), [
      '198.51.100.128/25 blackhole undefined',
      '2001:db8:99::/48 unicast 2001:db8:1::2',
      '203.0.113.0/24 unicast 192.0.2.4',
    ]);
    const cu = r.table100.find((x: Loose) => x.dst === '203.0.113.0');
    assert.deepEqual([cu.metric, cu.src, cu.ifindex, cu.protocol], [50, '192.0.2.1', r.eth0, 3]);
    const [mp] = await ipJson(['route', 'show', '198.51.100.0/25']);
    const hops = mp.nexthops.map((h: Loose) => [h.gateway, h.dev, h.weight]);
    assert.deepEqual(hops, [
      ['192.0.2.2', 'eth0', 3],
      ['192.0.2.3', 'eth0', 1],
    ]);
    const cmp = r.main[0].multipath.map((h: Loose) => [h.gateway, h.ifindex, h.weight]);
    assert.deepEqual(cmp, [
      ['192.0.2.2', r.eth0, 3],
      ['192.0.2.3', r.eth0, 1],
    ]);
  });

  test('delete the routes; deleting a missing route gives ESRCH', async () => {
    const r = await runCase('route-del');
    assertErr(
      r.missing,
      'ESRCH',
      -3,
      'delete route 203.0.113.0/24 via 192.0.2.2 table 100 metric 50 src 192.0.2.1',
    );
    assertErr(
      r.missing6,
      'ESRCH',
      -3,
      'delete route 2001:db8:99::/48 via 2001:db8:1::2 table 100 metric 60',
    );
    assert.deepEqual(r.table100, []);
    assert.deepEqual(await ipJson(['route', 'show', 'table', '100']), []);
    assert.deepEqual(await ipJson(['-6', 'route', 'show', 'table', '100']), []);
    assert.deepEqual(await ipJson(['route', 'show', '198.51.100.0/25']), []);
  });

  test('rule with priority, from, fwmark and table; EEXIST, then delete and ENOENT', async () => {
    const r = await runCase('rule-add');
    assertErr(
      r.dup,
      'EEXIST',
      -17,
      'add rule IPv4 prio 1000 from 192.0.2.0/24 fwmark 0x10 lookup 100',
    );
    const ipRule = (await ipJson(['rule'])).find((x: Loose) => x.priority === 1000);
    assert.deepEqual(
      [ipRule.src, ipRule.srclen, ipRule.fwmark, ipRule.table],
      ['192.0.2.0', 24, '0x10', '100'],
    );
    assert.equal(r.rules.length, 1);
    const c = r.rules[0];
    assert.deepEqual([c.from, c.fwmark, c.table, c.action], ['192.0.2.0/24', 16, 100, 'table']);
    const d = await runCase('rule-del');
    assertErr(
      d.missing,
      'ENOENT',
      -2,
      'delete rule IPv4 prio 1000 from 192.0.2.0/24 fwmark 0x10 lookup 100',
    );
    assert.deepEqual(d.rules, []);
    assert.ok(!(await ipJson(['rule'])).some((x: Loose) => x.priority === 1000));
  });

  test('macvlan with a given MAC on the veth, set up, EEXIST; delete, then ENODEV', async () => {
    const r = await runCase('macvlan-add');
    assertErr(r.dup, 'EEXIST', -17, 'add link mv0 type macvlan mode private link eth0');
    const [mv] = await ipJson(['-d', 'link', 'show', 'mv0']);
    assert.equal(mv.address, '02:00:5e:00:01:63');
    assert.equal(mv.link, 'eth0');
    assert.equal(mv.linkinfo.info_kind, 'macvlan');
    assert.equal(mv.linkinfo.info_data.mode, 'bridge');
    assert.ok(mv.flags.includes('UP'));
    assert.equal(r.created.index, mv.ifindex);
    assert.deepEqual(
      [r.created.mac, r.created.kind, r.created.macvlanMode, r.created.link, r.created.up],
      ['02:00:5e:00:01:63', 'macvlan', 'bridge', r.eth0, false],
    );
    assert.equal(r.after.up, true);
    const d = await runCase('macvlan-del');
    // The link is gone, so the message can only name its index.
    assertErr(d.missing, 'ENODEV', -19, `delete link if${r.created.index}`);
    assertErr(d.lookup, 'ENODEV', -19, 'get link mv0');
    assert.ok(!d.names.includes('mv0'));
    const gone = await a.ip(['link', 'show', 'mv0'], { check: false });
    assert.notEqual(gone.code, 0);
  });

  test('monitor: new/del for addresses, routes and rules changed by ip; link down and up', async () => {
    const { events } = await runCase('monitor');
    const key = (e: Loose): string => {
      if (e.type === 'address') return `address ${e.action} ${e.address.address}`;
      if (e.type === 'route') return `route ${e.action} ${e.route.dst} ${e.route.table}`;
      if (e.type === 'rule') return `rule ${e.action} ${e.rule.priority}`;
      return `link ${e.action} ${e.link.name} ${e.link.up ? 'up' : 'down'}`;
    };
    const seq = events.map(key);
    const order = (...want: string[]): void => {
      const idx = want.map((w) => seq.indexOf(w));
      assert.ok(!idx.includes(-1), `missing one of ${want.join(', ')} in ${seq.join('; ')}`);
      assert.deepEqual(
        idx,
        [...idx].sort((x, y) => x - y),
        `order of ${want.join(', ')}`,
      );
    };
    order('address new 203.0.113.9', 'address del 203.0.113.9');
    order('address new 2001:db8:1::9', 'address del 2001:db8:1::9');
    order('route new 203.0.113.0 100', 'route del 203.0.113.0 100');
    order('rule new 1234', 'rule del 1234');
    order('link new eth0 down', 'link new eth0 up');
    const down = events.find((e: Loose) => key(e) === 'link new eth0 down');
    assert.equal(down.link.mac, '02:00:00:00:00:0a');
    assert.equal(down.link.operstate, 'down');
    const added = events.find((e: Loose) => key(e) === 'address new 203.0.113.9');
    assert.equal(added.address.prefixLength, 32);
    assert.equal(added.address.ifindex, down.link.index);
  });
});
