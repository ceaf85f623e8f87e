/**
 * The IPVS data plane's pure half: desired table → IPVS services and dests (toIpvsTable), two
 * such tables → the ordered IPVS commands that turn one into the other (planIpvs), one command
 * folded into a table (applyCommand: what the kernel holds after it succeeded), and a command →
 * its generic netlink request (encodeCommand). No I/O here; ipvs-dataplane.ts sends.
 *
 * One IPVS service per match of a desired service (a virtual_server_group becomes several IPVS
 * services with the same dests, as keepalived does). Weights go as they are: weight 0 is IPVS's
 * quiescent dest (no new connections), exactly the drained state of desired.ts. IPVS schedules
 * lc/wlc/sed/nq/lblc/lblcr/fo/ovf natively, so the nftables slot weights are ignored here.
 * keepalived differences: none in the commands sent; the desired table carries only the
 * sh-port/mh-port scheduler flags (hashPort), so sh-fallback, mh-fallback and ops are not sent.
 */
import type {
  DestInfo,
  DestKey,
  DestSpec,
  ForwardMethod,
  Protocol,
  ServiceFlag,
  ServiceInfo,
  ServiceKey,
  ServiceSpec,
} from '../os/ipvs/types.js';
import {
  encodeDelDest,
  encodeDelService,
  encodeNewDest,
  encodeNewService,
  encodeSetDest,
  encodeSetService,
  type IpvsRequest,
} from '../os/ipvs/messages.js';
import type { DesiredService, DesiredTable, ServiceMatch } from './types.js';

/** The schedulers IPVS ships (net/netfilter/ipvs/ip_vs_*.c); keepalived's lb_algo uses the same names. */
export const IPVS_SCHEDULERS: ReadonlySet<string> = new Set([
  'rr',
  'wrr',
  'lc',
  'wlc',
  'lblc',
  'lblcr',
  'dh',
  'sh',
  'sed',
  'nq',
  'fo',
  'ovf',
  'mh',
  'twos',
]);

/** lb_algo → IPVS scheduler name, or null when IPVS has no such scheduler. */
export function ipvsScheduler(lbAlgo: string): string | null {
  const s = lbAlgo.toLowerCase();
  return IPVS_SCHEDULERS.has(s) ? s : null;
}

/** One IPVS service as this data plane wants it, with its dests by destKeyId. */
export interface IpvsService {
  /** The desired service (formatVs id) it comes from. */
  owner: string;
  spec: ServiceSpec;
  dests: Map<string, DestSpec>;
}

/** IPVS services by serviceKeyId. */
export type IpvsTable = Map<string, IpvsService>;

export type IpvsCommand =
  | { op: 'newService'; spec: ServiceSpec }
  | { op: 'setService'; spec: ServiceSpec }
  | { op: 'delService'; key: ServiceKey }
  | { op: 'newDest'; svc: ServiceKey; dest: DestSpec }
  | { op: 'setDest'; svc: ServiceKey; dest: DestSpec }
  | { op: 'delDest'; svc: ServiceKey; dest: DestKey };

/** Stable text identity of a service ('4 TCP 192.0.2.1 80', '6 fwmark 7'). */
export function serviceKeyId(k: ServiceKey): string {
  return 'fwmark' in k
    ? `${k.family} fwmark ${k.fwmark}`
    : `${k.family} ${k.protocol} ${k.address} ${k.port}`;
}

export function destKeyId(d: DestKey): string {
  return `${d.address} ${d.port}`;
}

/** Only the identity fields (what DEL_SERVICE and the dest commands carry). */
export function serviceKeyOf(s: ServiceKey): ServiceKey {
  return 'fwmark' in s
    ? { family: s.family, fwmark: s.fwmark }
    : { family: s.family, protocol: s.protocol, address: s.address, port: s.port };
}

const PROTO: Record<string, Protocol> = { tcp: 'TCP', udp: 'UDP', sctp: 'SCTP' };

function specOf(s: DesiredService, m: ServiceMatch, scheduler: string): ServiceSpec {
  const key: ServiceKey =
    m.kind === 'fwmark'
      ? { family: m.family, fwmark: m.mark }
      : { family: m.family, protocol: PROTO[m.proto], address: m.addr, port: m.port };
  const flags: ServiceFlag[] = [];
  if (s.hashPort && (scheduler === 'sh' || scheduler === 'mh')) flags.push(`${scheduler}-port`);
  return {
    ...key,
    scheduler,
    flags,
    persistenceTimeout: s.persistence?.timeout ?? 0,
    netmask: s.persistence?.prefix ?? (m.family === 4 ? 32 : 128),
  };
}

export interface IpvsTableResult {
  table: IpvsTable;
  /** Desired services IPVS cannot take, with the reason. */
  refused: Array<{ id: string; why: string }>;
  warnings: string[];
}

/** Desired table → IPVS services and dests. Pure. */
export function toIpvsTable(desired: DesiredTable): IpvsTableResult {
  const table: IpvsTable = new Map();
  const refused: IpvsTableResult['refused'] = [];
  const warnings: string[] = [];
  for (const s of desired.services) {
    const scheduler = ipvsScheduler(s.scheduler);
    if (!scheduler) {
      refused.push({ id: s.id, why: `IPVS has no scheduler '${s.scheduler}'` });
      continue;
    }
    const forward: ForwardMethod = s.method;
    const dests = new Map<string, DestSpec>();
    for (const b of s.backends) {
      const d: DestSpec = { address: b.addr, port: b.port, forward, weight: b.weight };
      const k = destKeyId(d);
      if (dests.has(k)) {
        warnings.push(`VS ${s.id}: real server ${b.id} listed twice; IPVS keeps the first`);
        continue;
      }
      dests.set(k, d);
    }
    for (const m of s.matches) {
      const spec = specOf(s, m, scheduler);
      const k = serviceKeyId(spec);
      if (table.has(k)) {
        warnings.push(`VS ${s.id}: IPVS service ${k} already made by VS ${table.get(k)!.owner}`);
        continue;
      }
      table.set(k, { owner: s.id, spec, dests: new Map(dests) });
    }
  }
  return { table, refused, warnings };
}

function sameService(a: ServiceSpec, b: ServiceSpec): boolean {
  return (
    a.scheduler === b.scheduler &&
    (a.persistenceTimeout ?? 0) === (b.persistenceTimeout ?? 0) &&
    String(a.netmask) === String(b.netmask) &&
    (a.persistenceEngine ?? '') === (b.persistenceEngine ?? '') &&
    [...(a.flags ?? [])].sort().join(',') === [...(b.flags ?? [])].sort().join(',')
  );
}

function sameDest(a: DestSpec, b: DestSpec): boolean {
  return (
    a.forward === b.forward &&
    a.weight === b.weight &&
    (a.upperThreshold ?? 0) === (b.upperThreshold ?? 0) &&
    (a.lowerThreshold ?? 0) === (b.lowerThreshold ?? 0) &&
    JSON.stringify(a.tunnel ?? null) === JSON.stringify(b.tunnel ?? null)
  );
}

/**
 * The commands that turn `prev` into `next`, in the order to send them: services that go are
 * deleted first (the kernel drops their dests with them); then each kept or new service is
 * updated or created, and its dests added, then updated, then removed — adding before removing
 * so a service being changed never stands empty in between. Nothing for equal tables. Pure.
 */
export function planIpvs(prev: IpvsTable, next: IpvsTable): IpvsCommand[] {
  const out: IpvsCommand[] = [];
  for (const [k, p] of prev)
    if (!next.has(k)) out.push({ op: 'delService', key: serviceKeyOf(p.spec) });
  for (const [k, n] of next) {
    const p = prev.get(k);
    const svc = serviceKeyOf(n.spec);
    if (!p) out.push({ op: 'newService', spec: n.spec });
    else if (!sameService(p.spec, n.spec)) out.push({ op: 'setService', spec: n.spec });
    const old = p?.dests ?? new Map<string, DestSpec>();
    const sets: IpvsCommand[] = [];
    for (const [dk, d] of n.dests) {
      const o = old.get(dk);
      if (!o) out.push({ op: 'newDest', svc, dest: d });
      else if (!sameDest(o, d)) sets.push({ op: 'setDest', svc, dest: d });
    }
    out.push(...sets);
    for (const [dk, o] of old)
      if (!n.dests.has(dk))
        out.push({ op: 'delDest', svc, dest: { address: o.address, port: o.port } });
  }
  return out;
}

/**
 * `state` after the kernel accepted `c` (a new copy; `state` is not changed). `owner` names the
 * desired service a new service belongs to. Pure.
 */
export function applyCommand(state: IpvsTable, c: IpvsCommand, owner = ''): IpvsTable {
  const out: IpvsTable = new Map(state);
  const svcOf = (k: ServiceKey): IpvsService | undefined => {
    const id = serviceKeyId(k);
    const s = out.get(id);
    if (!s) return undefined;
    const copy = { ...s, dests: new Map(s.dests) };
    out.set(id, copy);
    return copy;
  };
  switch (c.op) {
    case 'newService':
      out.set(serviceKeyId(c.spec), { owner, spec: c.spec, dests: new Map() });
      break;
    case 'setService': {
      const s = svcOf(c.spec);
      if (s) s.spec = c.spec;
      break;
    }
    case 'delService':
      out.delete(serviceKeyId(c.key));
      break;
    case 'newDest':
    case 'setDest':
      svcOf(c.svc)?.dests.set(destKeyId(c.dest), c.dest);
      break;
    case 'delDest':
      svcOf(c.svc)?.dests.delete(destKeyId(c.dest));
      break;
  }
  return out;
}

/** The generic netlink request for one command (src/os/ipvs/messages.ts layouts). */
export function encodeCommand(c: IpvsCommand): IpvsRequest {
  switch (c.op) {
    case 'newService':
      return encodeNewService(c.spec);
    case 'setService':
      return encodeSetService(c.spec);
    case 'delService':
      return encodeDelService(c.key);
    case 'newDest':
      return encodeNewDest(c.svc, c.dest);
    case 'setDest':
      return encodeSetDest(c.svc, c.dest);
    case 'delDest':
      return encodeDelDest(c.svc, c.dest);
  }
}

/** ipvsadm-like text of a command, for logs and errors. */
export function describeCommand(c: IpvsCommand): string {
  const svc = (k: ServiceKey): string =>
    'fwmark' in k
      ? `FWM ${k.fwmark}${k.family === 6 ? ' IPv6' : ''}`
      : `${k.protocol} ${k.family === 6 ? `[${k.address}]` : k.address}:${k.port}`;
  const dst = (d: DestKey): string =>
    `${d.address.includes(':') ? `[${d.address}]` : d.address}:${d.port}`;
  switch (c.op) {
    case 'newService':
      return `add service ${svc(c.spec)} ${c.spec.scheduler}`;
    case 'setService':
      return `update service ${svc(c.spec)} ${c.spec.scheduler}`;
    case 'delService':
      return `delete service ${svc(c.key)}`;
    case 'newDest':
      return `add dest ${dst(c.dest)} to ${svc(c.svc)} weight ${c.dest.weight}`;
    case 'setDest':
      return `update dest ${dst(c.dest)} of ${svc(c.svc)} weight ${c.dest.weight}`;
    case 'delDest':
      return `delete dest ${dst(c.dest)} from ${svc(c.svc)}`;
  }
}

/**
 * A service as the kernel lists it (IpvsClient.services()/dests()) → the same shape, so a
 * restart can adopt services a previous run left (-I) instead of failing on EEXIST. Pure.
 */
export function fromKernel(info: ServiceInfo, dests: DestInfo[], owner: string): IpvsService {
  const spec: ServiceSpec = {
    ...serviceKeyOf(info),
    scheduler: info.scheduler,
    flags: info.flags.filter((f) => f !== 'persistent'),
    persistenceTimeout: info.persistenceTimeout,
    netmask: info.netmask,
    ...(info.persistenceEngine ? { persistenceEngine: info.persistenceEngine } : {}),
  };
  const map = new Map<string, DestSpec>();
  for (const d of dests) {
    const spec: DestSpec = {
      address: d.address,
      port: d.port,
      forward: d.forward,
      weight: d.weight,
      ...(d.upperThreshold ? { upperThreshold: d.upperThreshold } : {}),
      ...(d.lowerThreshold ? { lowerThreshold: d.lowerThreshold } : {}),
      ...(d.tunnel ? { tunnel: d.tunnel } : {}),
    };
    map.set(destKeyId(spec), spec);
  }
  return { owner, spec, dests: map };
}
