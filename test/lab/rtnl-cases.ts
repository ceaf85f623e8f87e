// Child side of test/lab/rtnl.test.ts: runs one rtnetlink case with src/os/rtnl inside the lab
// host's namespace (started by `ip netns exec`), prints one JSON line with what the client saw
// (objects and errors), and returns without process.exit so the parent also learns that the
// client and monitor let go of the event loop. The parent compares with `ip -j` output.
//
// Usage: node --import tsx test/lab/rtnl-cases.ts CASE
// (host set up by the parent: eth0 up with 192.0.2.1/24 and 2001:db8:1::1/64, on a switch)
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { NetlinkProtocol, NetlinkSocket } from '../../src/os/native.js';
import { encodeMessage } from '../../src/os/rtnl/messages.js';
import {
  Rtnl,
  RtnlMonitor,
  type RtnlEvent,
  type RouteSpec,
  type RuleSpec,
} from '../../src/os/rtnl/index.js';

type Result = Record<string, unknown>;
const run = promisify(execFile);

/** What a rejected call threw (or { threw: false }). */
async function errInfo(p: Promise<unknown>): Promise<Result> {
  try {
    await p;
    return { threw: false };
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    return { threw: true, name: err.name, code: err.code, errno: err.errno, message: err.message };
  }
}

async function withRtnl(fn: (r: Rtnl, eth0: number) => Promise<Result>): Promise<Result> {
  const r = Rtnl.open({ timeoutMs: 3000 });
  try {
    return await fn(r, (await r.link('eth0')).index);
  } finally {
    r.close();
  }
}

const v4 = { address: '192.0.2.100', prefixLength: 24 };
const v6 = { address: '2001:db8:1::100', prefixLength: 64 };

const tableRoute: RouteSpec = {
  dst: '203.0.113.0',
  prefixLength: 24,
  gateway: '192.0.2.2',
  table: 100,
  metric: 50,
  src: '192.0.2.1',
};
const tableRoute6: RouteSpec = {
  dst: '2001:db8:99::',
  prefixLength: 48,
  gateway: '2001:db8:1::2',
  table: 100,
  metric: 60,
};
const blackhole: RouteSpec = {
  dst: '198.51.100.128',
  prefixLength: 25,
  type: 'blackhole',
  table: 100,
};
const multipath = (eth0: number): RouteSpec => ({
  dst: '198.51.100.0',
  prefixLength: 25,
  multipath: [
    { gateway: '192.0.2.2', ifindex: eth0, weight: 3 },
    { gateway: '192.0.2.3', ifindex: eth0, weight: 1 },
  ],
});
const rule: RuleSpec = {
  family: 4,
  priority: 1000,
  fwmark: 0x10,
  table: 100,
  from: '192.0.2.0/24',
};

const cases: Record<string, () => Promise<Result>> = {
  'addr-add': () =>
    withRtnl(async (r, eth0) => {
      await r.addAddress({ ifindex: eth0, ...v4, label: 'eth0:vip', broadcast: '192.0.2.255' });
      await r.addAddress({ ifindex: eth0, ...v6, flags: ['nodad'] });
      const dup4 = await errInfo(r.addAddress({ ifindex: eth0, ...v4 }));
      const dup6 = await errInfo(r.addAddress({ ifindex: eth0, ...v6, flags: ['nodad'] }));
      const listed = (await r.addresses()).filter((a) => a.ifindex === eth0);
      return { eth0, dup4, dup6, listed };
    }),

  'addr-del': () =>
    withRtnl(async (r, eth0) => {
      await r.deleteAddress({ ifindex: eth0, ...v4 });
      await r.deleteAddress({ ifindex: eth0, ...v6 });
      const missing4 = await errInfo(r.deleteAddress({ ifindex: eth0, ...v4 }));
      const missing6 = await errInfo(r.deleteAddress({ ifindex: eth0, ...v6 }));
      const listed = (await r.addresses()).filter((a) => a.ifindex === eth0);
      return { missing4, missing6, listed };
    }),

  'addr-options': () =>
    withRtnl(async (r, eth0) => {
      // keepalived's VIP options: a point-to-point peer, a deprecated /128 (preferred_lft 0),
      // mngtmpaddr; the peer address is deleted again by local address and peer.
      await r.addAddress({
        ifindex: eth0,
        address: '10.9.9.1',
        prefixLength: 32,
        peer: '10.9.9.2',
      });
      await r.addAddress({
        ifindex: eth0,
        address: '2001:db8:1::128',
        prefixLength: 128,
        preferredLft: 0,
        flags: ['nodad'],
      });
      await r.addAddress({
        ifindex: eth0,
        address: '2001:db8:5::1',
        prefixLength: 64,
        preferredLft: 300,
        flags: ['nodad', 'mngtmpaddr'],
      });
      const listed = (await r.addresses()).filter((a) => a.ifindex === eth0);
      const ip = JSON.parse((await run('ip', ['-j', 'addr', 'show', 'dev', 'eth0'])).stdout);
      await r.deleteAddress({
        ifindex: eth0,
        address: '10.9.9.1',
        prefixLength: 32,
        peer: '10.9.9.2',
      });
      const after = (await r.addresses()).filter((a) => a.ifindex === eth0);
      return { listed, ip, after };
    }),

  'route-add': () =>
    withRtnl(async (r, eth0) => {
      await r.addRoute({ ...tableRoute, ifindex: eth0 });
      await r.addRoute({ ...tableRoute6, ifindex: eth0 });
      await r.addRoute(multipath(eth0));
      await r.addRoute(blackhole);
      const dup = await errInfo(r.addRoute({ ...tableRoute, ifindex: eth0 }));
      // replace keeps one route for the key (dst, table, metric) and moves it to a new gateway
      await r.addRoute({ ...tableRoute, ifindex: eth0, gateway: '192.0.2.4' }, { replace: true });
      const table100 = await r.routes({ table: 100 });
      const main = (await r.routes({ table: 254, family: 4 })).filter(
        (x) => x.dst === '198.51.100.0',
      );
      return { eth0, dup, table100, main };
    }),

  'route-del': () =>
    withRtnl(async (r, eth0) => {
      await r.deleteRoute({ ...tableRoute, gateway: '192.0.2.4', ifindex: eth0 });
      await r.deleteRoute(tableRoute6);
      await r.deleteRoute({ dst: '198.51.100.0', prefixLength: 25 });
      await r.deleteRoute(blackhole);
      const missing = await errInfo(r.deleteRoute(tableRoute));
      const missing6 = await errInfo(r.deleteRoute(tableRoute6));
      return { missing, missing6, table100: await r.routes({ table: 100 }) };
    }),

  'rule-add': () =>
    withRtnl(async (r) => {
      await r.addRule(rule);
      const dup = await errInfo(r.addRule(rule));
      return { dup, rules: (await r.rules(4)).filter((x) => x.priority === 1000) };
    }),

  'rule-del': () =>
    withRtnl(async (r) => {
      await r.deleteRule(rule);
      const missing = await errInfo(r.deleteRule(rule));
      return { missing, rules: (await r.rules(4)).filter((x) => x.priority === 1000) };
    }),

  'macvlan-add': () =>
    withRtnl(async (r, eth0) => {
      const mv = await r.createMacvlan({
        name: 'mv0',
        link: eth0,
        mode: 'bridge',
        mac: '02:00:5e:00:01:63',
      });
      await r.setLinkUp(mv.index, true);
      const dup = await errInfo(r.createMacvlan({ name: 'mv0', link: eth0, mode: 'private' }));
      return { eth0, created: mv, after: await r.link('mv0'), dup };
    }),

  'macvlan-del': () =>
    withRtnl(async (r) => {
      const mv = await r.link('mv0');
      await r.deleteLink(mv.index);
      const missing = await errInfo(r.deleteLink(mv.index));
      const lookup = await errInfo(r.link('mv0'));
      return { missing, lookup, names: (await r.links()).map((l) => l.name) };
    }),

  // Not part of the test: records raw kernel replies (hex datagrams) for the unit-test fixtures
  // in test/fixtures/rtnl/. One request per type, read until NLMSG_DONE or the ack.
  async capture() {
    const sock = NetlinkSocket.open(NetlinkProtocol.ROUTE).setOption('extAck', true);
    const exchange = (
      type: number,
      flags: number,
      payload: Buffer,
      seq: number,
    ): Promise<string[]> =>
      new Promise((resolve, reject) => {
        const got: string[] = [];
        const t = setTimeout(() => reject(new Error(`no reply to ${type}`)), 3000);
        const onMsg = (m: { data: Buffer }): void => {
          got.push(m.data.toString('hex'));
          const types: number[] = [];
          for (let off = 0; off + 16 <= m.data.length; off += (m.data.readUInt32LE(off) + 3) & ~3) {
            types.push(m.data.readUInt16LE(off + 4));
          }
          if (types.includes(3) || types.includes(2)) {
            clearTimeout(t);
            sock.off('message', onMsg);
            resolve(got);
          }
        };
        sock.on('message', onMsg);
        sock.send(encodeMessage({ type, flags, seq, payload }));
      });
    const zero = (n: number): Buffer => Buffer.alloc(n);
    const out: Result = {};
    out.getlink = await exchange(18, 0x301, zero(16), 1);
    out.getaddr = await exchange(22, 0x301, zero(8), 2);
    out.getroute = await exchange(26, 0x301, zero(12), 3);
    out.getrule = await exchange(34, 0x301, zero(12), 4);
    // RTM_NEWADDR of eth0's existing 192.0.2.1/24 with CREATE|EXCL|ACK: an EEXIST error + extack.
    const r = Rtnl.open();
    const eth0 = (await r.link('eth0')).index;
    r.close();
    const ifa = Buffer.from([2, 24, 0, 0, eth0, 0, 0, 0, 8, 0, 2, 0, 192, 0, 2, 1]);
    out.eexist = await exchange(20, 0x605, ifa, 5);
    sock.close();
    return out;
  },

  // Events for changes made by `ip` in this namespace, each wait bounded.
  async monitor() {
    const mon = RtnlMonitor.open();
    const events: RtnlEvent[] = [];
    mon.on('event', (e) => events.push(e));
    const seen = (pred: (e: RtnlEvent) => boolean, what: string): Promise<void> =>
      new Promise((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`no event: ${what}`)), 3000);
        const check = (): void => {
          if (!events.some(pred)) return;
          clearTimeout(t);
          mon.off('event', check);
          resolve();
        };
        mon.on('event', check);
        check();
      });
    const isAddr = (action: string) => (e: RtnlEvent) =>
      e.type === 'address' && e.action === action && e.address.address === '203.0.113.9';
    try {
      await run('ip', ['addr', 'add', '203.0.113.9/32', 'dev', 'eth0']);
      await seen(isAddr('new'), 'address new');
      await run('ip', ['addr', 'del', '203.0.113.9/32', 'dev', 'eth0']);
      await seen(isAddr('del'), 'address del');
      await run('ip', ['-6', 'addr', 'add', '2001:db8:1::9/128', 'dev', 'eth0', 'nodad']);
      await seen(
        (e) => e.type === 'address' && e.action === 'new' && e.address.address === '2001:db8:1::9',
        'v6 new',
      );
      await run('ip', ['-6', 'addr', 'del', '2001:db8:1::9/128', 'dev', 'eth0']);
      await seen(
        (e) => e.type === 'address' && e.action === 'del' && e.address.address === '2001:db8:1::9',
        'v6 del',
      );
      // IPv4 flushes routes on link down without notifying, so route events come from ip route.
      const isRoute = (action: string) => (e: RtnlEvent) =>
        e.type === 'route' &&
        e.action === action &&
        e.route.dst === '203.0.113.0' &&
        e.route.table === 100;
      await run('ip', ['route', 'add', '203.0.113.0/24', 'via', '192.0.2.2', 'table', '100']);
      await seen(isRoute('new'), 'route new');
      await run('ip', ['route', 'del', '203.0.113.0/24', 'table', '100']);
      await seen(isRoute('del'), 'route del');
      await run('ip', ['rule', 'add', 'priority', '1234', 'fwmark', '0x9', 'table', '100']);
      await seen(
        (e) => e.type === 'rule' && e.action === 'new' && e.rule.priority === 1234,
        'rule new',
      );
      await run('ip', ['rule', 'del', 'priority', '1234']);
      await seen(
        (e) => e.type === 'rule' && e.action === 'del' && e.rule.priority === 1234,
        'rule del',
      );
      await run('ip', ['link', 'set', 'eth0', 'down']);
      await seen((e) => e.type === 'link' && e.link.name === 'eth0' && !e.link.up, 'link down');
      await run('ip', ['link', 'set', 'eth0', 'up']);
      await seen((e) => e.type === 'link' && e.link.name === 'eth0' && e.link.up, 'link up');
    } finally {
      mon.close();
    }
    return { events };
  },
};

const name = process.argv[2] ?? '';
const fn = cases[name];
if (!fn) {
  console.log(JSON.stringify({ error: `unknown case ${name}` }));
  process.exitCode = 2;
} else {
  try {
    console.log(JSON.stringify(await fn()));
  } catch (e) {
    console.log(JSON.stringify({ error: String((e as Error).stack ?? e) }));
    process.exitCode = 1;
  }
}
