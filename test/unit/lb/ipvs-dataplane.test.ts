// IpvsDataplane (src/lb/ipvs-dataplane.ts) against a fake kernel that keeps an IPVS table and
// answers as ip_vs_ctl.c does (EEXIST on a duplicate add, ESRCH/ENOENT on a missing object,
// ENOENT for an unknown scheduler). Checks: first apply builds the table, the same table sends
// nothing, one weight change sends one command, a refused service does not stop the others and
// is retried, release removes only our services, a restart adopts what the kernel already has,
// counters sum the dest stats under the nftables counter names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GenlError } from '../../../src/os/genl/errors.js';
import { IpvsDataplane, type IpvsOps } from '../../../src/lb/ipvs-dataplane.js';
import { serviceKeyId } from '../../../src/lb/ipvs-plan.js';
import type {
  DestInfo,
  DestKey,
  DestSpec,
  ServiceInfo,
  ServiceKey,
  ServiceSpec,
} from '../../../src/os/ipvs/types.js';
import type { DesiredService, DesiredTable } from '../../../src/lb/types.js';

const KNOWN = new Set(['rr', 'wrr', 'wlc', 'sh', 'mh']);

class FakeKernel implements IpvsOps {
  svcs = new Map<string, { spec: ServiceSpec; dests: Map<string, DestSpec> }>();
  log: string[] = [];
  closed = 0;
  private svc(k: ServiceKey, what: string) {
    const s = this.svcs.get(serviceKeyId(k));
    if (!s) throw new GenlError(what, 3); // ESRCH
    return s;
  }
  async addService(s: ServiceSpec): Promise<void> {
    this.log.push(`addService ${serviceKeyId(s)}`);
    if (!KNOWN.has(s.scheduler)) throw new GenlError(`add service ${serviceKeyId(s)}`, 2);
    if (this.svcs.has(serviceKeyId(s))) throw new GenlError('add service', 17);
    this.svcs.set(serviceKeyId(s), { spec: s, dests: new Map() });
  }
  async updateService(s: ServiceSpec): Promise<void> {
    this.log.push(`updateService ${serviceKeyId(s)}`);
    this.svc(s, 'update service').spec = s;
  }
  async deleteService(k: ServiceKey): Promise<void> {
    this.log.push(`deleteService ${serviceKeyId(k)}`);
    this.svc(k, 'delete service');
    this.svcs.delete(serviceKeyId(k));
  }
  async addDest(k: ServiceKey, d: DestSpec): Promise<void> {
    this.log.push(`addDest ${d.address}:${d.port} w${d.weight}`);
    const s = this.svc(k, 'add dest');
    if (s.dests.has(`${d.address}:${d.port}`)) throw new GenlError('add dest', 17);
    s.dests.set(`${d.address}:${d.port}`, d);
  }
  async updateDest(k: ServiceKey, d: DestSpec): Promise<void> {
    this.log.push(`updateDest ${d.address}:${d.port} w${d.weight}`);
    const s = this.svc(k, 'update dest');
    if (!s.dests.has(`${d.address}:${d.port}`)) throw new GenlError('update dest', 2);
    s.dests.set(`${d.address}:${d.port}`, d);
  }
  async deleteDest(k: ServiceKey, d: DestKey): Promise<void> {
    this.log.push(`deleteDest ${d.address}:${d.port}`);
    const s = this.svc(k, 'delete dest');
    if (!s.dests.delete(`${d.address}:${d.port}`)) throw new GenlError('delete dest', 2);
  }
  async services(): Promise<ServiceInfo[]> {
    return [...this.svcs.values()].map(({ spec }) => ({
      ...spec,
      persistenceEngine: null,
      flagBits: 2,
      flags: [...(spec.persistenceTimeout ? (['persistent'] as const) : []), ...(spec.flags ?? [])],
      persistenceTimeout: spec.persistenceTimeout ?? 0,
      netmask: spec.netmask ?? 32,
      stats: null,
    }));
  }
  async dests(k: ServiceKey): Promise<DestInfo[]> {
    const s = this.svcs.get(serviceKeyId(k));
    return [...(s?.dests.values() ?? [])].map((d, i) => ({
      address: d.address,
      family: 4,
      port: d.port,
      forward: d.forward,
      weight: d.weight,
      upperThreshold: 0,
      lowerThreshold: 0,
      activeConns: 0,
      inactiveConns: 0,
      persistentConns: 0,
      tunnel: null,
      stats: {
        conns: 1,
        inPackets: 10 + i,
        outPackets: 5,
        inBytes: 1000,
        outBytes: 500,
        cps: 0,
        inPps: 0,
        outPps: 0,
        inBps: 0,
        outBps: 0,
      },
    }));
  }
  close(): void {
    this.closed++;
  }
  /** 'key: addr:port/weight …' per service, for comparisons. */
  dump(): string[] {
    return [...this.svcs]
      .map(
        ([k, s]) =>
          `${k} ${s.spec.scheduler}: ${[...s.dests.values()].map((d) => `${d.address}:${d.port}/${d.weight}`).join(' ')}`,
      )
      .sort();
  }
}

const rs = (i: number, weight = 1) => ({
  id: `rs${i}`,
  addr: `198.51.100.${10 + i}`,
  port: 80,
  weight,
  sorry: false,
  up: true,
});
const svc = (port: number, scheduler: string, weights: number[]): DesiredService => ({
  id: `vs${port}`,
  family: 4,
  matches: [{ kind: 'addr', family: 4, addr: '203.0.113.100', proto: 'tcp', port }],
  scheduler,
  hashPort: false,
  method: 'NAT',
  persistence: null,
  backends: weights.map((w, i) => rs(i + 1, w)),
  configured: [],
  quorumUp: true,
  sorryActive: false,
});
const table = (...services: DesiredService[]): DesiredTable => ({ services, refused: [] });

function setup(k = new FakeKernel()) {
  const dp = new IpvsDataplane({ open: async () => k });
  return { k, dp };
}

test('apply builds the table, then sends only differences', async () => {
  const { k, dp } = setup();
  const st = await dp.apply(table(svc(80, 'rr', [1, 2, 3])));
  assert.equal(dp.name, 'ipvs');
  assert.equal(st.commands, 4);
  assert.equal(st.elementsAdded, 3);
  assert.deepEqual(k.dump(), [
    '4 TCP 203.0.113.100 80 rr: 198.51.100.11:80/1 198.51.100.12:80/2 198.51.100.13:80/3',
  ]);
  k.log = [];
  assert.equal((await dp.apply(table(svc(80, 'rr', [1, 2, 3])))).commands, 0);
  assert.deepEqual(k.log, []);
  await dp.apply(table(svc(80, 'rr', [1, 0, 3])));
  assert.deepEqual(k.log, ['updateDest 198.51.100.12:80 w0']);
  assert.deepEqual(dp.describe(), { vs80: { ipvsServices: ['4 TCP 203.0.113.100 80'] } });
});

test('a refused service does not stop the others, its dests are skipped, it is retried', async () => {
  const { k, dp } = setup();
  await assert.rejects(
    dp.apply(table(svc(80, 'twos', [1, 1]), svc(443, 'wrr', [1]))),
    /IPVS: 1 of 5 commands failed: .*add service 4 TCP 203.0.113.100 80/,
  );
  assert.deepEqual(k.dump(), ['4 TCP 203.0.113.100 443 wrr: 198.51.100.11:80/1']);
  // No NEW_DEST was sent for the refused service.
  assert.deepEqual(k.log, [
    'addService 4 TCP 203.0.113.100 80',
    'addService 4 TCP 203.0.113.100 443',
    'addDest 198.51.100.11:80 w1',
  ]);
  k.log = [];
  // The scheduler becomes one the kernel has: the service and its dests go in now.
  await dp.apply(table(svc(80, 'rr', [1, 1]), svc(443, 'wrr', [1])));
  assert.deepEqual(k.log, [
    'addService 4 TCP 203.0.113.100 80',
    'addDest 198.51.100.11:80 w1',
    'addDest 198.51.100.12:80 w1',
  ]);
});

test('release deletes only the services it made', async () => {
  const k = new FakeKernel();
  await k.addService({
    family: 4,
    protocol: 'UDP',
    address: '192.0.2.1',
    port: 53,
    scheduler: 'rr',
  });
  const { dp } = setup(k);
  await dp.apply(table(svc(80, 'rr', [1]), svc(443, 'sh', [1, 1])));
  assert.equal(k.svcs.size, 3);
  await dp.release();
  assert.deepEqual([...k.svcs.keys()], ['4 UDP 192.0.2.1 53']);
  assert.equal(k.closed, 1);
});

test('a restart adopts the services the kernel already has (-I): nothing sent', async () => {
  const k = new FakeKernel();
  const first = setup(k).dp;
  await first.apply(table(svc(80, 'wlc', [1, 2])));
  // The daemon stopped with -I: no release. A new one starts with the same config.
  k.log = [];
  const second = setup(k).dp;
  const st = await second.apply(table(svc(80, 'wlc', [1, 2])));
  assert.equal(st.commands, 0);
  assert.deepEqual(k.log, []);
  // …and with one weight changed: just that dest.
  await second.apply(table(svc(80, 'wlc', [1, 4])));
  assert.deepEqual(k.log, ['updateDest 198.51.100.12:80 w4']);
});

test('counters: per real server, summed over services, under the nft counter names', async () => {
  const { dp } = setup();
  assert.equal((await dp.counters()).size, 0, 'nothing before the first apply');
  await dp.apply(table(svc(80, 'rr', [1, 1]), svc(443, 'rr', [1])));
  const c = await dp.counters();
  // 198.51.100.11:80 is dest 0 of both services: 10 + 10 packets in.
  assert.deepEqual(c.get('rs_198_51_100_11_80_in'), { packets: 20, bytes: 2000 });
  assert.deepEqual(c.get('rs_198_51_100_11_80_out'), { packets: 10, bytes: 1000 });
  assert.deepEqual(c.get('rs_198_51_100_12_80_in'), { packets: 11, bytes: 1000 });
});
