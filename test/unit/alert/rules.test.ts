// rules.ts: which objects mail, with keepalived's precedence between their own smtp_alert and
// the global smtp_alert / smtp_alert_vrrp / smtp_alert_checker, on configs read by the parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  checkerMailDecision,
  groupAlerts,
  instanceAlerts,
  mailConfigured,
  realServerAlerts,
  vrrpMailDecision,
} from '../../../src/alert/rules.js';
import { load, parse } from '../config/helpers.js';

const inst = (name: string, extra = ''): string => `vrrp_instance ${name} {
  interface eth0
  virtual_router_id ${name === 'VI_1' ? 1 : 2}
  priority 100
  virtual_ipaddress {
    192.0.2.100/24
  }
  ${extra}
}
`;
const group = (extra = ''): string =>
  `vrrp_sync_group G {\n  group {\n    VI_1\n    VI_2\n  }\n  ${extra}\n}\n`;
const globals = (body: string): string => `global_defs {\n${body}\n}\n`;

const vrrp = (g: string, i1 = '', i2 = '', sg = ''): ReturnType<typeof load>['config'] =>
  load(globals(g) + inst('VI_1', i1) + inst('VI_2', i2) + group(sg)).config;

test('VRRP: unset everywhere → no mail', () => {
  const c = vrrp('');
  assert.equal(instanceAlerts(c, 'VI_1'), false);
  assert.equal(groupAlerts(c, 'G'), false);
});

test('VRRP: global smtp_alert turns instances and groups on', () => {
  const c = vrrp('smtp_alert');
  assert.equal(instanceAlerts(c, 'VI_1'), true);
  assert.equal(groupAlerts(c, 'G'), true);
});

test('VRRP: smtp_alert_vrrp wins over smtp_alert; the object wins over both', () => {
  const c = vrrp('smtp_alert\nsmtp_alert_vrrp false', 'smtp_alert', '', 'smtp_alert true');
  assert.equal(instanceAlerts(c, 'VI_1'), true, 'own flag');
  assert.equal(instanceAlerts(c, 'VI_2'), false, 'smtp_alert_vrrp false beats smtp_alert');
  assert.equal(groupAlerts(c, 'G'), true);
  const d = vrrp('smtp_alert false', 'smtp_alert false', '');
  assert.equal(instanceAlerts(d, 'VI_1'), false);
  assert.equal(instanceAlerts(d, 'nope'), false, 'unknown instance');
});

const lvs = (g: string, vsExtra = '', rs1 = '', rs2 = ''): ReturnType<typeof parse>['config'] =>
  parse(
    globals(g) +
      `virtual_server 203.0.113.100 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  ${vsExtra}
  real_server 192.0.2.11 80 {
    ${rs1}
    TCP_CHECK {
    }
  }
  real_server 192.0.2.12 80 {
    ${rs2}
    TCP_CHECK {
    }
  }
}
`,
  ).config;
const VS = '[203.0.113.100]:tcp:80';

test('real servers mail by default (unlike everything else)', () => {
  const c = lvs('');
  assert.equal(realServerAlerts(c, VS, '[192.0.2.11]:tcp:80'), true);
  assert.equal(realServerAlerts(c, VS, '[192.0.2.99]:tcp:80'), false, 'unknown RS');
  assert.equal(realServerAlerts(c, '[203.0.113.1]:tcp:80', '[192.0.2.11]:tcp:80'), false);
});

test('real servers: smtp_alert_checker beats smtp_alert; own flag beats both; VS flag does not apply', () => {
  let c = lvs('smtp_alert false');
  assert.equal(realServerAlerts(c, VS, '[192.0.2.11]:tcp:80'), false);
  c = lvs('smtp_alert false\nsmtp_alert_checker true');
  assert.equal(realServerAlerts(c, VS, '[192.0.2.11]:tcp:80'), true);
  c = lvs('smtp_alert_checker false', 'smtp_alert true', 'smtp_alert true');
  assert.equal(realServerAlerts(c, VS, '[192.0.2.11]:tcp:80'), true);
  assert.equal(realServerAlerts(c, VS, '[192.0.2.12]:tcp:80'), false);
  c = lvs('', 'smtp_alert false');
  assert.equal(realServerAlerts(c, VS, '[192.0.2.12]:tcp:80'), true);
});

test('mail needs recipients and a server', () => {
  const base = 'notification_email {\n  ops@example.org\n}\n';
  assert.equal(mailConfigured(lvs(base + 'smtp_server 192.0.2.25').global), true);
  assert.equal(mailConfigured(lvs(base).global), false);
  assert.equal(mailConfigured(lvs('smtp_server 192.0.2.25').global), false);
  const g = lvs(base + 'smtp_server 2001:db8::25 2525').global;
  assert.deepEqual(g.smtpServer, { host: '2001:db8::25', port: 2525 });
});

test('VRRP: same state twice is mailed once; no_email_faults skips FAULT without forgetting', () => {
  let d = vrrpMailDecision(undefined, 'BACKUP', true, false);
  assert.deepEqual(d, { send: true, lastMailed: 'BACKUP' });
  d = vrrpMailDecision(d.lastMailed, 'BACKUP', true, false);
  assert.equal(d.send, false);
  d = vrrpMailDecision('BACKUP', 'FAULT', true, true);
  assert.deepEqual(d, { send: false, lastMailed: 'BACKUP' });
  assert.equal(vrrpMailDecision(d.lastMailed, 'BACKUP', true, true).send, false);
  assert.equal(vrrpMailDecision(d.lastMailed, 'MASTER', true, true).send, true);
  assert.equal(vrrpMailDecision('BACKUP', 'FAULT', true, false).send, true);
  assert.equal(vrrpMailDecision(undefined, 'MASTER', false, false).send, false);
});

test('checkers: a change that moves the real server always mails; others unless no_checker_emails', () => {
  assert.equal(checkerMailDecision(true, true, true), true);
  assert.equal(checkerMailDecision(false, true, true), false);
  assert.equal(checkerMailDecision(false, true, false), true);
  assert.equal(checkerMailDecision(false, false, false), false);
});
