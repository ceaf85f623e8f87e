import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from './helpers.js';

const groupVs = (name: string, kind = 'NAT') =>
  `virtual_server group ${name} {\n  lb_algo rr\n  lb_kind ${kind}\n  protocol TCP\n  real_server 10.0.0.2 80 {\n  }\n}\n`;

test('VSG grammar: address, short range, full range, prefix, fwmark with family', () => {
  const { config, msgs } = parse(
    'virtual_server_group G {\n  10.0.0.1 80\n  10.0.1.1-10 80\n  10.0.2.1-10.0.2.9 443\n  10.0.3.0/30 80\n  2001:db8::1-ff 80\n  fwmark 5 inet\n  fwmark 6 inet6\n}\n',
  );
  assert.deepEqual(msgs, []);
  const e = config.lvs.virtualServerGroups.G.entries.map((x) => ({ ...x, pos: undefined }));
  assert.deepEqual(e, [
    { kind: 'range', start: '10.0.0.1', end: '10.0.0.1', family: 4, port: 80, pos: undefined },
    { kind: 'range', start: '10.0.1.1', end: '10.0.1.10', family: 4, port: 80, pos: undefined },
    { kind: 'range', start: '10.0.2.1', end: '10.0.2.9', family: 4, port: 443, pos: undefined },
    { kind: 'range', start: '10.0.3.0', end: '10.0.3.3', family: 4, port: 80, pos: undefined },
    {
      kind: 'range',
      start: '2001:db8::1',
      end: '2001:db8:0:0:0:0:0:ff',
      family: 6,
      port: 80,
      pos: undefined,
    },
    { kind: 'fwmark', fwmark: 5, family: 4, pos: undefined },
    { kind: 'fwmark', fwmark: 6, family: 6, pos: undefined },
  ]);
});

test('bad VSG entries are skipped with keepalived messages', () => {
  const { msgs } = parse(
    'virtual_server_group G {\n  10.0.1.10-5 80\n  10.0.2.9-10.0.2.1\n  10.0.3.1/30\n  fwmark 1 ipx\n  1.2.3 80\n  10.0.0.1 80\n}\n',
  );
  assert.deepEqual(msgs, [
    'Address range end is not greater than address range start - 10.0.1.10-5 - skipping',
    'Address range end is less than address range start - 10.0.2.9-10.0.2.1 - skipping',
    'Address mask bits not empty - 10.0.3.1/30 - skipping',
    "(G): fwmark '1' family ipx unknown - ignoring",
    'Invalid virtual server group IP address 1.2.3/port/80 - skipping',
  ]);
});

test('an empty group is unusable, and its VS is dropped with a log line only', () => {
  const { config, diag } = parse('virtual_server_group G {\n  10.0.1.10-5 80\n}\n' + groupVs('G'));
  assert.equal(config.lvs.virtualServerGroups.G.usable, false);
  assert.equal(config.lvs.virtualServers[0].usable, false);
  const last = diag.items[diag.items.length - 1];
  assert.equal(last.klass, 'info');
  assert.match(last.message, /Virtual server group G specified but not configured/);
});

test('a VS naming an undefined group is dropped with info only (keepalived exits 0)', () => {
  const { config, rc } = parse(groupVs('NOPE'));
  assert.equal(config.lvs.virtualServers[0].usable, false);
  assert.equal(rc, 0);
});

test('mixing IPv4, IPv6 and a family-less fwmark makes the group unusable', () => {
  const { config, msgs } = parse(
    'virtual_server_group G {\n  10.0.0.1 80\n  2001:db8::1 80\n  fwmark 3\n}\n',
  );
  assert.equal(config.lvs.virtualServerGroups.G.usable, false);
  assert.ok(
    msgs.includes(
      'virtual server group G cannot have IPv4, IPv6 and fwmark without family - removing',
    ),
  );
});

test('a group with fwmarks warns about DR real-server ports', () => {
  const { config, msgs, rc } = parse(
    'virtual_server_group G1 {\n  10.0.0.1 80\n  fwmark 5 inet\n}\n' + groupVs('G1', 'DR'),
  );
  assert.equal(config.lvs.virtualServers[0].usable, true);
  assert.deepEqual(msgs, [
    'WARNING - fwmark virtual server [G1]:0, real server [10.0.0.2]:tcp:80 has port specified - port will be ignored',
  ]);
  assert.equal(rc, 5);
});

test('a group entry without a port makes the service persistent', () => {
  const { config } = parse('virtual_server_group G {\n  10.0.0.1\n}\n' + groupVs('G'));
  assert.equal(config.lvs.virtualServers[0].persistenceTimeout, 360);
});
