// Gateway tracking owns exactly its kernel objects (root, real kernel): IPv4 and IPv6 tracked
// routes, a table-100 route, an ECMP route over two live next hops (a third, dead member left
// out), and static_ipaddress/static_routes/static_rules. A stale marked route is removed at
// start and a foreign one kept; a crash + restart with the same config re-adopts everything
// with NO route/rule/address change seen by `ip monitor`; SIGTERM removes exactly what it made.
import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { nativeAvailable } from '../../src/os/native.js';
import { events, startDriver, waitEvent, writeConf } from './gateway-common.js';
import { sleep, waitFor, withLab, type Host } from './lib/index.js';

const skip =
  process.getuid?.() !== 0 ? 'needs root' : !nativeAvailable() ? 'addon not built' : false;

const CONF = `
static_ipaddress {
    192.0.2.77/32 dev lo
}
static_routes {
    203.0.113.128/25 via 198.51.100.1 dev up1 table 100
}
static_rules {
    from 192.0.2.77/32 table 100 priority 1000
}
gateway_track ISP {
    address 198.51.100.1
    interface up1
    interval 0.2
    rise 1
    fall 2
    route {
        default metric 10
        203.0.113.0/25 table 100
    }
    route_multipath {
        192.0.2.128/25 weight 2
    }
}
gateway_track ISP2 {
    address 198.51.100.3
    interface up1
    interval 0.2
    rise 1
    fall 2
    route_multipath {
        192.0.2.128/25
    }
}
gateway_track DEAD {
    address 198.51.100.4
    interface up1
    interval 0.2
    timeout 0.1
    rise 1
    fall 2
    route_multipath {
        192.0.2.128/25
    }
}
gateway_track ISP6 {
    address 2001:db8:1::1
    interface up1
    interval 0.2
    rise 1
    fall 2
    route {
        default metric 10
    }
}
`;

/** Routes of every table, family, with protocol, as `ip` prints them. */
async function routeLines(h: Host): Promise<string[]> {
  const v4 = (await h.ip(['-o', '-4', 'route', 'show', 'table', 'all'])).stdout;
  const v6 = (await h.ip(['-o', '-6', 'route', 'show', 'table', 'all'])).stdout;
  return (v4 + v6)
    .split('\n')
    .filter(
      (l) =>
        l && !/^(local|multicast|broadcast|fe80|anycast)/.test(l) && !l.includes('table local'),
    )
    .map((l) =>
      l
        .replace(/\\/g, ' ')
        .replace(/\s+/g, ' ')
        .replace(/ pref medium/, '')
        .trim(),
    )
    .sort();
}

test(
  're-adoption after a crash, stale cleanup, and exact removal on stop',
  { skip, timeout: 60_000 },
  async () => {
    await withLab('gwadopt', async (lab) => {
      const r = await lab.host('r');
      const isp = await lab.host('isp');
      await lab.link(
        r,
        isp,
        { ifname: 'up1', addrs: ['198.51.100.2/29', '2001:db8:1::2/64'] },
        { ifname: 'r', addrs: ['198.51.100.1/29', '198.51.100.3/29', '2001:db8:1::1/64'] },
      );
      await r.ip(['route', 'add', '198.51.100.128/28', 'via', '198.51.100.1', 'proto', '90']); // stale, ours
      await r.ip(['route', 'add', '198.51.100.144/28', 'via', '198.51.100.1', 'proto', 'static']); // foreign
      const before = await routeLines(r);
      const conf = writeConf(lab, 'r.conf', CONF);

      const d1 = startDriver(r, conf);
      const want = [
        'default via 198.51.100.1 dev up1 proto 90 metric 10',
        '203.0.113.0/25 via 198.51.100.1 dev up1 table 100 proto 90',
        '203.0.113.128/25 via 198.51.100.1 dev up1 table 100 proto keepalived',
        'default via 2001:db8:1::1 dev up1 proto 90 metric 10',
      ];
      const ecmp =
        /^192\.0\.2\.128\/25 proto 90 nexthop via 198\.51\.100\.1 dev up1 weight 2 nexthop via 198\.51\.100\.3 dev up1 weight 1$/;
      await waitFor(
        async () => {
          const now = await routeLines(r);
          return want.every((w) => now.includes(w)) && now.some((l) => ecmp.test(l));
        },
        { timeoutMs: 8000, what: `routes of the first run:\n${want.join('\n')}` },
      ).catch(async (e: Error) => {
        throw new Error(`${e.message}\nhave:\n${(await routeLines(r)).join('\n')}`);
      });
      const held = await routeLines(r);
      assert.ok(!held.some((l) => l.startsWith('198.51.100.128/28')), 'stale marked route removed');
      assert.ok(
        held.includes('198.51.100.144/28 via 198.51.100.1 dev up1 proto static'),
        'foreign route kept',
      );
      assert.match(
        (await r.ip(['rule', 'show'])).stdout,
        /1000:\s+from 192\.0\.2\.77 lookup 100 proto keepalived/,
      );
      assert.match((await r.ip(['-o', 'addr', 'show', 'dev', 'lo'])).stdout, /192\.0\.2\.77\/32/);
      await waitEvent(
        d1,
        (e) => e.ev === 'gateway:state' && e.gateway === 'DEAD' && e.up === false,
        3000,
        'DEAD start state',
      );
      assert.ok(
        !events(d1).some((e) => e.ev === 'gateway:state' && e.gateway === 'DEAD' && e.up === true),
        'dead member never up',
      );

      // Crash (no cleanup), then restart with the same config under an rtnetlink monitor.
      const mon = r.spawn(['ip', '-ts', 'monitor', 'route', 'rule', 'address']);
      await sleep(300);
      d1.kill('SIGKILL');
      await d1.exited;
      const d2 = startDriver(r, conf);
      await waitEvent(d2, (e) => e.ev === 'started', 10_000, 'second run started');
      await sleep(1500); // ~7 probe rounds
      await mon.stop(1000);
      assert.equal(mon.output().trim(), '', `kernel changes during the restart:\n${mon.output()}`);
      const ev2 = events(d2);
      const routeActs = ev2
        .filter((e) => e.ev === 'gateway:route')
        .map((e) => `${String(e.action)} ${String(e.route)}`);
      assert.deepEqual(
        routeActs.filter((a) => !a.startsWith('adopt')),
        [],
        'no route written on restart',
      );
      assert.equal(routeActs.length, 4, routeActs.join('\n')); // 3 plain + the multipath route
      const states = ev2
        .filter((e) => e.ev === 'gateway:state')
        .map((e) => `${String(e.gateway)} ${e.up ? 'up' : 'down'} ${String(e.reason)}`);
      for (const g of ['ISP', 'ISP2', 'ISP6'])
        assert.ok(states.includes(`${g} up adopted`), states.join('\n'));
      const statics = ev2.filter((e) => e.ev === 'gateway:static').map((e) => String(e.action));
      assert.deepEqual(statics, ['adopt', 'adopt', 'adopt']);
      assert.deepEqual(await routeLines(r), held);

      // Graceful stop: exactly what was made goes away.
      d2.kill('SIGTERM');
      await d2.exited;
      assert.ok(events(d2).some((e) => e.ev === 'stopped'));
      assert.deepEqual(
        await routeLines(r),
        before.filter((l) => !l.startsWith('198.51.100.128/28')),
      );
      assert.doesNotMatch((await r.ip(['rule', 'show'])).stdout, /1000:/);
      assert.doesNotMatch(
        (await r.ip(['-o', 'addr', 'show', 'dev', 'lo'])).stdout,
        /192\.0\.2\.77/,
      );
    });
  },
);
