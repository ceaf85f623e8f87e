// HTTP_GET, SSL_GET and TCP_CHECK against a real nginx (HTTP on :80–:82, HTTPS with a
// self-signed certificate made by openssl on :443) in a lab host; the checker runtime runs
// in a second lab host (test/lab/check-driver.ts). Covers: healthy → up; status 503, digest
// mismatch and failing regex → down with keepalived's log lines; healthy again → up; nginx
// stopped → down within (retry + 1) × (connect_timeout + delay_before_retry) + delay_loop.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Driver, DOWN_BOUND_MS, TIMING, UP_BOUND_MS } from './check-common.js';
import { requireRoot, run, withLab, type Host, type Lab } from './lib/index.js';

const GOOD = 'status: ok\n';
const BAD = 'status: degraded\n';
const md5 = (s: string): string => createHash('md5').update(s).digest('hex');

function nginxConf(dir: string): string {
  return `
user root;
worker_processes 1;
daemon off;
pid ${dir}/nginx.pid;
error_log ${dir}/nginx-error.log;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/nb; proxy_temp_path ${dir}/np; fastcgi_temp_path ${dir}/nf;
  uwsgi_temp_path ${dir}/nu; scgi_temp_path ${dir}/ns;
  server {
    listen 192.0.2.11:80; listen 192.0.2.11:81; listen 192.0.2.11:82;
    listen 192.0.2.11:443 ssl;
    ssl_certificate ${dir}/cert.pem; ssl_certificate_key ${dir}/key.pem;
    root ${dir}/www;
    location = /health { if (-f ${dir}/www/fail) { return 503; } default_type text/plain; return 200 "ok\\n"; }
  }
}
`;
}

const vs = (port: number, rsPort: number, check: string): string => `
virtual_server 192.0.2.100 ${port} {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 ${rsPort} {
    ${check} {
${TIMING}
      ${'$URL'}
    }
  }
}`;

function checkerConf(): string {
  const url = (body: string): string => `url {\n        ${body}\n      }`;
  return [
    vs(80, 80, 'HTTP_GET').replace('$URL', url('path /health\n        status_code 200')),
    vs(81, 81, 'HTTP_GET').replace('$URL', url(`path /page.html\n        digest ${md5(GOOD)}`)),
    vs(82, 82, 'HTTP_GET').replace('$URL', url('path /page.html\n        regex "status: ok"')),
    vs(443, 443, 'SSL_GET').replace('$URL', url('path /health')),
    vs(8080, 80, 'TCP_CHECK').replace('$URL', ''),
  ].join('\n');
}

async function setup(lab: Lab): Promise<{ web: Host; dir: Host }> {
  const sw = await lab.switch('lan');
  const web = await lab.host('web');
  const dir = await lab.host('dir');
  await lab.link(web, sw, { ifname: 'eth0', addrs: ['192.0.2.11/24'] });
  await lab.link(dir, sw, { ifname: 'eth0', addrs: ['192.0.2.1/24'] });
  return { web, dir };
}

test('HTTP_GET / SSL_GET / TCP_CHECK against nginx', { timeout: 90_000 }, async () => {
  requireRoot();
  await withLab('chttp', async (lab) => {
    const { web, dir } = await setup(lab);
    const d = lab.dir;
    await run(['mkdir', '-p', `${d}/www`]);
    writeFileSync(join(d, 'www/page.html'), GOOD);
    await run([
      'openssl',
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=lab',
      '-keyout',
      `${d}/key.pem`,
      '-out',
      `${d}/cert.pem`,
    ]);
    writeFileSync(join(d, 'nginx.conf'), nginxConf(d));
    const startNginx = () =>
      web.spawn(['nginx', '-c', `${d}/nginx.conf`], { logTo: `${d}/nginx.log` });
    let nginx = startNginx();
    await web.exec([
      'sh',
      '-c',
      'for i in $(seq 50); do ss -ltn | grep -q 192.0.2.11:443 && exit 0; sleep 0.1; done; exit 1',
    ]);

    const drv = await Driver.start(lab, dir, checkerConf());
    try {
      // Healthy: every real server reported up at start and no change follows.
      for (const p of [80, 81, 82, 443, 8080])
        assert.equal(drv.state('192.0.2.11', p)?.up, true, `:${p} up at start`);
      await drv.waitEvent(
        0,
        (e) => e.ev === 'check:result' && e.checker === 'SSL_GET#0' && e.ok === true,
        5000,
        'SSL_GET passes',
      );

      // Wrong status: /health answers 503 → :80 and :443 down.
      let m = drv.mark();
      writeFileSync(join(d, 'www/fail'), '');
      const t503 = Date.now();
      await drv.waitRs(m, '192.0.2.11', 80, false, DOWN_BOUND_MS);
      await drv.waitRs(m, '192.0.2.11', 443, false, DOWN_BOUND_MS);
      const took503 = Date.now() - t503;
      assert.ok(
        drv
          .logs()
          .includes(
            'HTTP status code error to [192.0.2.11]:tcp:80 url(/health), status_code [503].',
          ),
      );
      assert.ok(
        drv.logs().includes('Removing service [192.0.2.11]:tcp:80 from VS [192.0.2.100]:tcp:80'),
      );
      assert.equal(drv.state('192.0.2.11', 80)?.reason, 'HTTP status 503');
      rmSync(join(d, 'www/fail'));
      await drv.waitRs(m, '192.0.2.11', 80, true, UP_BOUND_MS + 2000);
      await drv.waitRs(m, '192.0.2.11', 443, true, UP_BOUND_MS + 2000);
      assert.ok(
        drv.logs().includes('Adding service [192.0.2.11]:tcp:80 to VS [192.0.2.100]:tcp:80'),
      );

      // Body changes: digest mismatch (:81) and regex no longer matching (:82) → down; restore → up.
      m = drv.mark();
      writeFileSync(join(d, 'www/page.html'), BAD);
      await drv.waitRs(m, '192.0.2.11', 81, false, DOWN_BOUND_MS);
      await drv.waitRs(m, '192.0.2.11', 82, false, DOWN_BOUND_MS);
      assert.equal(drv.state('192.0.2.11', 81)?.reason, 'digest mismatch');
      assert.equal(drv.state('192.0.2.11', 82)?.reason, 'regex did not match');
      assert.ok(drv.logs().includes('MD5 digest error to [192.0.2.11]:tcp:81 url(/page.html).'));
      assert.equal(drv.state('192.0.2.11', 80)?.up, true, 'the other urls stay up');
      writeFileSync(join(d, 'www/page.html'), GOOD);
      await drv.waitRs(m, '192.0.2.11', 81, true, UP_BOUND_MS + 2000);
      await drv.waitRs(m, '192.0.2.11', 82, true, UP_BOUND_MS + 2000);

      // nginx stopped: everything down within the bound, with "connection refused".
      m = drv.mark();
      await nginx.stop(3000);
      const tStop = Date.now();
      for (const p of [80, 81, 82, 443, 8080])
        await drv.waitRs(m, '192.0.2.11', p, false, DOWN_BOUND_MS);
      const tookStop = Date.now() - tStop;
      assert.equal(drv.state('192.0.2.11', 8080)?.reason, 'connection refused');
      assert.ok(drv.logs().includes('TCP connection to [192.0.2.11]:tcp:80 failed.'));
      // nginx back: up again.
      m = drv.mark();
      nginx = startNginx();
      for (const p of [80, 81, 82, 443, 8080])
        await drv.waitRs(m, '192.0.2.11', p, true, UP_BOUND_MS + 3000);
      console.log(
        `# 503 → down in ${took503} ms; nginx stopped → all down in ${tookStop} ms (bound ${DOWN_BOUND_MS} ms)`,
      );
    } finally {
      const stopped = await drv.stop();
      assert.ok(stopped, `driver stopped cleanly: ${drv.proc.output().slice(-2000)}`);
    }
  });
});
