import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, vs } from './helpers.js';

test('a complete VS parses with no diagnostics and resolved defaults', () => {
  const { config, msgs, rc } = parse(
    vs('  real_server 10.0.0.2 80 {\n    TCP_CHECK {\n    }\n  }'),
  );
  assert.deepEqual(msgs, []);
  assert.equal(rc, 0);
  const v = config.lvs.virtualServers[0];
  assert.deepEqual(v.key, { kind: 'address', address: '10.0.0.1', family: 4, port: 80 });
  assert.equal(v.scheduler, 'rr');
  assert.equal(v.delayLoop, 60);
  assert.equal(v.connectTimeout, 5);
  assert.equal(v.quorum, 1);
  const rs = v.realServers[0];
  assert.equal(rs.weight, 1);
  assert.equal(rs.forwarding?.method, 'NAT');
  assert.equal(rs.smtpAlert, true, 'real servers alert by default');
  assert.equal(v.smtpAlert, false);
  assert.doesNotThrow(() => JSON.parse(JSON.stringify(config.lvs)));
});

test('no protocol → UDP with an error (exit 5)', () => {
  const { config, msgs, rc } = parse(
    vs('  real_server 10.0.0.2 80 {\n  }', 'lb_algo rr\n  lb_kind NAT'),
  );
  assert.equal(config.lvs.virtualServers[0].protocol, 'UDP');
  assert.ok(
    msgs.includes('Virtual server [10.0.0.1]:none:80: no protocol set - defaulting to UDP'),
  );
  assert.equal(rc, 5);
});

test('no lb_algo → wlc, no lb_kind → NAT, both reported', () => {
  const { config, msgs } = parse(vs('  real_server 10.0.0.2 80 {\n  }', 'protocol TCP'));
  const v = config.lvs.virtualServers[0];
  assert.equal(v.scheduler, 'wlc');
  assert.equal(v.forwarding?.method, 'NAT');
  assert.ok(msgs.some((m) => m.includes("no scheduler set, setting default 'wlc'")));
  assert.ok(msgs.some((m) => m.includes('no forwarding method set, setting default NAT')));
});

test('lvs_sched / lvs_method are aliases; bad scheduler ignored then defaulted', () => {
  const ok = parse(
    vs(
      '  real_server 10.0.0.2 80 {\n  }',
      'lvs_sched mh\n  mh-port\n  lvs_method DR\n  protocol TCP',
    ),
  );
  const v = ok.config.lvs.virtualServers[0];
  assert.equal(v.scheduler, 'mh');
  assert.deepEqual(v.schedFlags, ['mh-port']);
  assert.equal(v.forwarding?.method, 'DR');
  const bad = parse(
    vs('  real_server 10.0.0.2 80 {\n  }', 'lb_algo foo\n  lb_kind NAT\n  protocol TCP'),
  );
  assert.ok(bad.msgs.includes("Invalid lvs_scheduler 'foo' - ignoring"));
  assert.equal(bad.config.lvs.virtualServers[0].scheduler, 'wlc');
});

test('sh-port with a non-sh scheduler is reported', () => {
  const { msgs, config } = parse(
    vs('  real_server 10.0.0.2 80 {\n  }', 'lb_algo rr\n  sh-port\n  lb_kind NAT\n  protocol TCP'),
  );
  assert.ok(msgs.includes('sh-port only applies to sh scheduler - ignoring'));
  assert.deepEqual(config.lvs.virtualServers[0].schedFlags, []);
});

test('TUN options: gue needs a port; ipip refuses checksums', () => {
  const a = parse(
    vs(
      '  real_server 10.0.0.2 80 {\n  }',
      'lb_algo rr\n  lvs_method TUN type gue port 6080 csum\n  protocol TCP',
    ),
  );
  assert.deepEqual(a.config.lvs.virtualServers[0].forwarding, {
    method: 'TUN',
    tunnelType: 'gue',
    tunnelPort: 6080,
    tunnelChecksum: 'csum',
  });
  const b = parse(
    vs('  real_server 10.0.0.2 80 {\n  }', 'lb_algo rr\n  lvs_method TUN type gue\n  protocol TCP'),
  );
  assert.ok(b.msgs.includes('gue tunnels require port, otherwise cannot have port.'));
  assert.equal(b.config.lvs.virtualServers[0].forwarding?.tunnelType, 'ipip');
  const c = parse(
    vs('  real_server 10.0.0.2 80 {\n  }', 'lb_algo rr\n  lvs_method TUN csum\n  protocol TCP'),
  );
  assert.ok(c.msgs.includes('ipip tunnels do not support checksum option.'));
});

test('persistence_timeout without a value is 360; out of range is reported', () => {
  const a = parse(
    vs(
      '  real_server 10.0.0.2 80 {\n  }',
      'lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  persistence_timeout',
    ),
  );
  assert.equal(a.config.lvs.virtualServers[0].persistenceTimeout, 360);
  const b = parse(
    vs(
      '  real_server 10.0.0.2 80 {\n  }',
      'lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  persistence_timeout 9999999',
    ),
  );
  assert.ok(b.msgs.includes('persistence_timeout invalid'));
  assert.equal(b.config.lvs.virtualServers[0].persistenceTimeout, 0);
});

test('a zero port sets persistence with an error', () => {
  const text = vs('  real_server 10.0.0.2 80 {\n  }').replace('10.0.0.1 80', '10.0.0.1 0');
  const { config, msgs } = parse(text);
  assert.equal(config.lvs.virtualServers[0].persistenceTimeout, 360);
  assert.ok(msgs.some((m) => m.endsWith('zero port only valid for persistent services - setting')));
});

test('quorum above the weight sum is reduced; hysteresis clamped below quorum', () => {
  const { config, msgs } = parse(
    vs(
      '  real_server 10.0.0.2 80 {\n    weight 3\n  }',
      'lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  quorum 5\n  hysteresis 7',
    ),
  );
  const v = config.lvs.virtualServers[0];
  assert.equal(v.quorum, 3);
  assert.equal(v.hysteresis, 2);
  assert.equal(msgs.length, 2);
});

test('quorum 0 is reported and set to 1', () => {
  const { config, msgs } = parse(
    vs('  real_server 10.0.0.2 80 {\n  }', 'lb_algo rr\n  lb_kind NAT\n  protocol TCP\n  quorum 0'),
  );
  assert.ok(msgs.some((m) => m.startsWith('Quorum 0 must be in [1, 4294967295]')));
  assert.equal(config.lvs.virtualServers[0].quorum, 1);
});

test('a VS without real servers is kept unusable (exit 5)', () => {
  const { config, rc, msgs } = parse(vs(''));
  const v = config.lvs.virtualServers[0];
  assert.equal(v.usable, false);
  assert.equal(v.why, 'no real servers');
  assert.ok(msgs.includes('Virtual server [10.0.0.1]:tcp:80 has no real servers - ignoring'));
  assert.equal(rc, 5);
});

test('an invalid VS address is kept unusable and its block skipped', () => {
  const { config, msgs } = parse('virtual_server 10.0.0.300 80 {\n  bogus\n}\n');
  assert.equal(config.lvs.virtualServers[0].usable, false);
  assert.deepEqual(msgs, ['Invalid virtual server IP address/port 10.0.0.300/80 - skipping']);
});

test('fwmark VS: protocol ignored, DR real server port cleared', () => {
  const { config, msgs } = parse(
    'virtual_server fwmark 7 {\n  lb_algo rr\n  lb_kind DR\n  protocol TCP\n  real_server 10.0.0.2 80 {\n  }\n}\n',
  );
  const v = config.lvs.virtualServers[0];
  assert.deepEqual(v.key, { kind: 'fwmark', fwmark: 7 });
  assert.equal(v.protocol, null);
  assert.equal(v.family, 4);
  assert.equal(v.realServers[0].port, 0);
  assert.ok(
    msgs.includes(
      'Warning: Virtual server FWM 7: protocol specified for fwmark - protocol will be ignored',
    ),
  );
});

test('sorry server inherits forwarding and VS port; inhibit before sorry_server is reported', () => {
  const { config, msgs } = parse(
    vs(
      '  sorry_server_inhibit\n  sorry_server 10.0.0.9\n  sorry_server_lvs_method DR\n  real_server 10.0.0.2 80 {\n  }',
    ),
  );
  const ss = config.lvs.virtualServers[0].sorryServer;
  assert.ok(msgs.includes('Ignoring sorry_server inhibit used before or without sorry_server'));
  assert.equal(ss?.forwarding?.method, 'DR');
  assert.equal(ss?.port, 80);
  assert.equal(ss?.inhibit, false);
});

test('ha_suspend with a fwmark is cleared', () => {
  const { config, msgs } = parse(
    'virtual_server fwmark 1 {\n  lb_algo rr\n  lb_kind NAT\n  ha_suspend\n  real_server 10.0.0.2 80 {\n  }\n}\n',
  );
  assert.equal(config.lvs.virtualServers[0].haSuspend, false);
  assert.ok(
    msgs.some((m) => m.endsWith('cannot use ha_suspend with fwmarks - clearing ha_suspend')),
  );
});

test('top-level SSL block and duplicate replacement', () => {
  const { config, msgs } = parse(
    'SSL {\n  password pw\n  ca /etc/ca.pem\n  certificate /c.pem\n  key /k.pem\n  ca /other.pem\n}\n',
  );
  assert.deepEqual(
    { ...config.lvs.ssl, pos: undefined },
    { password: 'pw', ca: '/other.pem', certificate: '/c.pem', key: '/k.pem', pos: undefined },
  );
  assert.deepEqual(msgs, ['SSL cafile already specified - replacing']);
});

test('diagnostics carry positions', () => {
  const { diag } = parse(vs('  real_server 10.0.0.2 80 {\n    weight x\n  }'));
  const d = diag.items.find((i) => i.message.startsWith('Real server weight'));
  assert.deepEqual(d?.pos, { file: 't.conf', line: 6, col: 12 });
});
