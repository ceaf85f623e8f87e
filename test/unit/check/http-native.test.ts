// HTTP_GET on the addon's TcpProber.exchange (src/check/http.ts) against loopback servers:
// status, digest, regex, a server that keeps the connection open (Content-Length ends the
// body), refused and silent servers (connect / read timeouts), a blocked event loop that
// must not turn a reply that came in time into a timeout, and the node:net path giving the
// same verdicts. Skipped when the addon has no exchange().
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { HttpChecker } from '../../../src/config/lvs/types.js';
import { probeHttp } from '../../../src/check/http.js';
import { sharedTcpProber } from '../../../src/os/tcp-prober.js';
import { parse } from '../config/helpers.js';

const prober = sharedTcpProber();
const skip = prober?.canExchange ? false : 'native addon without TcpProber.exchange';
const BODY = 'hello from the real server\n';
const MD5 = createHash('md5').update(BODY).digest('hex');

/** Answers by path: /ok 200, /bad 503, /keep 200 without closing, /silent never. */
function server(): Promise<Server> {
  const conns = new Set<Socket>();
  const s = createServer((c) => {
    conns.add(c);
    c.on('close', () => conns.delete(c));
    c.on('error', () => undefined);
    c.once('data', (d) => {
      const path = /^GET (\S+)/.exec(d.toString())?.[1] ?? '';
      const head = (code: string): string =>
        `HTTP/1.0 ${code}\r\nContent-Length: ${BODY.length}\r\n\r\n`;
      if (path === '/ok') c.end(head('200 OK') + BODY);
      else if (path === '/bad') c.end(head('503 Unavailable') + BODY);
      else if (path === '/keep') c.write(head('200 OK') + BODY);
      // '/silent': nothing.
    });
  });
  s.on('close', () => conns.forEach((c) => c.destroy()));
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

function checker(port: number, url: string, timeout = 1): HttpChecker {
  const { config } = parse(`
virtual_server 192.0.2.100 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 127.0.0.1 ${port} {
    HTTP_GET {
      connect_timeout ${timeout}
      url {
${url}
      }
    }
  }
}
`);
  const c = config.lvs.virtualServers[0]?.realServers[0]?.checkers[0];
  assert.ok(c && c.type === 'HTTP_GET', 'parsed an HTTP_GET');
  return c;
}

describe('HTTP_GET through TcpProber.exchange', { skip }, () => {
  let web: Server;
  let port = 0;
  before(async () => {
    web = await server();
    const a = web.address();
    assert.ok(a && typeof a === 'object');
    port = a.port;
  });
  after(() => web.close());
  const run = (c: HttpChecker, native = true) =>
    probeHttp(
      c,
      { inheritedVhost: null, ssl: null, prober: native ? prober : null },
      new AbortController().signal,
    );

  test('status, digest and regex verdicts match the node:net path', async () => {
    const cases: Array<[string, boolean, string]> = [
      [`path /ok\nstatus_code 200\ndigest ${MD5}`, true, '1 url(s) passed'],
      ['path /bad\nstatus_code 200', false, 'HTTP status 503'],
      ['path /ok\ndigest 00000000000000000000000000000000', false, 'digest mismatch'],
      ['path /ok\nregex "real server"', true, '1 url(s) passed'],
      ['path /ok\nregex "^nothing"', false, 'regex did not match'],
    ];
    for (const [url, ok, reason] of cases) {
      const c = checker(port, url);
      const n = await run(c);
      assert.equal(n.ok, ok, `${url}: native ok`);
      assert.equal(n.reason, reason, `${url}: native reason`);
      const j = await run(c, false);
      assert.deepEqual([j.ok, j.reason], [n.ok, n.reason], `${url}: same on node:net`);
    }
  });

  test('a server that keeps the connection open: Content-Length ends the body', async () => {
    const r = await run(checker(port, `path /keep\ndigest ${MD5}`));
    assert.equal(r.ok, true, r.reason);
    assert.ok(r.latencyMs < 900, `finished before the read timeout (${r.latencyMs} ms)`);
  });

  test('refused, and a silent server → read timeout', async () => {
    const closed = await server();
    const a = closed.address();
    assert.ok(a && typeof a === 'object');
    await new Promise((r) => closed.close(r));
    const refused = await run(checker(a.port, 'path /ok'));
    assert.deepEqual([refused.ok, refused.reason], [false, 'connection refused']);
    const t0 = performance.now();
    const silent = await run(checker(port, 'path /silent', 0.3));
    assert.deepEqual([silent.ok, silent.reason], [false, 'read timeout']);
    assert.ok(performance.now() - t0 >= 290, 'waited for the timeout');
  });

  test('a blocked event loop does not turn a reply that came in time into a timeout', async () => {
    const c = checker(port, 'path /ok', 0.2);
    const p = run(c);
    // Busy for longer than connect_timeout: the reply arrives meanwhile, unread.
    const until = performance.now() + 500;
    while (performance.now() < until);
    const r = await p;
    assert.equal(r.ok, true, r.reason);
  });

  test('the node:net path survives the same lag (timers decide after the poll)', async () => {
    const c = checker(port, 'path /ok', 0.2);
    const p = run(c, false);
    const until = performance.now() + 500;
    while (performance.now() < until);
    const r = await p;
    assert.equal(r.ok, true, r.reason);
  });

  test('abort cancels the exchange', async () => {
    const ac = new AbortController();
    const p = probeHttp(
      checker(port, 'path /silent', 5),
      { inheritedVhost: null, ssl: null, prober },
      ac.signal,
    );
    setTimeout(() => ac.abort(), 20);
    const r = await p;
    assert.deepEqual([r.ok, r.reason], [false, 'aborted']);
  });
});
