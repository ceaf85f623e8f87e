/**
 * IpvsDataplane: the Dataplane (dataplane.ts) over IPVS generic netlink. I/O; the planning is
 * pure in ipvs-plan.ts. It keeps the IPVS table it last made in memory and sends only the
 * difference (never lists the kernel to diff), one acked request per command. IPVS has no
 * transactions: after each accepted command the in-memory table follows, so a failure half-way
 * leaves a table that matches the kernel and the next apply retries the rest.
 * At the first apply it adopts the desired services that already exist in the kernel (left by a
 * run with -I), so a restart with the same config sends nothing. release() deletes only the
 * services this data plane made or adopted; other IPVS services are never touched.
 * keepalived difference: no `modprobe ip_vs`; no FLUSH at start (lvs_flush is not acted on).
 */
import { IpvsClient } from '../os/ipvs/client.js';
import { counterNames } from './ruleset.js';
import type { ApplyStats, CounterValue, Dataplane } from './dataplane.js';
import {
  applyCommand,
  describeCommand,
  fromKernel,
  planIpvs,
  serviceKeyId,
  serviceKeyOf,
  toIpvsTable,
  type IpvsCommand,
  type IpvsTable,
} from './ipvs-plan.js';
import type { DesiredTable } from './types.js';
import type {
  DestInfo,
  DestKey,
  DestSpec,
  ServiceInfo,
  ServiceKey,
  ServiceSpec,
} from '../os/ipvs/types.js';

/** The IpvsClient methods used here (an interface so tests can stand in for the kernel). */
export interface IpvsOps {
  addService(s: ServiceSpec): Promise<void>;
  updateService(s: ServiceSpec): Promise<void>;
  deleteService(k: ServiceKey): Promise<void>;
  addDest(svc: ServiceKey, d: DestSpec): Promise<void>;
  updateDest(svc: ServiceKey, d: DestSpec): Promise<void>;
  deleteDest(svc: ServiceKey, d: DestKey): Promise<void>;
  services(): Promise<ServiceInfo[]>;
  dests(svc: ServiceKey): Promise<DestInfo[]>;
  close(): void;
}

export interface IpvsDataplaneOptions {
  /** Opens the client; default IpvsClient.open() (IpvsUnavailableError without IPVS). */
  open?: () => Promise<IpvsOps>;
}

function send(ops: IpvsOps, c: IpvsCommand): Promise<void> {
  switch (c.op) {
    case 'newService':
      return ops.addService(c.spec);
    case 'setService':
      return ops.updateService(c.spec);
    case 'delService':
      return ops.deleteService(c.key);
    case 'newDest':
      return ops.addDest(c.svc, c.dest);
    case 'setDest':
      return ops.updateDest(c.svc, c.dest);
    case 'delDest':
      return ops.deleteDest(c.svc, c.dest);
  }
}

export class IpvsDataplane implements Dataplane {
  readonly name = 'ipvs';
  private ops: IpvsOps | null = null;
  private readonly open: () => Promise<IpvsOps>;
  /** What the kernel holds of ours, as far as acks tell. */
  private applied: IpvsTable = new Map();
  private adopted = false;
  private owners = new Map<string, string[]>();

  constructor(opts: IpvsDataplaneOptions = {}) {
    this.open = opts.open ?? (() => IpvsClient.open());
  }

  private async client(): Promise<IpvsOps> {
    this.ops ??= await this.open();
    return this.ops;
  }

  /** The kernel's copy of the services we are about to want, so a restart sends nothing. */
  private async adopt(ops: IpvsOps, want: IpvsTable): Promise<void> {
    this.adopted = true;
    for (const info of await ops.services()) {
      const k = serviceKeyId(serviceKeyOf(info));
      const w = want.get(k);
      if (w) this.applied.set(k, fromKernel(info, await ops.dests(info), w.owner));
    }
  }

  async apply(desired: DesiredTable): Promise<ApplyStats> {
    const t0 = performance.now();
    const ops = await this.client();
    const { table, refused, warnings } = toIpvsTable(desired);
    for (const r of refused) warnings.push(`VS ${r.id} not installed in IPVS: ${r.why}`);
    if (!this.adopted) await this.adopt(ops, table);
    const cmds = planIpvs(this.applied, table);
    const owner = new Map([...table].map(([k, s]) => [k, s.owner]));
    const failed: string[] = [];
    const st: ApplyStats = {
      commands: 0,
      elementsAdded: 0,
      elementsRemoved: 0,
      chainsReplaced: 0,
      ms: 0,
      warnings,
    };
    for (const c of cmds) {
      // A dest whose service the kernel refused would fail too: skip it, one error is enough.
      if (
        (c.op === 'newDest' || c.op === 'setDest' || c.op === 'delDest') &&
        !this.applied.has(serviceKeyId(c.svc))
      )
        continue;
      try {
        await send(ops, c);
      } catch (e) {
        failed.push(e instanceof Error ? e.message : `${describeCommand(c)}: ${String(e)}`);
        continue;
      }
      const k =
        c.op === 'delService' ? serviceKeyId(c.key) : serviceKeyId('svc' in c ? c.svc : c.spec);
      this.applied = applyCommand(this.applied, c, owner.get(k) ?? '');
      st.commands++;
      if (c.op === 'newDest') st.elementsAdded++;
      else if (c.op === 'delDest') st.elementsRemoved++;
      else if (c.op !== 'setDest') st.chainsReplaced++;
    }
    this.owners = new Map();
    for (const [k, s] of this.applied)
      this.owners.set(s.owner, [...(this.owners.get(s.owner) ?? []), k]);
    st.ms = performance.now() - t0;
    if (failed.length) {
      throw new Error(
        `IPVS: ${failed.length} of ${cmds.length} commands failed: ${failed.join('; ')}`,
      );
    }
    return st;
  }

  async release(): Promise<void> {
    if (!this.ops) return;
    const ops = this.ops;
    for (const s of this.applied.values()) {
      try {
        await ops.deleteService(serviceKeyOf(s.spec));
      } catch {
        // Already gone (someone ran ipvsadm -C): nothing left to remove.
      }
    }
    this.applied = new Map();
    this.owners = new Map();
    ops.close();
    this.ops = null;
    this.adopted = false;
  }

  describe(): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [owner, keys] of this.owners) out[owner] = { ipvsServices: keys };
    return out;
  }

  /**
   * Per real server address . port, the IPVS dest counters summed over our services, under the
   * names the nftables counters use (ruleset.ts counterNames), so the subsystem's stats() reads
   * both data planes the same way. One GET_DEST dump per service.
   */
  async counters(): Promise<Map<string, CounterValue>> {
    const out = new Map<string, CounterValue>();
    if (!this.ops) return out;
    const add = (name: string, packets: number, bytes: number): void => {
      const v = out.get(name) ?? { packets: 0, bytes: 0 };
      out.set(name, { packets: v.packets + packets, bytes: v.bytes + bytes });
    };
    for (const s of this.applied.values()) {
      for (const d of await this.ops.dests(serviceKeyOf(s.spec))) {
        if (!d.stats) continue;
        const n = counterNames(d.address, d.port);
        add(n.in, d.stats.inPackets, d.stats.inBytes);
        add(n.out, d.stats.outPackets, d.stats.outBytes);
      }
    }
    return out;
  }

  /** The IPVS table as this data plane believes the kernel holds it (tests, status). */
  snapshot(): IpvsTable {
    return this.applied;
  }
}
