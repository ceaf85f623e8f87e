// keepalived 2.2.8's v3_checksum_as_v2 on the real wire: two stayalive nodes send VRRPv3/IPv4
// without the pseudo-header (RFC 9568), elect one master, and count the form they received.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { requireRoot, waitFor, withLab } from './lib/index.js';
import { stayalivectlArgv } from './lib/stayalive.js';
import { startNode, trio, vrrpConf, waitSoleHolder } from './vrrp-common.js';

interface InstStatus {
  state: string;
  counters: { checksumForms: Record<string, number>; advertsIn: number };
}

test('v3_checksum_as_v2: adverts without the pseudo-header elect one master and are counted as such', async () => {
  requireRoot();
  await withLab('v3cks', async (lab) => {
    const { a, b } = await trio(lab);
    const conf = (name: string, priority: number): string =>
      vrrpConf({
        name,
        vrid: 61,
        priority,
        version: 3,
        advertInt: 0.1,
        vips: ['192.0.2.61/24'],
        extra: '  v3_checksum_as_v2',
      });
    startNode(lab, a, 'stayalive', conf('a', 150));
    startNode(lab, b, 'stayalive', conf('b', 100));
    await waitSoleHolder([a, b], a, '192.0.2.61', 10_000);
    const sock = `${lab.dir}/b-stayalive-1.sock`;
    const status = async (): Promise<InstStatus> => {
      const r = await b.exec([...stayalivectlArgv(), '--socket', sock, '--json', 'status']);
      const s = JSON.parse(r.stdout) as { subsystems: { vrrp: { instances: InstStatus[] } } };
      return s.subsystems.vrrp.instances[0];
    };
    const st = await waitFor(
      async () => {
        const s = await status();
        return s.counters.advertsIn > 5 ? s : undefined;
      },
      { timeoutMs: 5000, what: 'adverts received on b' },
    );
    assert.equal(st.state, 'BACKUP');
    assert.equal(st.counters.checksumForms['pseudo-header'] ?? 0, 0);
    assert.ok((st.counters.checksumForms['v2-style'] ?? 0) > 5, JSON.stringify(st.counters));
  });
});
