// The nftables runner and reconcile against the real kernel: (1) both runners (`nft -i` session
// and `nft -f -`) are atomic and name the command nft rejected; (2) for a series of configs, the
// incremental transactions leave the kernel exactly as a fresh full load of the same state does
// (compared as listed by nft, objects sorted), and re-applying a config sends nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildDesired } from '../../src/lb/desired.js';
import type { NftState } from '../../src/lb/nft-state.js';
import { reconcile } from '../../src/lb/reconcile.js';
import { buildRuleset } from '../../src/lb/ruleset.js';
import { lvsOf, vsText } from '../unit/lb/helpers.js';
import { Driver } from './lb-common.js';
import { requireRoot, withLab, type Host } from './lib/index.js';

const DR = new Map(
  [11, 12, 13, 14].map((i) => [
    `198.51.100.${i}`,
    { dev: 'lo', devMac: '00:00:00:00:00:00', mac: `02:bb:00:00:00:${i}` },
  ]),
);
const stateOf = (conf: string): NftState =>
  buildRuleset(buildDesired(lvsOf(conf), new Map()).table, { dr: DR }).state;

/** `nft list ruleset` with each table's objects sorted (creation order differs by design). */
async function listing(h: Host): Promise<string> {
  const text = (await h.exec(['nft', 'list', 'ruleset'])).stdout;
  return text
    .split(/\n(?=table )/)
    .map((tb) => {
      const [head, ...rest] = tb.split(/\n(?=\t(?:map|chain|set|counter) )/);
      return (
        head +
        '\n' +
        rest
          .map((b) => b.trimEnd())
          .sort()
          .join('\n')
      );
    })
    .sort()
    .join('\n');
}

test('nft runners and reconcile on the real kernel', { timeout: 60_000 }, async (t) => {
  requireRoot();
  await withLab('lbnft', async (lab) => {
    const a = await lab.host('a');
    const b = await lab.host('b');

    await t.test('both runners are atomic and name the rejected command', async () => {
      const drv = new Driver(lab, a);
      try {
        await drv.send({
          cmd: 'nft',
          mode: 'session',
          script: 'add table ip q\nadd map ip q m { type ipv4_addr : ipv4_addr; }\n',
        });
        for (const mode of ['session', 'file']) {
          const bad = 'add element ip q m { 192.0.2.300 : 198.51.100.1 }';
          await assert.rejects(
            drv.send({
              cmd: 'nft',
              mode,
              script: `add element ip q m { 192.0.2.1 : 198.51.100.1 }\n${bad}\n`,
            }),
            (e: Error) => e.message.includes(`nft rejected \`${bad}\``),
          );
        }
        const m = (await a.exec(['nft', 'list', 'map', 'ip', 'q', 'm'])).stdout;
        assert.doesNotMatch(
          m,
          /192\.0\.2\.1 /,
          'the good half of the failed batch was not applied',
        );
        await drv.send({ cmd: 'nft', mode: 'session', script: 'delete table ip q\n' });
      } finally {
        drv.close();
      }
    });

    await t.test(
      'incremental transactions == a fresh full load, for a series of configs',
      async () => {
        const confs = [
          vsText({}) +
            vsText({
              port: 443,
              algo: 'wrr',
              weights: [3, 2, 1],
              extra: '  persistence_timeout 30',
            }),
          vsText({ weights: [1, 1, 1, 1] }) +
            vsText({ port: 443, algo: 'wrr', weights: [3, 2], extra: '  persistence_timeout 30' }) +
            vsText({ port: 53, proto: 'UDP', algo: 'mh' }),
          vsText({ weights: [1, 1, 1, 1] }) +
            vsText({ port: 443, algo: 'wrr', weights: [3, 2], extra: '  persistence_timeout 60' }) +
            vsText({ port: 53, proto: 'UDP', algo: 'mh', weights: [1, 1] }) +
            vsText({ port: 8080, kind: 'DR', algo: 'sh' }),
          vsText({ port: 8080, kind: 'DR', algo: 'sh', weights: [1, 2] }),
          vsText({
            algo: 'sh',
            extra: '  persistence_timeout 10\n  persistence_granularity 255.255.255.0',
          }),
        ];
        let prev: NftState | null = null;
        for (const c of confs) {
          const next = stateOf(c);
          await a.nft(reconcile(prev, next).commands.join('\n') + '\n');
          await b.exec(['nft', 'flush', 'ruleset']);
          await b.nft(reconcile(null, next).commands.join('\n') + '\n');
          assert.equal(await listing(a), await listing(b));
          assert.deepEqual(reconcile(next, stateOf(c)).commands, []);
          prev = next;
        }
      },
    );
  });
});
