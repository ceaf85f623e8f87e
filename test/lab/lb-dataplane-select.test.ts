// Data-plane choice through the real daemon on this kernel (no IPVS: no /proc/net/ip_vs):
// - default (auto): the log names nftables and the reason, and the nftables table is installed;
// - `lvs_dataplane ipvs` forced: the error names the missing kernel feature, no table is made,
//   and the daemon runs on: stayalivectl status answers (lb shows dataplane none and the error)
//   and the VRRP instance still becomes MASTER and adds its VIP.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Host, type Lab } from './lib/index.js';
import { daemonArgv, stayalivectlArgv } from './lib/stayalive.js';

const conf = (mode: string | null): string => `
global_defs {
  router_id lbsel
${mode ? `  lvs_dataplane ${mode}\n` : ''}}
vrrp_instance VI_1 {
  state MASTER
  interface eth0
  virtual_router_id 51
  priority 150
  advert_int 1
  virtual_ipaddress {
    192.0.2.100/24
  }
}
virtual_server 192.0.2.100 80 {
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    weight 1
  }
}
`;

interface Run {
  h: Host;
  log: () => string;
  status: () => Promise<{ subsystems: Record<string, Record<string, unknown>> }>;
  stop: () => Promise<number | null>;
}

async function start(lab: Lab, mode: string | null): Promise<Run> {
  const sw = await lab.switch('lan');
  const h = await lab.host('d');
  await lab.link(h, sw, { ifname: 'eth0', addrs: ['192.0.2.1/24'] });
  const f = (n: string) => join(lab.dir, n);
  writeFileSync(f('keepalived.conf'), conf(mode));
  const p = h.spawn(daemonArgv(f('keepalived.conf'), `${lab.dir}/`), { logTo: f('daemon.log') });
  await waitFor(() => existsSync(f('ctl.sock')), { timeoutMs: 20_000, what: 'control socket' });
  return {
    h,
    log: () => readFileSync(f('daemon.log'), 'utf8'),
    status: async () =>
      JSON.parse(
        (await h.exec([...stayalivectlArgv(), '--socket', f('ctl.sock'), '--json', 'status']))
          .stdout,
      ) as { subsystems: Record<string, Record<string, unknown>> },
    stop: async () => {
      p.kill('SIGTERM');
      return (await p.exited).code;
    },
  };
}

test('data plane selection on a kernel without IPVS', { timeout: 120_000 }, async (t) => {
  requireRoot();
  assert.ok(!existsSync('/proc/net/ip_vs'), 'this test expects a kernel without IPVS');

  await t.test('auto: nftables, with the reason in the log', async () => {
    await withLab('lbselauto', async (lab) => {
      const r = await start(lab, null);
      try {
        await waitFor(() => /using nftables/.test(r.log()), { timeoutMs: 10_000, what: 'log' });
        assert.match(r.log(), /IPVS not available \(no \/proc\/net\/ip_vs\): using nftables/);
        const st = await r.status();
        assert.equal(st.subsystems.lb.dataplane, 'nftables');
        const nft = await r.h.exec(['nft', 'list', 'table', 'ip', 'stayalive']);
        assert.match(nft.stdout, /192\.0\.2\.11/);
      } finally {
        assert.equal(await r.stop(), 0);
      }
    });
  });

  await t.test('lvs_dataplane ipvs forced: error naming CONFIG_IP_VS, daemon runs on', async () => {
    await withLab('lbselipvs', async (lab) => {
      const r = await start(lab, 'ipvs');
      try {
        await waitFor(() => /CONFIG_IP_VS/.test(r.log()), { timeoutMs: 10_000, what: 'error' });
        assert.match(
          r.log(),
          /lvs_dataplane ipvs, but this kernel has no IPVS \(no \/proc\/net\/ip_vs; needs CONFIG_IP_VS, module ip_vs\): load balancing not started/,
        );
        const st = await r.status();
        assert.equal(st.subsystems.lb.dataplane, 'none');
        assert.match(String(st.subsystems.lb.error), /CONFIG_IP_VS/);
        const nft = await r.h.exec(['nft', 'list', 'tables'], { check: false });
        assert.doesNotMatch(nft.stdout, /stayalive/);
        // VRRP is unaffected: alone on the link, the instance becomes MASTER and adds its VIP.
        await waitFor(
          async () => (await r.h.ip(['-o', 'addr', 'show', 'eth0'])).stdout.includes('192.0.2.100'),
          { timeoutMs: 15_000, what: 'VIP added by the VRRP master' },
        );
        assert.ok((await r.status()).subsystems.vrrp, 'vrrp status present');
      } finally {
        assert.equal(await r.stop(), 0);
      }
    });
  });
});
