// The addon's TcpProber (src/os/tcp-prober.ts) against loopback listeners: an open port
// connects, a closed port is refused, a listener whose accept queue is full (never
// accepted, backlog 0) drops the SYN so the connect times out; abort, bindto and batches.
// Skipped when the addon is not built.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { nativeAvailable } from '../../../src/os/native.js';
import { errnoCode, TcpProber } from '../../../src/os/tcp-prober.js';

const skip = nativeAvailable() ? false : 'native addon not built';

function listen(host = '127.0.0.1'): Promise<Server> {
  return new Promise((resolve) => {
    const s = createServer((c) => c.destroy());
    s.listen(0, host, () => resolve(s));
  });
}
function portOf(s: Server): number {
  const a = s.address();
  assert.ok(a && typeof a === 'object');
  return a.port;
}

describe('TcpProber', { skip }, () => {
  let prober: TcpProber;
  let open: Server;
  before(async () => {
    prober = new TcpProber();
    open = await listen();
  });
  after(() => {
    prober.close();
    open.close();
  });

  test('an open port connects, with a latency', async () => {
    const r = await prober.probe({ address: '127.0.0.1', port: portOf(open), timeoutMs: 2000 });
    assert.equal(r.ok, true);
    assert.equal(r.errno, 0);
    assert.equal(r.code, '');
    assert.ok(r.latencyUs >= 0 && r.latencyUs < 2_000_000);
    assert.equal(prober.pending, 0);
  });

  test('a closed port is ECONNREFUSED', async () => {
    const s = await listen();
    const port = portOf(s);
    await new Promise((r) => s.close(r));
    const r = await prober.probe({ address: '127.0.0.1', port, timeoutMs: 2000 });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'ECONNREFUSED');
  });

  test('IPv6 loopback works too', async () => {
    const s = await listen('::1');
    try {
      const r = await prober.probe({ address: '::1', port: portOf(s), timeoutMs: 2000 });
      assert.equal(r.ok, true);
    } finally {
      s.close();
    }
  });

  test('bindto: the server sees the source address', async () => {
    const seen: string[] = [];
    const s = createServer((c) => {
      seen.push(c.remoteAddress ?? '');
      c.destroy();
    });
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    try {
      const r = await prober.probe({
        address: '127.0.0.1',
        port: portOf(s),
        timeoutMs: 2000,
        source: '127.0.0.7',
        rst: false, // a RST may reach the server before accept(), hiding the peer
      });
      assert.equal(r.ok, true);
      for (let i = 0; i < 50 && seen.length === 0; i++) await new Promise((d) => setTimeout(d, 10));
      assert.deepEqual(seen, ['127.0.0.7']);
    } finally {
      s.close();
    }
  });

  test('a bad bind address is a result, not a throw', async () => {
    const r = await prober.probe({
      address: '127.0.0.1',
      port: portOf(open),
      timeoutMs: 2000,
      source: '192.0.2.123',
    });
    assert.equal(r.ok, false);
    assert.equal(r.code, 'EADDRNOTAVAIL');
  });

  test('a bad address literal throws a TypeError', () => {
    assert.throws(
      () => void prober.probe({ address: 'not-an-ip', port: 1, timeoutMs: 10 }),
      (e: NodeJS.ErrnoException) => e.code === 'ERR_INVALID_IP_ADDRESS',
    );
  });

  test('300 connects at once all resolve, in batches', async () => {
    const rs = await Promise.all(
      Array.from({ length: 300 }, () =>
        prober.probe({ address: '127.0.0.1', port: portOf(open), timeoutMs: 5000 }),
      ),
    );
    assert.equal(rs.filter((r) => r.ok).length, 300);
    assert.equal(prober.pending, 0);
  });

  describe('a listener that never accepts (full accept queue)', () => {
    let py: ChildProcess | undefined;
    let port = 0;
    const held: Socket[] = [];
    let unavailable: string | false = false;
    before(async () => {
      // python3 listens with backlog 0 and never calls accept(); Node would always accept.
      py = spawn(
        'python3',
        [
          '-c',
          'import socket,sys,time\ns=socket.socket()\ns.bind(("127.0.0.1",0))\ns.listen(0)\n' +
            'print(s.getsockname()[1],flush=True)\nsys.stdin.read()',
        ],
        { stdio: ['pipe', 'pipe', 'ignore'] },
      );
      port = await new Promise<number>((resolve) => {
        py?.once('error', () => resolve(0));
        py?.stdout?.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      });
      if (!port) {
        unavailable = 'python3 not available';
        return;
      }
      // Fill the accept queue with connections that stay open.
      for (let i = 0; i < 3; i++) {
        const c = connect(port, '127.0.0.1');
        c.on('error', () => {});
        held.push(c);
      }
      await new Promise((r) => setTimeout(r, 200));
    });
    after(() => {
      for (const c of held) c.destroy();
      py?.kill();
    });

    test('the connect times out after timeoutMs', async (t) => {
      if (unavailable) return t.skip(unavailable);
      const t0 = performance.now();
      const r = await prober.probe({ address: '127.0.0.1', port, timeoutMs: 300 });
      const took = performance.now() - t0;
      assert.equal(r.ok, false);
      assert.equal(r.code, 'ETIMEDOUT');
      assert.ok(took >= 295 && took < 2000, `took ${took} ms`);
      assert.ok(r.latencyUs >= 295_000);
    });

    test('abort cancels an in-flight connect', async (t) => {
      if (unavailable) return t.skip(unavailable);
      const ac = new AbortController();
      const p = prober.probe({ address: '127.0.0.1', port, timeoutMs: 5000 }, ac.signal);
      assert.equal(prober.pending, 1);
      setTimeout(() => ac.abort(), 20);
      const r = await p;
      assert.equal(r.code, 'ECANCELED');
      assert.equal(prober.pending, 0);
    });
  });
});

test('errnoCode names Linux errno values', () => {
  assert.equal(errnoCode(111), 'ECONNREFUSED');
  assert.equal(errnoCode(110), 'ETIMEDOUT');
  assert.equal(errnoCode(0), '');
});
