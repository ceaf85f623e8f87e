// Socket and interface settings an instance holds while it runs, and gives back when the last holder goes
// (as keepalived counts them): promote_secondaries on the instance's interface, and the base
// interface's arp_ignore/arp_filter under VMACs shared by two instances. Needs root and
// `npm run build`.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab, type Host } from './lib/index.js';
import { killPid, namespacePids } from './lib/cleanup.js';
import { hasAddr, startNode, trio } from './vrrp-common.js';

const conf = (vrid: number, extra: string): string =>
  `vrrp_instance V${vrid} {\n  interface eth0\n  virtual_router_id ${vrid}\n  priority 150\n  version 3\n  advert_int 0.1\n${extra}  virtual_ipaddress {\n    192.0.2.${vrid}/24\n  }\n}\n`;
const HEAD = 'global_defs {\n  vrrp_garp_master_delay 1\n}\n';

async function conf4(h: Host, ifname: string, key: string): Promise<string> {
  const r = await h.exec(['cat', `/proc/sys/net/ipv4/conf/${ifname}/${key}`]);
  return r.stdout.trim();
}

test('promote_secondaries is held while the instance runs, then put back', async () => {
  requireRoot();
  await withLab('vps', async (lab) => {
    const { a } = await trio(lab);
    assert.equal(await conf4(a, 'eth0', 'promote_secondaries'), '0');
    const n = startNode(lab, a, 'stayalive', HEAD + conf(81, '  promote_secondaries\n'));
    await waitFor(() => hasAddr(a, '192.0.2.81'), { timeoutMs: 8000, what: 'master' });
    assert.equal(await conf4(a, 'eth0', 'promote_secondaries'), '1');
    await n.proc.stop(8000, 'SIGTERM');
    assert.equal(await conf4(a, 'eth0', 'promote_secondaries'), '0');
  });
});

test('two VMAC instances on one base: its ARP settings stay until the last VMAC goes', async () => {
  requireRoot();
  await withLab('vva', async (lab) => {
    const { a } = await trio(lab);
    const both = HEAD + conf(82, '  use_vmac\n') + conf(83, '  use_vmac\n');
    const n = startNode(lab, a, 'stayalive', both);
    await waitFor(
      async () =>
        (await hasAddr(a, '192.0.2.82', 'vrrp.82')) && (await hasAddr(a, '192.0.2.83', 'vrrp.83')),
      { timeoutMs: 8000, what: 'both masters' },
    );
    assert.equal(await conf4(a, 'eth0', 'arp_ignore'), '1');
    // A reload removes V82: V83's VMAC still needs the base to stay quiet for ARP.
    writeFileSync(n.log.replace(/\.log$/, '.conf'), HEAD + conf(83, '  use_vmac\n'));
    n.proc.kill('SIGHUP');
    // Wait for V82's VMAC link to go: its claims are released only after that.
    await waitFor(
      async () => (await a.exec(['ip', 'link', 'show', 'vrrp.82'], { check: false })).code !== 0,
      {
        timeoutMs: 8000,
        what: 'V82 and its VMAC gone',
      },
    );
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(await conf4(a, 'eth0', 'arp_ignore'), '1', 'still held by V83');
    assert.equal(await conf4(a, 'eth0', 'arp_filter'), '1');
    await n.proc.stop(8000, 'SIGTERM');
    assert.equal(await conf4(a, 'eth0', 'arp_ignore'), '0', 'restored after the last VMAC');
    assert.equal(await conf4(a, 'eth0', 'arp_filter'), '0');
  });
});

test('kernel_rx_buf_size caps what the kernel queues for a receiver that does not read', async () => {
  requireRoot();
  // b is master at advert_int 0.01 (100 adverts/s); a is a backup frozen for 1.5 s, so its
  // receive socket fills up to its buffer. ss shows what is queued (Recv-Q).
  const queued: Record<string, number> = {};
  for (const own of ['', '  kernel_rx_buf_size 2000\n']) {
    await withLab('vrb', async (lab) => {
      const { a, b } = await trio(lab);
      const fast = (vrid: number, prio: number, extra: string): string =>
        conf(vrid, extra)
          .replace('priority 150', `priority ${prio}`)
          .replace('advert_int 0.1', 'advert_int 0.01');
      startNode(lab, b, 'stayalive', HEAD + fast(84, 200, ''));
      await waitFor(() => hasAddr(b, '192.0.2.84'), { timeoutMs: 8000, what: 'b master' });
      startNode(lab, a, 'stayalive', HEAD + fast(84, 100, own));
      await new Promise((r) => setTimeout(r, 1500));
      const pids = await namespacePids(a.ns);
      for (const p of pids) killPid(p, 'SIGSTOP');
      try {
        await new Promise((r) => setTimeout(r, 1500));
        const out = (await a.exec(['ss', '-w', '-a', '-n'])).stdout;
        queued[own ? 'set' : 'default'] = Math.max(
          0,
          ...out.split('\n').map((l) => Number(/^\S+\s+(\d+)/.exec(l)?.[1] ?? 0)),
        );
      } finally {
        for (const p of pids) killPid(p, 'SIGCONT');
      }
    });
  }
  console.log(`queued while frozen: ${JSON.stringify(queued)}`);
  // 2000 asked → 4608 bytes at the kernel's floor (2 × SOCK_MIN_RCVBUF); the default holds
  // 212992: 150 adverts of about 770 bytes each fit.
  assert.ok(queued.set < 10_000, `with kernel_rx_buf_size: ${queued.set}`);
  assert.ok(queued.default > 50_000, `default: ${queued.default}`);
});
