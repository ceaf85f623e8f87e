// SMTP_CHECK against OpenSMTPD, DNS_CHECK against dnsmasq (names from a hosts file), UDP_CHECK
// against a small node responder and PING_CHECK against the host itself — real servers in a
// lab host; the checker runtime runs in a second host (test/lab/check-driver.ts). For each:
// healthy → up; a wrong answer (DNS rcode, UDP reply pattern) → down; server stopped → down
// within (retry + 1) × (connect_timeout + delay_before_retry) + delay_loop; back → up.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Driver, DOWN_BOUND_MS, TIMING, UP_BOUND_MS } from './check-common.js';
import { requireRoot, withLab, type Host, type LabProcess } from './lib/index.js';

const vs = (port: number, proto: 'TCP' | 'UDP', rs: string, check: string, body = ''): string => `
virtual_server 192.0.2.100 ${port} {
  lb_algo rr
  lb_kind NAT
  protocol ${proto}
  real_server ${rs} {
    ${check} {
${TIMING}
${body}
    }
  }
}`;

const CONF = [
  vs(25, 'TCP', '192.0.2.12 25', 'SMTP_CHECK', '      helo_name director.lab.test'),
  vs(53, 'UDP', '192.0.2.13 53', 'DNS_CHECK', '      type A\n      name www.lab.test'),
  vs(54, 'UDP', '192.0.2.13 53', 'DNS_CHECK', '      type A\n      name missing.lab.test'),
  vs(
    5000,
    'UDP',
    '192.0.2.14 5000',
    'UDP_CHECK',
    '      payload 50494e47\n      require_reply 504fxx47',
  ),
  vs(
    5001,
    'UDP',
    '192.0.2.14 5000',
    'UDP_CHECK',
    '      payload 50494e47\n      require_reply 504f4e48',
  ),
  vs(7, 'TCP', '192.0.2.12 7', 'PING_CHECK'),
].join('\n');

// Answers "PING" with "PONG" (and anything else with "????").
const RESPONDER = `
import { createSocket } from 'node:dgram';
const s = createSocket('udp4');
s.on('message', (m, r) => s.send(m.toString() === 'PING' ? 'PONG' : '????', r.port, r.address));
s.bind(5000, '192.0.2.14');
process.on('SIGTERM', () => process.exit(0));
`;

test('SMTP, DNS, UDP and PING checks against real servers', { timeout: 90_000 }, async () => {
  requireRoot();
  await withLab('csvc', async (lab) => {
    const sw = await lab.switch('lan');
    const svc = await lab.host('svc');
    const dir = await lab.host('dir');
    await lab.link(svc, sw, {
      ifname: 'eth0',
      addrs: ['192.0.2.12/24', '192.0.2.13/24', '192.0.2.14/24'],
    });
    await lab.link(dir, sw, { ifname: 'eth0', addrs: ['192.0.2.1/24'] });
    // Four UDP checkers probe every second once their servers are stopped: the kernel's
    // per-destination ICMP rate limit (1/s after a burst of 6) would turn some port
    // unreachables into silence, and the reason asserted below into a timeout.
    await svc.exec(['sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0']);
    const d = lab.dir;
    writeFileSync(
      join(d, 'smtpd.conf'),
      'listen on 192.0.2.12 port 25\naction "local" mbox\nmatch from any for local action "local"\n',
    );
    writeFileSync(join(d, 'hosts'), '192.0.2.80 www.lab.test\n');
    writeFileSync(
      join(d, 'dnsmasq.conf'),
      `port=53\nlisten-address=192.0.2.13\nbind-interfaces\nno-resolv\nno-hosts\naddn-hosts=${d}/hosts\nlocal=/lab.test/\npid-file=${d}/dnsmasq.pid\nuser=root\nlog-facility=-\n`,
    );
    writeFileSync(join(d, 'responder.mjs'), RESPONDER);
    const smtpd = (): LabProcess =>
      svc.spawn(['smtpd', '-d', '-f', `${d}/smtpd.conf`], { logTo: `${d}/smtpd.log` });
    const dnsmasq = (): LabProcess =>
      svc.spawn(['dnsmasq', '-k', '-C', `${d}/dnsmasq.conf`], { logTo: `${d}/dnsmasq.log` });
    const responder = (): LabProcess =>
      svc.spawn([process.execPath, `${d}/responder.mjs`], { logTo: `${d}/udp.log` });
    const listening = (h: Host, what: string): Promise<unknown> =>
      h.exec([
        'sh',
        '-c',
        `for i in $(seq 100); do ss -lnut | grep -q '${what}' && exit 0; sleep 0.1; done; exit 1`,
      ]);
    let procs = { smtp: smtpd(), dns: dnsmasq(), udp: responder() };
    await listening(svc, '192.0.2.12:25');
    await listening(svc, '192.0.2.13:53');
    await listening(svc, '192.0.2.14:5000');

    const drv = await Driver.start(lab, dir, CONF);
    try {
      // Healthy: each checker passes its first probe (the pattern-mismatch and NXDOMAIN ones fail).
      const firstOk = (vsPort: number): Promise<unknown> =>
        drv.waitEvent(
          0,
          (e) => e.ev === 'check:result' && !!e.vs?.endsWith(`:${vsPort}`) && e.ok === true,
          5000,
          `first pass of :${vsPort}`,
        );
      for (const p of [25, 53, 5000, 7]) await firstOk(p);
      for (const p of [25, 53, 5000, 7]) assert.equal(drv.state('192.0.2.1', p)?.up, true);

      // Wrong answers: NXDOMAIN from dnsmasq, a reply that does not match the pattern.
      await drv.waitRs(0, '192.0.2.13', 54, false, DOWN_BOUND_MS);
      await drv.waitRs(0, '192.0.2.14', 5001, false, DOWN_BOUND_MS);
      assert.equal(drv.state('192.0.2.13', 54)?.reason, 'DNS rcode 3');
      assert.equal(drv.state('192.0.2.14', 5001)?.reason, 'reply data mismatch');

      // Servers stopped → down within the bound; ICMP port unreachable for the UDP ones.
      let m = drv.mark();
      await Promise.all([procs.smtp.stop(3000), procs.dns.stop(3000), procs.udp.stop(3000)]);
      await svc.nft(
        'table inet noping {\n  chain input {\n    type filter hook input priority 0;\n    icmp type echo-request drop\n  }\n}\n',
      );
      const t0 = Date.now();
      await drv.waitRs(m, '192.0.2.12', 25, false, DOWN_BOUND_MS);
      await drv.waitRs(m, '192.0.2.13', 53, false, DOWN_BOUND_MS);
      await drv.waitRs(m, '192.0.2.14', 5000, false, DOWN_BOUND_MS);
      await drv.waitRs(m, '192.0.2.12', 7, false, DOWN_BOUND_MS);
      const took = Date.now() - t0;
      assert.equal(drv.state('192.0.2.12', 25)?.reason, 'connection refused');
      assert.equal(drv.state('192.0.2.13', 53)?.reason, 'ICMP port unreachable');
      assert.equal(drv.state('192.0.2.14', 5000)?.reason, 'ICMP port unreachable');
      assert.equal(drv.state('192.0.2.12', 7)?.reason, 'no echo reply (timeout)');
      assert.ok(
        drv.logs().includes('Removing service [192.0.2.12]:tcp:25 from VS [192.0.2.100]:tcp:25'),
      );

      // Back → up.
      m = drv.mark();
      procs = { smtp: smtpd(), dns: dnsmasq(), udp: responder() };
      await svc.exec(['nft', 'delete', 'table', 'inet', 'noping']);
      await drv.waitRs(m, '192.0.2.12', 25, true, UP_BOUND_MS + 3000);
      await drv.waitRs(m, '192.0.2.13', 53, true, UP_BOUND_MS + 3000);
      await drv.waitRs(m, '192.0.2.14', 5000, true, UP_BOUND_MS + 3000);
      await drv.waitRs(m, '192.0.2.12', 7, true, UP_BOUND_MS + 3000);
      assert.equal(drv.state('192.0.2.13', 54)?.up, false, 'NXDOMAIN stays down');
      console.log(`# servers stopped → all four down in ${took} ms (bound ${DOWN_BOUND_MS} ms)`);
    } finally {
      assert.ok(await drv.stop(), `driver stopped cleanly: ${drv.proc.output().slice(-2000)}`);
    }
  });
});
