// Choosing the data plane: the pure rule (src/lb/ipvs-select.ts), the global_defs keyword
// `lvs_dataplane auto|nftables|ipvs` (src/config/global/stayalive-keywords.ts), and the lb
// subsystem acting on both: IPVS when present, nftables with the reason when not, and a forced
// IPVS on a kernel without it logged as an error with the subsystem down and nothing applied.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subscribe } from '../../../src/core/bus.js';
import { DiagnosticSink } from '../../../src/config/diagnostics.js';
import { treeFromText } from '../../../src/config/lexer.js';
import type { Config } from '../../../src/config/model.js';
import { parseConfig } from '../../../src/config/parse.js';
import type { ApplyStats, Dataplane } from '../../../src/lb/dataplane.js';
import { selectDataplane } from '../../../src/lb/ipvs-select.js';
import { createLbSubsystem } from '../../../src/lb/subsystem.js';
import type { DesiredTable } from '../../../src/lb/types.js';
import { vsText } from './helpers.js';

function parse(text: string): { config: Config; warnings: string[] } {
  const diag = new DiagnosticSink();
  const tree = treeFromText(text, 't.conf', diag);
  const { config } = parseConfig(tree, 't.conf', { interfaces: null, hostname: 'h' }, diag);
  return { config, warnings: diag.items.map((d) => d.message) };
}
const conf = (mode?: string) =>
  parse(`${mode ? `global_defs {\n  lvs_dataplane ${mode}\n}\n` : ''}${vsText({})}`).config;

class FakeDataplane implements Dataplane {
  applied: DesiredTable[] = [];
  released = 0;
  constructor(readonly name: string) {}
  async apply(d: DesiredTable): Promise<ApplyStats> {
    this.applied.push(d);
    const z = { commands: 0, elementsAdded: 0, elementsRemoved: 0, chainsReplaced: 0, ms: 0 };
    return { ...z, warnings: [] };
  }
  async release(): Promise<void> {
    this.released++;
  }
  describe(): Record<string, unknown> {
    return {};
  }
}

const ABSENT = { present: false as const, reason: '/proc/net/ip_vs does not exist (…)' };

test('selectDataplane: every mode × probe', () => {
  assert.deepEqual(selectDataplane('auto', { present: true }), {
    kind: 'ipvs',
    level: 'info',
    message: 'IPVS present: using IPVS (generic netlink)',
  });
  assert.deepEqual(selectDataplane('auto', ABSENT), {
    kind: 'nftables',
    level: 'info',
    message: 'IPVS not available (no /proc/net/ip_vs): using nftables',
  });
  assert.equal(
    selectDataplane('auto', { present: false, reason: 'generic netlink family IPVS not found' })
      .message,
    'IPVS not available (generic netlink family IPVS not found): using nftables',
  );
  assert.equal(selectDataplane('nftables', { present: true }).kind, 'nftables');
  assert.equal(selectDataplane('ipvs', { present: true }).kind, 'ipvs');
  const forced = selectDataplane('ipvs', ABSENT);
  assert.equal(forced.kind, 'none');
  assert.equal(forced.level, 'error');
  assert.match(forced.message, /no IPVS/);
  assert.match(forced.message, /CONFIG_IP_VS/);
  assert.match(forced.message, /\/proc\/net\/ip_vs/);
  assert.match(forced.message, /load balancing not started/);
});

test('lvs_dataplane: default auto, the three words, a bad word warned and ignored', () => {
  assert.equal(conf().global.lvsDataplane, 'auto');
  assert.equal(conf('ipvs').global.lvsDataplane, 'ipvs');
  assert.equal(conf('NFTables').global.lvsDataplane, 'nftables');
  assert.equal(conf('auto').global.lvsDataplane, 'auto');
  const bad = parse(`global_defs {\n  lvs_dataplane bpf\n}\n`);
  assert.equal(bad.config.global.lvsDataplane, 'auto');
  assert.ok(
    bad.warnings.some((w) => /lvs_dataplane 'bpf' unknown/.test(w)),
    String(bad.warnings),
  );
});

async function run(
  mode: string | undefined,
  present: boolean,
): Promise<{
  logs: string[];
  errors: string[];
  nft: FakeDataplane;
  ipvs: FakeDataplane;
  probes: number;
  status: ReturnType<ReturnType<typeof createLbSubsystem>['status']>;
}> {
  const logs: string[] = [];
  const errors: string[] = [];
  const off = subscribe('log', (e) => {
    if (e.subsystem !== 'lb') return;
    logs.push(e.message);
    if (e.level === 'error') errors.push(e.message);
  });
  const ipvs = new FakeDataplane('ipvs');
  const nft = new FakeDataplane('nftables');
  let probes = 0;
  const lb = createLbSubsystem({
    connCounter: null,
    probeIpvs: async () => {
      probes++;
      return present ? { present: true } : ABSENT;
    },
    ipvsDataplane: () => ipvs,
    // Only reached for nftables: the fake stands in for NftDataplane through `dataplane`.
    ...(present && mode !== 'nftables' ? {} : { dataplane: nft }),
  });
  try {
    await lb.start(conf(mode));
    const status = lb.status();
    await lb.stop('test');
    return { logs, errors, nft, ipvs, probes, status };
  } finally {
    off();
  }
}

test('subsystem, auto with IPVS: the IPVS data plane gets the table, no approximation', async () => {
  const r = await run(undefined, true);
  assert.ok(r.logs.includes('IPVS present: using IPVS (generic netlink)'), String(r.logs));
  assert.equal(r.ipvs.applied.length, 1);
  assert.equal(r.ipvs.applied[0].services[0].backends.length, 3);
  assert.equal(r.status.dataplane, 'ipvs');
  assert.equal(r.status.services[0].approximate, undefined);
  assert.equal(r.ipvs.released, 1);
});

test('subsystem, auto without IPVS: one line saying nftables and why', async () => {
  const r = await run('auto', false);
  assert.deepEqual(
    r.logs.filter((l) => /IPVS|nftables/.test(l)),
    ['IPVS not available (no /proc/net/ip_vs): using nftables'],
  );
  assert.equal(r.nft.applied.length, 1);
  assert.equal(r.ipvs.applied.length, 0);
});

test('subsystem, forced nftables: IPVS is not even probed', async () => {
  const r = await run('nftables', true);
  assert.equal(r.probes, 0);
  assert.ok(r.logs.includes('lvs_dataplane nftables: using nftables'));
  assert.equal(r.nft.applied.length, 1);
});

test('subsystem, forced ipvs without IPVS: error, nothing applied, status says why', async () => {
  const r = await run('ipvs', false);
  assert.equal(r.errors.length, 1);
  assert.match(r.errors[0], /CONFIG_IP_VS/);
  assert.equal(r.nft.applied.length + r.ipvs.applied.length, 0);
  assert.equal(r.status.dataplane, 'none');
  assert.equal(r.status.error, r.errors[0]);
  assert.deepEqual(r.status.services, []);
  assert.equal(r.nft.released + r.ipvs.released, 0, 'stop releases nothing it did not make');
});
