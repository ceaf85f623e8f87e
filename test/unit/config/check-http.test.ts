import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts } from '../../../src/config/host-facts.js';
import { parse, vs } from './helpers.js';

const rsWith = (checker: string) => vs(`  real_server 10.0.0.2 80 {\n${checker}\n  }`);
const first = (text: string, host?: HostFacts) => {
  const r = parse(text, host);
  return { ...r, c: r.config.lvs.virtualServers[0].realServers[0].checkers[0] };
};

test('HTTP_GET defaults: status 200-299, HTTP/1.0, retry 1, delay_before_retry 3 s', () => {
  const { c, msgs } = first(
    rsWith('    HTTP_GET {\n      url {\n        path /health\n      }\n    }'),
  );
  assert.deepEqual(msgs, []);
  assert.equal(c.type, 'HTTP_GET');
  if (c.type !== 'HTTP_GET') return;
  assert.equal(c.usable, true);
  assert.equal(c.httpProtocol, '1.0');
  assert.deepEqual(c.urls[0].statusCodes, [[200, 299]]);
  assert.equal(c.retry, 1);
  assert.equal(c.delayBeforeRetry, 3);
  assert.equal(c.conn.connectIp, '10.0.0.2');
  assert.equal(c.conn.connectPort, 80);
  assert.equal(c.conn.connectTimeout, 5);
});

test('status_code ranges and bad values', () => {
  const { c, msgs } = first(
    rsWith(
      '    HTTP_GET {\n      url {\n        path /\n        status_code 200-204 301 700 300-299\n      }\n    }',
    ),
  );
  assert.deepEqual(msgs, [
    "Invalid HTTP_GET status code '700'",
    "Invalid HTTP_GET status code '300-299'",
  ]);
  assert.ok(c.type === 'HTTP_GET');
  if (c.type === 'HTTP_GET')
    assert.deepEqual(c.urls[0].statusCodes, [
      [200, 204],
      [301, 301],
    ]);
});

test('digest must be 32 hex digits and given once', () => {
  const good = 'a'.repeat(32);
  const { c, msgs } = first(
    rsWith(
      `    SSL_GET {\n      url {\n        path /\n        digest ${good}\n        digest ${good}\n        digest 1234\n      }\n    }`,
    ),
  );
  assert.equal(c.type, 'SSL_GET');
  if (c.type === 'SSL_GET') assert.equal(c.urls[0].digest, good);
  assert.deepEqual(msgs, [`Digest '${good}' is a duplicate`, "Digest '1234' is a duplicate"]);
});

test('HTTP_GET with no url is unusable (keepalived 2.2.7 crashes here)', () => {
  const { c, msgs, rc } = first(rsWith('    HTTP_GET {\n    }'));
  assert.equal(c.usable, false);
  assert.equal(c.why, 'no urls');
  assert.deepEqual(msgs, ['HTTP/SSL_GET checker has no urls specified - ignoring']);
  assert.equal(rc, 5);
});

test('a url without path is dropped, leaving the checker without urls', () => {
  const { c, msgs } = first(
    rsWith('    HTTP_GET {\n      url {\n        status_code 200\n      }\n    }'),
  );
  assert.equal(c.usable, false);
  assert.deepEqual(msgs, [
    'HTTP/SSL_GET checker url has no path - ignoring',
    'HTTP/SSL_GET checker has no urls specified - ignoring',
  ]);
});

test('a bad regex disables the checker with an info line only (exit 0)', () => {
  const { c, rc, diag } = first(
    rsWith('    HTTP_GET {\n      url {\n        path /\n        regex "a(b"\n      }\n    }'),
  );
  assert.equal(c.usable, false);
  assert.equal(c.why, 'invalid regex');
  assert.equal(diag.items[0].klass, 'info');
  assert.equal(rc, 0);
});

test('regex family: options, offsets, stack; parameters without regex are dropped', () => {
  const a = first(
    rsWith(
      '    HTTP_GET {\n      url {\n        path /\n        regex "^OK"\n        regex_options caseless bogus multiline\n        regex_no_match\n        regex_min_offset 2\n        regex_max_offset 40\n        regex_stack 32 64\n      }\n    }',
    ),
  );
  assert.ok(a.c.type === 'HTTP_GET');
  if (a.c.type === 'HTTP_GET') {
    const u = a.c.urls[0];
    assert.deepEqual(
      [u.regex, u.regexOptions, u.regexNoMatch, u.regexMinOffset, u.regexMaxOffset, u.regexStack],
      ['^OK', ['caseless', 'multiline'], true, 2, 40, { start: 32, max: 64 }],
    );
  }
  const b = first(
    rsWith(
      '    HTTP_GET {\n      url {\n        path /\n        regex_options caseless\n      }\n    }',
    ),
  );
  assert.deepEqual(b.msgs, ['regex parameters specified without regex']);
  assert.equal(b.rc, 0);
});

test('http_protocol, virtualhost, enable_sni, fast_recovery; nb_get_retry is deprecated but applied', () => {
  const { c, msgs } = first(
    rsWith(
      '    SSL_GET {\n      http_protocol 1.0c\n      virtualhost www.example.com\n      enable_sni\n      fast_recovery off\n      nb_get_retry 4\n      url {\n        path /\n        virtualhost other\n      }\n    }',
    ),
  );
  assert.deepEqual(msgs, ["nb_get_retry is deprecated - please use 'retry'"]);
  assert.ok(c.type === 'SSL_GET');
  if (c.type !== 'SSL_GET') return;
  assert.equal(c.httpProtocol, '1.0C');
  assert.equal(c.virtualhost, 'www.example.com');
  assert.equal(c.enableSni, true);
  assert.equal(c.fastRecovery, false);
  assert.equal(c.retry, 4);
  assert.equal(c.urls[0].virtualhost, 'other');
});

test('connection keywords and bindto/connect_ip family checks', () => {
  const { c, msgs } = first(
    rsWith(
      '    HTTP_GET {\n      connect_ip 10.0.0.5\n      connect_port 8080\n      bindto 2001:db8::1\n      bind_port 1000\n      bind_if eth0\n      fwmark 9\n      url {\n        path /\n      }\n    }',
    ),
  );
  assert.deepEqual(msgs, [
    'bindto address 2001:db8::1 does not match address family of connect_ip - skipping',
  ]);
  assert.ok(c.type === 'HTTP_GET');
  if (c.type === 'HTTP_GET') {
    assert.deepEqual(
      { ...c.conn },
      {
        connectIp: '10.0.0.5',
        connectPort: 8080,
        bindto: null,
        bindPort: 1000,
        bindIf: 'eth0',
        connectTimeout: 5,
        fwmark: 9,
      },
    );
  }
});
