// subscriber.ts on the real bus with the SMTP conversation replaced by a recorder: which events
// become mails, in which words, and that a failing send is logged rather than thrown.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSmtpAlerts } from '../../../src/alert/subscriber.js';
import type { SmtpMail, SmtpResult } from '../../../src/alert/smtp-client.js';
import { publish, subscribe } from '../../../src/core/bus.js';
import '../../../src/check/events.js';
import { load } from '../config/helpers.js';

const CONF = (g: string): string => `global_defs {
  router_id lb1
  notification_email {
    ops@example.org
  }
  notification_email_from alerts@lb1.example.org
  smtp_server 192.0.2.25 2525
  smtp_connect_timeout 7
  ${g}
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 1
  priority 100
  smtp_alert
  virtual_ipaddress {
    192.0.2.100/24
  }
}
virtual_server 203.0.113.100 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    TCP_CHECK {
    }
    HTTP_GET {
      url {
        path /
        status_code 200
      }
    }
  }
}
`;
const VS = '[203.0.113.100]:tcp:80';
const RS = '[192.0.2.11]:tcp:80';

function harness(g = '', result: SmtpResult = { ok: true, transcript: [] }) {
  const { config } = load(CONF(g));
  const sent: SmtpMail[] = [];
  const logs: string[] = [];
  const offLog = subscribe('log', (e) => {
    if (e.subsystem === 'smtp') logs.push(`${e.level}: ${e.message}`);
  });
  const alerts = startSmtpAlerts(() => config, {
    send: (m) => {
      sent.push(m);
      return Promise.resolve(result);
    },
    now: () => new Date(Date.UTC(2026, 10, 23, 17, 0, 0)),
  });
  const done = async (): Promise<void> => {
    await new Promise((r) => setImmediate(r));
    await alerts.idle();
    alerts();
    offLog();
  };
  return { sent, logs, done };
}

const subjects = (sent: SmtpMail[]): string[] =>
  sent.map((m) => /^Subject: (.*)\r$/m.exec(m.message)?.[1] ?? '');

type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP' | 'DELETED';
// The VRRP notifier's event for VI_1 entering `to` (the second argument documents the change).
const transition = (to: NotifyState, _from = 'BACKUP'): void =>
  publish('vrrp:notify', { kind: 'INSTANCE', name: 'VI_1', state: to, priority: 100 });

test('VRRP transitions: one mail per new state, through the configured server', async () => {
  const h = harness();
  transition('BACKUP', 'INIT');
  transition('MASTER');
  transition('MASTER');
  transition('FAULT', 'MASTER');
  await h.done();
  assert.deepEqual(subjects(h.sent), [
    '[lb1] VRRP Instance VI_1 - Entering BACKUP state',
    '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    '[lb1] VRRP Instance VI_1 - Entering FAULT state',
  ]);
  const m = h.sent[0];
  assert.equal(m?.host, '192.0.2.25');
  assert.equal(m?.port, 2525);
  assert.equal(m?.timeoutMs, 7000);
  assert.equal(m?.from, 'alerts@lb1.example.org');
  assert.deepEqual(m?.to, ['ops@example.org']);
  assert.match(m?.message ?? '', /^Date: .*\r\nFrom: alerts@lb1\.example\.org\r\n/);
  assert.match(
    m?.message ?? '',
    /\r\nX-Mailer: stayalive\r\nTo: ops@example\.org\r\n\r\n=> VRRP Instance is no longer owning VRRP VIPs <=\r\n$/,
  );
  assert.equal(h.logs.length, 3);
});

test('STOP at shutdown is mailed; DELETED for an instance a reload removed, by its old flag', async () => {
  const h = harness();
  transition('MASTER');
  transition('STOP', 'MASTER');
  await h.done();
  assert.deepEqual(subjects(h.sent), [
    '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    '[lb1] VRRP Instance VI_1 - Stopping',
  ]);
  assert.ok(h.sent[1]?.message.endsWith('\r\n\r\n=> VRRP Instance stopping <=\r\n'));
  // A reload removed VI_1: the config the mailer reads no longer has it, its old flag holds.
  const before = load(CONF('')).config;
  const after = load(CONF('').replace(/vrrp_instance VI_1 \{[\s\S]*?\n\}\n/, '')).config;
  assert.equal(after.vrrp.instances.VI_1, undefined);
  let current = before;
  const sent: SmtpMail[] = [];
  const alerts = startSmtpAlerts(() => current, {
    send: (m) => {
      sent.push(m);
      return Promise.resolve({ ok: true, transcript: [] });
    },
  });
  transition('MASTER');
  current = after;
  transition('DELETED', 'MASTER');
  publish('vrrp:notify', { kind: 'INSTANCE', name: 'VI_9', state: 'DELETED', priority: 0 });
  await new Promise((r) => setImmediate(r));
  await alerts.idle();
  alerts();
  assert.deepEqual(subjects(sent), [
    '[lb1] VRRP Instance VI_1 - Entering MASTER state',
    '[lb1] VRRP Instance VI_1 - Deleted',
  ]);
});

test('no_email_faults: FAULT is not mailed', async () => {
  const h = harness('no_email_faults');
  transition('FAULT');
  transition('MASTER', 'FAULT');
  await h.done();
  assert.deepEqual(subjects(h.sent), ['[lb1] VRRP Instance VI_1 - Entering MASTER state']);
});

test('real server down and up: mails with the checker that did it; start and weight are silent', async () => {
  const h = harness();
  publish('rs:state', { vs: VS, rs: RS, up: true, weight: 1, reason: 'start', cause: 'start' });
  publish('check:result', {
    vs: VS,
    rs: RS,
    checker: 'TCP_CHECK#0',
    ok: false,
    reason: 'connection refused',
    latencyMs: 1,
    up: false,
    retrying: false,
  });
  publish('rs:state', {
    vs: VS,
    rs: RS,
    up: false,
    weight: 0,
    reason: 'connection refused',
    cause: 'change',
  });
  publish('rs:state', { vs: VS, rs: RS, up: false, weight: 0, reason: 'x', cause: 'weight' });
  await h.done();
  assert.deepEqual(subjects(h.sent), [`[lb1] Realserver ${RS} of virtual server ${VS} - DOWN`]);
  assert.ok(h.sent[0]?.message.endsWith('\r\n\r\n=> TCP CHECK failed on service <=\r\n'));
});

test('a second checker failing while the server is already down mails unless no_checker_emails', async () => {
  const fail2 = (): void => {
    publish('rs:state', { vs: VS, rs: RS, up: true, weight: 1, reason: 'start', cause: 'start' });
    publish('check:result', {
      vs: VS,
      rs: RS,
      checker: 'TCP_CHECK#0',
      ok: false,
      reason: 'refused',
      latencyMs: 1,
      up: false,
      retrying: false,
    });
    publish('rs:state', {
      vs: VS,
      rs: RS,
      up: false,
      weight: 0,
      reason: 'refused',
      cause: 'change',
    });
    publish('check:result', {
      vs: VS,
      rs: RS,
      checker: 'HTTP_GET#1',
      ok: false,
      reason: 'HTTP status 500',
      latencyMs: 1,
      up: false,
      retrying: false,
    });
  };
  let h = harness();
  fail2();
  await h.done();
  assert.equal(h.sent.length, 2);
  assert.ok(h.sent[1]?.message.includes('- DOWN\r\n'));
  assert.ok(h.sent[1]?.message.endsWith('=> CHECK failed on service : HTTP request failed <=\r\n'));
  h = harness('no_checker_emails');
  fail2();
  await h.done();
  assert.equal(h.sent.length, 1);
});

test('virtual-server quorum mails follow its smtp_alert (default: smtp_alert_checker, else off)', async () => {
  // Thresholds as keepalived computes them: quorum + hysteresis while down, − while up.
  const quorum = (up: boolean, init = false, stopping = false): void =>
    publish('vs:quorum', {
      vs: VS,
      up,
      init,
      stopping,
      quorum: 3,
      hysteresis: 1,
      threshold: up || init ? 4 : 2,
      weight: up ? 4 : 1,
    });
  const off = harness();
  quorum(false);
  await off.done();
  assert.deepEqual(off.sent, [], 'no smtp_alert on the VS, none global: no mail');
  const h = harness('smtp_alert_checker');
  quorum(false, true);
  quorum(true);
  quorum(false);
  quorum(false, false, true);
  await h.done();
  assert.deepEqual(subjects(h.sent), [
    `[lb1] Virtualserver ${VS} - DOWN`,
    `[lb1] Virtualserver ${VS} - UP`,
    `[lb1] Virtualserver ${VS} - DOWN`,
    `[lb1] Virtualserver ${VS} - DOWN`,
  ]);
  const bodies = h.sent.map((m) => m.message.split('\r\n\r\n')[1]);
  assert.deepEqual(bodies, [
    '=> Starting with quorum down 3+1=4 <= 1 <=\r\n',
    '=> Gained quorum 3+1=4 <= 4 <=\r\n',
    '=> Lost quorum 3+1=2 <= 1 <=\r\n',
    '=> Shutting down <=\r\n',
  ]);
});

test('a live real server removed by a reload or stopped with omega: "Removing" / "Shutting down"', async () => {
  const h = harness();
  publish('rs:gone', { vs: VS, rs: RS, why: 'removed', smtpAlert: true });
  publish('rs:gone', { vs: VS, rs: RS, why: 'shutdown', smtpAlert: true });
  publish('rs:gone', { vs: VS, rs: RS, why: 'shutdown', smtpAlert: false });
  await h.done();
  assert.deepEqual(subjects(h.sent), [
    `[lb1] Realserver ${RS} of virtual server ${VS} - DOWN`,
    `[lb1] Realserver ${RS} of virtual server ${VS} - DOWN`,
  ]);
  assert.ok(h.sent[0]?.message.endsWith('\r\n\r\n=> Removing <=\r\n'));
  assert.ok(h.sent[1]?.message.endsWith('\r\n\r\n=> Shutting down <=\r\n'));
});

test('a failed send is logged as a warning with the stage and reply', async () => {
  const h = harness('', {
    ok: false,
    stage: 'RCPT TO <ops@example.org>',
    error: '550 no such user',
    transcript: [],
  });
  transition('MASTER');
  await h.done();
  assert.deepEqual(h.logs, [
    'warning: Error sending SMTP alert "[lb1] VRRP Instance VI_1 - Entering MASTER state" via [192.0.2.25]:2525: RCPT TO <ops@example.org> refused: 550 no such user',
  ]);
});

test('without smtp_server nothing is sent', async () => {
  const { config } = load(CONF('').replace('smtp_server 192.0.2.25 2525', ''));
  const sent: SmtpMail[] = [];
  const alerts = startSmtpAlerts(() => config, {
    send: (m) => {
      sent.push(m);
      return Promise.resolve({ ok: true, transcript: [] });
    },
  });
  transition('MASTER');
  await alerts.idle();
  alerts();
  assert.equal(sent.length, 0);
});
