// smtp_alert end to end: OpenSMTPD in lab host "mx" (own /run and queue, so it never meets
// another smtpd on this machine) delivers every mail into a Maildir under the lab dir; the real
// subscriber runs in lab host "lb" (test/lab/alert-driver.ts) and mails one VRRP transition and
// one real server going DOWN. The test reads the delivered files: envelope, headers, subjects,
// bodies. A second run points smtp_server at an address nobody answers: the failure is logged
// (stage and cause) within smtp_connect_timeout, and the driver exits normally.
import assert from 'node:assert/strict';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Host, type Lab } from './lib/index.js';
import { repoRoot } from './lib/stayalive.js';

const conf = (server: string): string => `global_defs {
  router_id lab-lb1
  notification_email {
    ops@lab.test
    noc@lab.test
  }
  notification_email_from stayalive@lb1.lab.test
  smtp_server ${server}
  smtp_helo_name lb1.lab.test
  smtp_connect_timeout 1
}
vrrp_instance VI_1 {
  interface eth0
  virtual_router_id 51
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
      connect_timeout 1
    }
  }
}
`;

interface DriverLine {
  ev: string;
  level?: string;
  message?: string;
}

async function runDriver(lab: Lab, host: Host, name: string, text: string): Promise<DriverLine[]> {
  const path = join(lab.dir, `${name}.conf`);
  writeFileSync(path, text);
  const r = await host.exec(
    [process.execPath, '--import', 'tsx', join(repoRoot, 'test/lab/alert-driver.ts'), path],
    { timeoutMs: 25_000, check: false },
  );
  writeFileSync(join(lab.dir, `${name}.out`), r.stdout + r.stderr);
  assert.equal(r.code, 0, `driver ${name} exited ${r.code}: ${r.stderr.slice(-2000)}`);
  return r.stdout
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as DriverLine);
}

/** One delivered message: headers (last wins) and body. */
function parseMail(text: string): { h: Map<string, string>; body: string } {
  const [head = '', ...rest] = text.split(/\r?\n\r?\n/);
  const h = new Map<string, string>();
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) h.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  return { h, body: rest.join('\n\n') };
}

test(
  'smtp_alert: real mails through OpenSMTPD; an unreachable server is logged',
  { timeout: 40_000 },
  async () => {
    requireRoot();
    await withLab('alert', async (lab) => {
      const sw = await lab.switch('lan');
      const mx = await lab.host('mx');
      const lb = await lab.host('lb');
      await lab.link(mx, sw, { ifname: 'eth0', addrs: ['192.0.2.25/24'] });
      await lab.link(lb, sw, { ifname: 'eth0', addrs: ['192.0.2.1/24'] });

      // Deliveries run as "nobody": it needs a way into the Maildir.
      const d = lab.dir;
      chmodSync(d, 0o711);
      const maildir = join(d, 'Maildir');
      mkdirSync(maildir, { mode: 0o777 });
      chmodSync(maildir, 0o777);
      writeFileSync(
        join(d, 'smtpd.conf'),
        [
          'listen on 192.0.2.25 port 2525',
          `action "box" maildir "${maildir}" virtual { "@" = nobody }`,
          'match from any for domain "lab.test" action "box"',
          '',
        ].join('\n'),
      );
      mx.spawn(
        [
          'sh',
          '-c',
          'mount -t tmpfs -o mode=0755 none /run && ' +
            'mount -t tmpfs -o mode=0711 none /var/spool/smtpd && ' +
            `exec smtpd -d -f ${d}/smtpd.conf`,
        ],
        { logTo: `${d}/smtpd.log` },
      );
      // Bounded wait for the listener; a failure shows smtpd's own words (a CI run once timed
      // out here after 10 s without them).
      const up = await mx.exec(
        [
          'sh',
          '-c',
          "for i in $(seq 300); do ss -lnt | grep -q '192.0.2.25:2525' && exit 0; sleep 0.1; done; exit 1",
        ],
        { check: false, timeoutMs: 40_000 },
      );
      if (up.code !== 0) {
        const log = existsSync(`${d}/smtpd.log`) ? readFileSync(`${d}/smtpd.log`, 'utf8') : '';
        assert.fail(`smtpd did not listen on 192.0.2.25:2525 within 30 s; its log:\n${log}`);
      }

      // 1. A working server: two mails, each to both recipients.
      const lines = await runDriver(lab, lb, 'ok', conf('192.0.2.25 2525'));
      assert.ok(lines.some((l) => l.ev === 'done'));
      const sent = lines.filter((l) => l.ev === 'log').map((l) => `${l.level}: ${l.message}`);
      assert.deepEqual(sent, [
        'info: SMTP alert "[lab-lb1] VRRP Instance VI_1 - Entering MASTER state" sent via [192.0.2.25]:2525',
        'info: SMTP alert "[lab-lb1] Realserver [192.0.2.11]:tcp:80 of virtual server [203.0.113.100]:tcp:80 - DOWN" sent via [192.0.2.25]:2525',
      ]);
      const newDir = join(maildir, 'new');
      const files = await waitFor(
        () => {
          const f = existsSync(newDir) ? readdirSync(newDir) : [];
          return f.length >= 4 ? f : null;
        },
        { timeoutMs: 10_000, what: 'four deliveries in the Maildir' },
      );
      assert.equal(files.length, 4);
      const mails = files.map((f) => parseMail(readFileSync(join(newDir, f), 'utf8')));
      const bySubject = new Map<string, string[]>();
      for (const m of mails) {
        const s = m.h.get('subject') ?? '';
        bySubject.set(s, [...(bySubject.get(s) ?? []), m.h.get('delivered-to') ?? '']);
        assert.equal(m.h.get('from'), 'stayalive@lb1.lab.test');
        assert.equal(m.h.get('to'), 'ops@lab.test, noc@lab.test');
        assert.equal(m.h.get('x-mailer'), 'stayalive');
        assert.equal(m.h.get('return-path'), '<stayalive@lb1.lab.test>');
        assert.match(
          m.h.get('date') ?? '',
          /^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$/,
        );
        assert.match(m.h.get('received') ?? '', /from lb1\.lab\.test \(.*192\.0\.2\.1\]?\)/);
      }
      assert.deepEqual([...bySubject.keys()].sort(), [
        '[lab-lb1] Realserver [192.0.2.11]:tcp:80 of virtual server [203.0.113.100]:tcp:80 - DOWN',
        '[lab-lb1] VRRP Instance VI_1 - Entering MASTER state',
      ]);
      for (const rcpts of bySubject.values()) {
        assert.deepEqual(rcpts.sort(), ['noc@lab.test', 'ops@lab.test']);
      }
      const body = (s: string): string =>
        mails.find((m) => m.h.get('subject')?.includes(s))?.body.trim() ?? '';
      assert.equal(body('VRRP Instance'), '=> VRRP Instance is now owning VRRP VIPs <=');
      assert.equal(body('Realserver'), '=> TCP CHECK failed on service <=');

      // 2. Nobody at the address: logged with the stage, bounded by smtp_connect_timeout (1 s).
      const t0 = Date.now();
      const bad = await runDriver(lab, lb, 'unreachable', conf('192.0.2.99 25'));
      const took = Date.now() - t0;
      assert.ok(
        bad.some((l) => l.ev === 'done'),
        'driver finished despite the failures',
      );
      const warnings = bad.filter((l) => l.ev === 'log' && l.level === 'warning');
      assert.equal(warnings.length, 2);
      for (const w of warnings) {
        assert.match(
          w.message ?? '',
          /^Error sending SMTP alert ".*" via \[192\.0\.2\.99\]:25: connect failed: (timeout after 1000 ms|EHOSTUNREACH.*)$/,
        );
      }
      assert.ok(took < 15_000, `unreachable run took ${took} ms`);
      assert.equal(readdirSync(newDir).length, 4, 'nothing more delivered');
    });
  },
);
