import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostFacts } from '../../../src/config/host-facts.js';
import { HOST, parse, vs } from './helpers.js';

const rsWith = (checker: string, port = 80) =>
  vs(`  real_server 10.0.0.2 ${port} {\n${checker}\n  }`).replace(
    '10.0.0.1 80',
    `10.0.0.1 ${port}`,
  );
const checkers = (text: string, host?: HostFacts) => {
  const r = parse(text, host);
  return { ...r, cs: r.config.lvs.virtualServers[0].realServers[0].checkers };
};
const OK_FILES = { ...HOST, scriptFile: () => 'ok' } as HostFacts;

test('TCP_CHECK and PING_CHECK: retry 1, delay_before_retry 1 s', () => {
  const { cs, msgs } = checkers(
    rsWith('    TCP_CHECK {\n      connect_port 81\n    }\n    PING_CHECK {\n    }'),
  );
  assert.deepEqual(msgs, []);
  assert.deepEqual(
    cs.map((c) => [c.type, c.retry, c.delayBeforeRetry]),
    [
      ['TCP_CHECK', 1, 1],
      ['PING_CHECK', 1, 1],
    ],
  );
  assert.ok(cs[0].type === 'TCP_CHECK' && cs[0].conn.connectPort === 81);
});

test('an IPv6 link-local target without bind_if is unusable', () => {
  const text =
    'virtual_server 2001:db8::1 80 {\n  lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  real_server fe80::2 80 {\n    TCP_CHECK {\n    }\n  }\n}\n';
  const { cs, msgs } = checkers(text);
  assert.equal(cs[0].usable, false);
  assert.deepEqual(msgs, ['Checker link local address fe80::2 requires a bind_if']);
});

test('DNS_CHECK: defaults SOA, root name, retry 3, delay_before_retry = delay_loop', () => {
  const { cs, msgs } = checkers(rsWith('    DNS_CHECK {\n      delay_loop 12\n    }', 53));
  assert.deepEqual(msgs, []);
  const c = cs[0];
  assert.ok(c.type === 'DNS_CHECK');
  if (c.type !== 'DNS_CHECK') return;
  assert.deepEqual(
    [c.queryType, c.name, c.retry, c.delayBeforeRetry, c.warmup],
    ['SOA', '', 3, 12, 12],
  );
});

test('DNS_CHECK: bad type, empty label, name given twice', () => {
  const { cs, msgs } = checkers(
    rsWith(
      '    DNS_CHECK {\n      type aaaa\n      type FOO\n      name a..b\n      name example.org\n      name other.org\n    }',
      53,
    ),
  );
  assert.deepEqual(msgs, [
    'Unknown DNS check type FOO - ignoring',
    "DNS_CHECK name 'a..b' has empty label - ignoring",
    'DNS_CHECK name already specified - ignoring',
  ]);
  const c = cs[0];
  assert.ok(c.type === 'DNS_CHECK' && c.queryType === 'AAAA' && c.name === 'example.org');
});

test('UDP_CHECK: hex payload, wildcard reply, length defaults and the min>max warning', () => {
  const { cs, msgs } = checkers(
    rsWith(
      '    UDP_CHECK {\n      payload 0a 0B\n      require_reply 0aXX\n      min_reply_length 10\n      max_reply_length 5\n    }',
      53,
    ),
  );
  assert.deepEqual(msgs, ['UDP_CHECK min_reply length 10 > max_reply_length 5 - will always fail']);
  const c = cs[0];
  assert.ok(c.type === 'UDP_CHECK');
  if (c.type === 'UDP_CHECK')
    assert.deepEqual(
      [c.payload, c.requireReply, c.replyPattern, c.usable],
      ['0a0b', true, '0axx', true],
    );
  const d = checkers(rsWith('    UDP_CHECK {\n      payload xyz\n    }', 53));
  assert.deepEqual(d.msgs, ['Invalid hex string for UDP_CHECK payload']);
  const e = d.cs[0];
  assert.ok(e.type === 'UDP_CHECK' && e.minReplyLength === 0 && e.maxReplyLength === 255);
});

test('SMTP_CHECK: default HELO, deprecated host{} blocks kept as extra targets', () => {
  const { cs, diag, rc } = checkers(
    rsWith(
      '    SMTP_CHECK {\n      host {\n        connect_ip 10.0.0.3\n        connect_port 2525\n      }\n    }',
      25,
    ),
  );
  const c = cs[0];
  assert.ok(c.type === 'SMTP_CHECK');
  if (c.type !== 'SMTP_CHECK') return;
  assert.equal(c.heloName, 'smtpchecker.keepalived.org');
  assert.equal(c.hosts.length, 1);
  assert.equal(c.hosts[0].connectIp, '10.0.0.3');
  assert.equal(c.hosts[0].connectPort, 2525);
  assert.equal(c.hosts[0].connectTimeout, 5);
  assert.equal(diag.items[0].klass, 'info');
  assert.equal(rc, 0);
});

test('MISC_CHECK: retry 0, misc_path kept raw, timeout and dynamic', () => {
  const { cs } = checkers(
    rsWith(
      '    MISC_CHECK {\n      misc_path "/usr/bin/check it" --fast\n      misc_timeout 7\n      misc_dynamic\n      user root\n    }',
    ),
    OK_FILES,
  );
  const c = cs[0];
  assert.ok(c.type === 'MISC_CHECK');
  if (c.type !== 'MISC_CHECK') return;
  assert.deepEqual(
    [c.retry, c.script?.command, c.timeout, c.dynamic, c.user],
    [0, '"/usr/bin/check it" --fast', 7, true, 'root'],
  );
});

test('MISC_CHECK without misc_path, or with an unknown user, is unusable', () => {
  const a = checkers(rsWith('    MISC_CHECK {\n      misc_timeout 5\n    }'));
  assert.equal(a.cs[0].usable, false);
  assert.deepEqual(a.msgs, ['No script path has been specified for MISC_CHECKER - skipping']);
  const b = checkers(
    rsWith('    MISC_CHECK {\n      misc_path /bin/true\n      user nosuchuser\n    }'),
    OK_FILES,
  );
  assert.equal(b.cs[0].usable, false);
  assert.ok(b.msgs.includes('Failed to set uid/gid for misc checker script /bin/true - removing'));
});

test('FILE_CHECK needs a track_file defined above', () => {
  const later = checkers(rsWith('    FILE_CHECK {\n      track_file F1\n    }'));
  assert.equal(later.cs[0].usable, false);
  assert.deepEqual(later.msgs, [
    'track_file F1 not found',
    'FILE_CHECK has no track_file specified - ignoring',
  ]);
});

test('FILE_CHECK resolves a track_file from config.vrrp.trackFiles', () => {
  const text =
    'track_file F1 {\n  file /tmp/f1\n  weight 3\n}\n' +
    rsWith('    FILE_CHECK {\n      track_file F1\n      weight -5 reverse\n    }');
  const r = checkers(text);
  const trackFiles = (r.config.vrrp as { trackFiles?: Record<string, unknown> }).trackFiles;
  assert.ok(trackFiles && 'F1' in trackFiles);
  const c = r.cs[0];
  assert.ok(c.type === 'FILE_CHECK');
  if (c.type === 'FILE_CHECK')
    assert.deepEqual([c.usable, c.trackFile, c.weight, c.reverse], [true, 'F1', -5, true]);
  assert.equal(c.retry, null, 'FILE_CHECK has no probe timing');
});

test('FILE_CHECK without weight takes the track_file weight', () => {
  const text =
    'track_file F1 {\n  file /tmp/f1\n  weight 3 reverse\n}\n' +
    rsWith('    FILE_CHECK {\n      track_file F1\n    }');
  const r = checkers(text);
  const c = r.cs[0];
  assert.ok(c.type === 'FILE_CHECK');
  if (c.type === 'FILE_CHECK') assert.deepEqual([c.usable, c.weight, c.reverse], [true, 3, true]);
});

test('alpha inherits VS → RS → checker', () => {
  const { cs } = checkers(
    vs(
      '  alpha\n  real_server 10.0.0.2 80 {\n    TCP_CHECK {\n    }\n    TCP_CHECK {\n      alpha off\n    }\n  }',
    ),
  );
  assert.deepEqual(
    cs.map((c) => c.alpha),
    [true, false],
  );
});

test('common keywords: bad values keep defaults and are reported', () => {
  const { cs, msgs } = checkers(
    rsWith(
      '    TCP_CHECK {\n      retry -1\n      delay_loop 0\n      log_all_failures maybe\n    }',
    ),
  );
  assert.ok(msgs.includes("Invalid retry connection value '-1'"));
  assert.ok(msgs.includes("delay_loop '0' is invalid - ignoring"));
  assert.ok(msgs.includes('Invalid log_all_failures parameter maybe'));
  assert.equal(cs[0].retry, 1);
  assert.equal(cs[0].delayLoop, 60);
});

test('a quoted misc_path carries its arguments: the first word is split again, as keepalived does', () => {
  const { config } = parse(`
global_defs {
  enable_script_security
  script_user root
}
virtual_server 192.0.2.100 80 {
  protocol TCP
  real_server 192.0.2.11 80 {
    MISC_CHECK {
      misc_path "/bin/sh -c 'exit 0'"
    }
    notify_up "/bin/echo rs up"
  }
}
`);
  const rs = config.lvs.virtualServers[0].realServers[0];
  const misc = rs.checkers[0];
  assert.equal(misc.type, 'MISC_CHECK');
  assert.deepEqual(misc.type === 'MISC_CHECK' ? misc.script?.argv : null, [
    '/bin/sh',
    '-c',
    'exit 0',
  ]);
  assert.deepEqual(rs.notifyUp?.argv, ['/bin/echo', 'rs', 'up']);
});
