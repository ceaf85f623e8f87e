import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts } from '../../../src/config/host-facts.js';
import { HOST, parse, vs } from './helpers.js';

test('a duplicate real server is reported and the second kept unusable', () => {
  const { config, msgs, rc } = parse(
    vs('  real_server 10.0.0.2 80 {\n  }\n  real_server 10.0.0.2 80 {\n  }'),
  );
  const [a, b] = config.lvs.virtualServers[0].realServers;
  assert.equal(a.usable, true);
  assert.equal(b.usable, false);
  assert.equal(b.why, 'duplicate real server');
  assert.deepEqual(msgs, [
    'VS [10.0.0.1]:tcp:80: real server [10.0.0.2]:tcp:80 is duplicated - removing second rs',
  ]);
  assert.equal(rc, 5);
});

test('RS weight defaults to the VS weight; an explicit weight wins', () => {
  const { config } = parse(
    vs(
      '  weight 4\n  real_server 10.0.0.2 80 {\n  }\n  real_server 10.0.0.3 80 {\n    weight 0\n  }',
    ),
  );
  const [a, b] = config.lvs.virtualServers[0].realServers;
  assert.equal(a.weight, 4);
  assert.equal(b.weight, 0);
});

test('timing inherits VS → RS → checker', () => {
  const text = vs(
    '  delay_loop 10\n  connect_timeout 2\n  retry 4\n  real_server 10.0.0.2 80 {\n    delay_before_retry 7\n    TCP_CHECK {\n      warmup 1.5\n    }\n    TCP_CHECK {\n      delay_loop 3\n      retry 9\n      connect_timeout 0.5\n    }\n  }',
  );
  const rs = parse(text).config.lvs.virtualServers[0].realServers[0];
  assert.equal(rs.delayLoop, 10);
  const [c1, c2] = rs.checkers;
  assert.equal(c1.delayLoop, 10);
  assert.equal(c1.retry, 4);
  assert.equal(c1.warmup, 1.5);
  assert.equal(c1.delayBeforeRetry, 7);
  assert.equal(c1.type === 'TCP_CHECK' && c1.conn.connectTimeout, 2);
  assert.equal(c2.delayLoop, 3);
  assert.equal(c2.retry, 9);
  assert.equal(c2.warmup, 3, 'warmup defaults to the checker delay_loop');
  assert.equal(c2.type === 'TCP_CHECK' && c2.conn.connectTimeout, 0.5);
});

test('the RS port defaults to the VS port; DR with another port is reset', () => {
  const { config, msgs } = parse(
    vs('  real_server 10.0.0.2 {\n  }\n  real_server 10.0.0.3 8080 {\n    lvs_method DR\n  }'),
  );
  const [a, b] = config.lvs.virtualServers[0].realServers;
  assert.equal(a.port, 80);
  assert.equal(b.port, 80);
  assert.ok(msgs.some((m) => m.endsWith("ports don't match - resetting")));
});

test('an RS of the other family is skipped (unless TUN)', () => {
  const { config, msgs } = parse(
    vs(
      '  real_server 2001:db8::2 80 {\n  }\n  real_server 2001:db8::3 80 {\n    lvs_method TUN\n  }\n  real_server 10.0.0.2 80 {\n  }',
    ),
  );
  const [a, b, c] = config.lvs.virtualServers[0].realServers;
  assert.equal(a.usable, false);
  assert.equal(b.usable, true);
  assert.equal(c.usable, true);
  assert.ok(
    msgs.includes(
      "Address family of virtual server and real server 2001:db8::2 don't match - skipping real server.",
    ),
  );
});

test('RS keywords: thresholds, inhibit, notify scripts, duplicates reported', () => {
  const { config, msgs } = parse(
    vs(
      '  real_server 10.0.0.2 80 {\n    uthreshold 100\n    lthreshold 10\n    inhibit_on_failure\n    notify_up "/bin/up.sh arg" root\n    notify_up /x\n    smtp_alert off\n    alpha no\n  }',
    ),
    { ...HOST, scriptFile: () => 'ok' } as HostFacts,
  );
  const rs = config.lvs.virtualServers[0].realServers[0];
  assert.equal(rs.uThreshold, 100);
  assert.equal(rs.lThreshold, 10);
  assert.equal(rs.inhibitOnFailure, true);
  assert.equal(rs.notifyUp?.command, '"/bin/up.sh arg" root');
  assert.deepEqual(rs.notifyUp?.argv, ['/bin/up.sh', 'arg']);
  assert.equal(rs.notifyUp?.user, 'root');
  assert.equal(rs.smtpAlert, false);
  assert.equal(rs.alpha, false);
  assert.ok(msgs.includes('((null)) notify_up script already specified - ignoring /x'));
});

test('RS weight range is 0..INT32_MAX (keepalived accepts 70000)', () => {
  const ok = parse(vs('  real_server 10.0.0.2 80 {\n    weight 70000\n  }'));
  assert.equal(ok.config.lvs.virtualServers[0].realServers[0].weight, 70000);
  assert.equal(ok.rc, 0);
  const bad = parse(vs('  real_server 10.0.0.2 80 {\n    weight -1\n  }'));
  assert.ok(bad.msgs.includes('Real server weight -1 is outside range 0-2147483647'));
});

test('an invalid real_server address is kept unusable and its block skipped', () => {
  const { config, msgs } = parse(
    vs('  real_server nothost 80 {\n    nonsense\n  }\n  real_server 10.0.0.2 80 {\n  }'),
  );
  const [a, b] = config.lvs.virtualServers[0].realServers;
  assert.equal(a.usable, false);
  assert.equal(b.usable, true);
  assert.deepEqual(msgs, ['Invalid real server ip address/port nothost/80 - skipping']);
});

test('unknown keywords in a real_server are reported (exit 5)', () => {
  const { msgs, rc } = parse(vs('  real_server 10.0.0.2 80 {\n    foo_bar 1\n  }'));
  assert.deepEqual(msgs, ["Unknown keyword 'foo_bar'"]);
  assert.equal(rc, 5);
});
