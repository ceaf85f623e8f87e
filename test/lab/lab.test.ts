// The lab library itself, on the real kernel (root): connectivity across a switch and over a
// point-to-point veth, nftables inside a host, the loss helper, capture, cut/restore, and that
// teardown and stale cleanup leave nothing behind.
// Namespace import: tsconfig has no allowSyntheticDefaultImports.
import * as assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync, statSync } from 'node:fs';
import { test } from 'node:test';
import {
  Lab,
  LabProcess,
  listNamespaces,
  readPcap,
  requireRoot,
  run,
  waitFor,
  withDeadline,
  withLab,
  type Host,
} from './lib/index.js';

/** True when the pid no longer exists or is a zombie nobody has reaped yet. */
function gone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

/** Processes whose network namespace is `inode` (a netns lives while any process is in it). */
function processesInNetns(inode: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      if (readlinkSync(`/proc/${d}/ns/net`) === `net:[${inode}]`) out.push(Number(d));
    } catch {
      // exited meanwhile, or a kernel thread
    }
  }
  return out;
}

async function lan(lab: Lab, names: string[]): Promise<Host[]> {
  const sw = await lab.switch('lan');
  const hosts: Host[] = [];
  for (const [i, name] of names.entries()) {
    const h = await lab.host(name);
    const n = i + 1;
    await lab.link(h, sw, {
      ifname: 'eth0',
      mac: `02:00:00:00:00:0${n}`,
      addrs: [`192.0.2.${n}/24`, `2001:db8:2::${n}/64`],
    });
    hosts.push(h);
  }
  return hosts;
}

test('two hosts ping each other across a switch, IPv4 and IPv6, with no way out', async () => {
  requireRoot();
  await withLab('ping', async (lab) => {
    const [a, b] = await lan(lab, ['a', 'b']);
    assert.equal((await a.ping('192.0.2.2')).received, 1);
    assert.equal((await b.ping('192.0.2.1')).received, 1);
    assert.equal((await a.ping('2001:db8:2::2')).received, 1);
    assert.equal((await b.ping('2001:db8:2::1')).received, 1);
    // The MAC was applied, so the link-local address is the EUI-64 one.
    const ll = await b.ip(['-6', '-o', 'addr', 'show', 'dev', 'eth0', 'scope', 'link']);
    assert.match(ll.stdout, /fe80::ff:fe00:2\/64/);
    // Nothing routes to the outside world: no default route, unknown nets are unreachable.
    for (const family of ['-4', '-6']) {
      const routes = (await a.ip([family, 'route', 'show'])).stdout;
      assert.doesNotMatch(routes, /default/);
    }
    const out = await a.exec(['ping', '-c', '1', '-W', '1', '203.0.113.7'], { check: false });
    assert.notEqual(out.code, 0);
    // The bridge forwards multicast to every port (no snooping) and runs no STP.
    const sw = lab.namespaces().find((ns) => ns.endsWith('-lan'));
    assert.ok(sw);
    const br = await run(['ip', '-n', sw, '-d', 'link', 'show', 'br0']);
    assert.match(br.stdout, /stp_state 0/);
    assert.match(br.stdout, /mcast_snooping 0/);
  });
});

test('a point-to-point veth between two hosts', async () => {
  requireRoot();
  await withLab('p2p', async (lab) => {
    const a = await lab.host('a');
    const b = await lab.host('b');
    const link = await lab.link(
      a,
      b,
      { ifname: 'ab0', addrs: ['198.51.100.1/30'] },
      { ifname: 'ba0', addrs: ['198.51.100.2/30'] },
    );
    assert.equal(link.b.ifname, 'ba0');
    assert.equal((await a.ping('198.51.100.2')).received, 1);
  });
});

test('exec runs argv without a shell, checks the exit code and has a deadline', async () => {
  requireRoot();
  await withLab('exec', async (lab) => {
    const a = await lab.host('a');
    // Without a shell, `$HOME;` is an ordinary argument.
    assert.equal((await a.exec(['echo', '$HOME;', 'x'])).stdout, '$HOME; x\n');
    assert.equal((await a.sh('echo $((1+2))')).stdout, '3\n');
    await assert.rejects(a.exec(['false']), /command failed \(exit 1\).*false/);
    assert.equal((await a.exec(['false'], { check: false })).code, 1);
    await assert.rejects(a.exec(['sleep', '5'], { timeoutMs: 200 }), /timed out after 200 ms/);
    await assert.rejects(
      waitFor(() => false, { timeoutMs: 100, what: 'never' }),
      /timed out after 100 ms waiting for never/,
    );
  });
});

test('nftables inside a host drops ICMP from one peer until the table is deleted', async () => {
  requireRoot();
  await withLab('nft', async (lab) => {
    const [a, b, c] = await lan(lab, ['a', 'b', 'c']);
    await a.nft(
      [
        'table inet t {',
        '  chain in {',
        '    type filter hook input priority 0; policy accept;',
        '    ip saddr 192.0.2.2 meta l4proto icmp drop',
        '  }',
        '}',
      ].join('\n') + '\n',
    );
    assert.equal((await b.ping('192.0.2.1')).received, 0);
    assert.equal((await c.ping('192.0.2.1')).received, 1);
    await a.exec(['nft', 'delete', 'table', 'inet', 't']);
    assert.equal((await b.ping('192.0.2.1')).received, 1);
  });
});

test('the loss helper drops roughly the asked share of frames, and 0 removes it', async () => {
  requireRoot();
  await withLab('loss', async (lab) => {
    const [a, b] = await lan(lab, ['a', 'b']);
    assert.equal((await a.ping('192.0.2.2')).received, 1); // resolve ARP before the loss starts
    await lab.loss(b, 'eth0', 30);
    const r = await a.ping('192.0.2.2', { count: 200, intervalS: 0.005, waitS: 1 });
    assert.equal(r.transmitted, 200);
    const lost = 1 - r.received / r.transmitted;
    assert.ok(lost > 0.15 && lost < 0.45, `lost ${(lost * 100).toFixed(1)} %, asked for 30 %`);
    await lab.loss(b, 'eth0', 0);
    const after = await a.ping('192.0.2.2', { count: 20, intervalS: 0.005 });
    assert.equal(after.received, 20);
    await lab.loss(a, 'eth0', 100, 'out');
    assert.equal((await a.ping('192.0.2.2')).received, 0);
  });
});

test('capture sees the pings', async () => {
  requireRoot();
  await withLab('cap', async (lab) => {
    const [a, b] = await lan(lab, ['a', 'b']);
    const cap = await b.capture('eth0', 'icmp');
    assert.equal((await a.ping('192.0.2.2', { count: 3, intervalS: 0.05 })).received, 3);
    const path = await cap.stop();
    assert.ok(statSync(path).size > 24, 'pcap has packets after its header');
    const lines = await readPcap(path);
    assert.equal(
      lines.filter((l) => /192\.0\.2\.1 > 192\.0\.2\.2: ICMP echo request/.test(l)).length,
      3,
    );
    assert.equal(
      lines.filter((l) => /192\.0\.2\.2 > 192\.0\.2\.1: ICMP echo reply/.test(l)).length,
      3,
    );
  });
});

test('cutLink takes the carrier away but not the addresses; restoreLink brings it back', async () => {
  requireRoot();
  await withLab('cut', async (lab) => {
    const sw = await lab.switch('lan');
    const a = await lab.host('a');
    const b = await lab.host('b');
    const la = await lab.link(a, sw, {
      ifname: 'eth0',
      addrs: ['192.0.2.1/24', '2001:db8:2::1/64'],
    });
    await lab.link(b, sw, { ifname: 'eth0', addrs: ['192.0.2.2/24'] });
    await lab.cutLink(la);
    const link = (await a.ip(['-o', 'link', 'show', 'eth0'])).stdout;
    assert.match(link, /NO-CARRIER/);
    const addrs = (await a.ip(['-o', 'addr', 'show', 'dev', 'eth0'])).stdout;
    assert.match(addrs, /192\.0\.2\.1\/24/);
    assert.match(addrs, /2001:db8:2::1\/64/);
    assert.equal((await b.ping('192.0.2.1')).received, 0);
    await lab.restoreLink(la);
    await waitFor(async () => (await b.ping('192.0.2.1')).received === 1, {
      timeoutMs: 5000,
      what: 'ping after restoreLink',
    });
  });
});

test('teardown leaves no namespace, veth or process behind', async () => {
  requireRoot();
  const lab = await Lab.create('down');
  const sw = await lab.switch('lan');
  const a = await lab.host('a');
  const b = await lab.host('b');
  await lab.link(a, sw, { ifname: 'tdv0', addrs: ['192.0.2.1/24'] });
  await lab.link(a, b, { ifname: 'tdv1' }, { ifname: 'tdv2' });
  const p1 = a.spawn(['sleep', '60']);
  const p2 = b.spawn(['sh', '-c', 'sleep 60 & sleep 61']);
  // A daemon that escapes tracking: only `ip netns pids` can find it.
  await a.sh('setsid sleep 62 </dev/null >/dev/null 2>&1 &');
  const pids = await waitFor(
    async () => {
      const all: number[] = [];
      for (const ns of lab.namespaces()) {
        const r = await run(['ip', 'netns', 'pids', ns]);
        all.push(...r.stdout.split(/\s+/).filter(Boolean).map(Number));
      }
      return all.length >= 4 && all;
    },
    { what: 'four sleeps in the lab' },
  );
  assert.ok(pids.includes(p1.pid) && pids.includes(p2.pid));
  const inodes = lab.namespaces().map((ns) => statSync(`/run/netns/${ns}`).ino);
  await lab.teardown();
  await lab.teardown(); // idempotent

  const names = await listNamespaces();
  assert.deepEqual(
    names.filter((n) => n.startsWith(lab.prefix)),
    [],
  );
  for (const pid of pids) assert.ok(gone(pid), `pid ${pid} is still running`);
  assert.equal((await p1.exited).signal, 'SIGKILL');
  for (const ino of inodes) assert.deepEqual(processesInNetns(ino), []);
  // No veth of the lab anywhere: not in the root namespace, not in any named namespace.
  const everywhere = await run(['ip', '-all', 'netns', 'exec', 'ip', '-o', 'link', 'show'], {
    check: false,
  });
  const root = await run(['ip', '-o', 'link', 'show']);
  for (const text of [everywhere.stdout, root.stdout]) assert.doesNotMatch(text, /tdv[012]/);
  await assert.rejects(lab.host('c'), /torn down/);
});

test('withLab tears down when the test body throws', async () => {
  requireRoot();
  let prefix = '';
  await assert.rejects(
    withLab('boom', async (lab) => {
      prefix = lab.prefix;
      await lab.host('a');
      throw new Error('boom');
    }),
    /boom/,
  );
  assert.ok(prefix);
  assert.deepEqual(
    (await listNamespaces()).filter((n) => n.startsWith(prefix)),
    [],
  );
});

test('Lab.create removes stale namespaces of dead runs and keeps live ones', async () => {
  requireRoot();
  // A pid that surely belongs to no running process: one that just exited.
  const dead = (await run(['sh', '-c', 'echo $$'])).stdout.trim();
  const stale = `sa-${dead}-1-old-a`;
  await run(['ip', 'netns', 'add', stale]);
  const inStale = new LabProcess(['ip', 'netns', 'exec', stale, 'sleep', '60']);
  await waitFor(async () => (await run(['ip', 'netns', 'pids', stale])).stdout.trim() !== '', {
    what: 'sleep inside the stale namespace',
  });
  try {
    await withLab('live', async (live) => {
      await live.host('a');
      await withLab('fresh', async () => {
        const names = await listNamespaces();
        assert.ok(!names.includes(stale), `${stale} was not removed`);
        assert.ok(names.includes(`${live.prefix}-a`), 'a live lab of this run was removed');
      });
    });
    const st = await withDeadline(inStale.exited, 5000, 'process in the stale namespace to die');
    assert.equal(st.signal, 'SIGKILL');
  } finally {
    inStale.kill('SIGKILL');
    await run(['ip', 'netns', 'del', stale], { check: false });
  }
});
