/**
 * The config model of a vrrp_instance → what the runtime needs: the state machine's
 * MachineConfig (seconds → µs), the receive expectations (validate.ts), the advert fields, and
 * a fingerprint that says whether a reload must restart the instance. Pure: no I/O.
 *
 * keepalived differences: IPsec AH is not supported (the instance is skipped).
 */
import type { GlobalDefs } from '../config/global/types.js';
import type { Config } from '../config/model.js';
import type { VrrpInstance } from '../config/vrrp/types.js';
import { machineConfig } from './machine.js';
import type { MachineConfig } from './machine-types.js';
import { encodeAdvert, passAuthData } from './packet.js';
import { seconds, type Micros } from './timers.js';
import type { AdvertExpectations, VrrpAdvertFields } from './types.js';
import { garpExtraIfPlan } from './vip-placement.js';
import { addressVmacs } from './vip-placement.js';

/** Advert interval of an instance in centiseconds (v2 whole seconds, v3 10 ms steps). */
export function intervalCs(v: VrrpInstance): number {
  const cs = Math.round(v.advertInt * 100);
  return v.version === 2 ? Math.max(1, Math.round(cs / 100)) * 100 : Math.max(1, cs);
}

/** The machine's configuration; `primaryAddress` is the source the runtime found. */
export function toMachineConfig(
  v: VrrpInstance,
  g: GlobalDefs,
  primaryAddress: string,
  /** Member of a sync group with other members: the group decides when it goes MASTER. */
  inSyncGroup = false,
  /** vrrp_startup_delay's end (monotonic µs), as the runtime started; null: none. */
  startupUntil: Micros | null = null,
): MachineConfig {
  const minGarp = g.vrrpMinGarp;
  return machineConfig(v.name, primaryAddress, {
    version: v.version,
    priority: v.priority,
    wantMaster: v.state === 'MASTER',
    advertInt: intervalCs(v) * 10_000,
    downTimerAdverts: v.downTimerAdverts,
    nopreempt: v.nopreempt,
    preemptDelay: seconds(v.preemptDelay),
    accept: v.accept,
    lowerPrioNoAdvert: v.lowerPrioNoAdvert ?? g.vrrpLowerPrioNoAdvert,
    higherPrioSendAdvert: v.higherPrioSendAdvert ?? g.vrrpHigherPrioSendAdvert,
    // vrrp_min_garp: one GARP, no second burst (keepalived's global shortcut).
    garpMasterRepeat: minGarp ? 1 : v.garpMasterRepeat,
    garpMasterDelay: minGarp ? 0 : seconds(v.garpMasterDelay),
    garpMasterRefresh: seconds(v.garpMasterRefresh),
    garpMasterRefreshRepeat: v.garpMasterRefreshRepeat,
    garpExtraIf: seconds(garpExtraIfPlan(v, g.vrrpGarpExtraIf)?.intervalS ?? 0),
    garpLowerPrioRepeat: minGarp ? 0 : (v.garpLowerPrioRepeat ?? 0),
    garpLowerPrioDelay: seconds(v.garpLowerPrioDelay ?? 0),
    syncGroup: inSyncGroup,
    startupUntil,
  });
}

/** The advertised addresses: the instance's family only, in configured order (max 255). */
export function advertAddresses(v: VrrpInstance): string[] {
  return v.virtualIpaddress
    .filter((a) => a.family === v.family)
    .slice(0, 255)
    .map((a) => a.address);
}

/**
 * The instance's share of its receive socket's buffer, as keepalived computes it: its own
 * kernel_rx_buf_size, else global_defs vrrp_rx_bufs_policy (a size, or vrrp_rx_bufs_multiplier
 * times the advert's length — with the IPv4 header, as vrrp_adv_len — or the link's MTU); 0: none.
 */
export function rxBufShare(v: VrrpInstance, g: GlobalDefs, mtu: number | undefined): number {
  if (v.kernelRxBufSize) return v.kernelRxBufSize;
  const p = g.vrrpRxBufsPolicy;
  if (!p) return 0;
  if (p.kind === 'size') return p.size;
  if (p.kind === 'mtu') return mtu ? g.vrrpRxBufsMultiplier * mtu : 0;
  const t = advertTemplate(v);
  const len = 8 + t.addresses.length * (v.family === 4 ? 4 : 16) + (t.authType ? 8 : 0);
  return g.vrrpRxBufsMultiplier * (len + (v.family === 4 ? 20 : 0));
}

/** Receive checks for validateAdvert. */
export function toExpectations(v: VrrpInstance, g: GlobalDefs): AdvertExpectations {
  return {
    version: v.version,
    vrid: v.virtualRouterId ?? 0,
    addresses: advertAddresses(v),
    intervalCs: intervalCs(v),
    authType: v.authType === 'PASS' ? 'PASS' : null,
    authPass: v.authPass,
    unicastPeers: v.unicastPeers.map((p) => ({
      address: p.address,
      minTtl: p.minTtl,
      maxTtl: p.maxTtl,
    })),
    checkUnicastSrc: v.checkUnicastSrc || g.vrrpCheckUnicastSrc,
    skipCheckAdvAddr: v.skipCheckAdvAddr,
    currentMaster: null,
  };
}

/** Everything of an advert but the priority (which the machine decides per send). */
export function advertTemplate(v: VrrpInstance): Omit<VrrpAdvertFields, 'priority'> {
  return {
    version: v.version,
    vrid: v.virtualRouterId ?? 0,
    addresses: advertAddresses(v),
    intervalCs: intervalCs(v),
    authType: v.version === 2 && v.authType === 'PASS' ? 1 : 0,
  };
}

/**
 * The instance's advert encoder: priority and destination → the bytes to send from `source`.
 * A master sends the same bytes every interval, so each (priority, destination) is encoded once
 * (at most 256 priorities × the destinations); the caller must not change the bytes.
 */
export function advertEncoder(
  v: VrrpInstance,
  source: string,
): (priority: number, dst: string) => Uint8Array {
  const template = advertTemplate(v);
  const authData =
    v.authType === 'PASS' && v.version === 2 ? passAuthData(v.authPass ?? '') : undefined;
  const opts = {
    oldUnicastChecksum: v.oldUnicastChecksum === 'config',
    v3ChecksumAsV2: v.v3ChecksumAsV2,
  };
  const memo = new Map<string, Uint8Array>();
  return (priority, dst) => {
    const key = `${priority} ${dst}`;
    let bytes = memo.get(key);
    if (!bytes) {
      const ip = { family: v.family, src: source, dst };
      bytes = encodeAdvert({ ...template, priority, authData }, ip, opts);
      memo.set(key, bytes);
    }
    return bytes;
  };
}

/** Why the runtime cannot run this instance yet, or null when it can. */
export function unsupportedReason(v: VrrpInstance): string | null {
  if (!v.usable) return v.problems.join('; ') || 'unusable instance';
  if (!v.interface) return 'no interface';
  if (v.authType === 'AH') return 'IPsec AH authentication is not supported';
  if (v.virtualRouterId === null) return 'no virtual_router_id';
  return null;
}

/** Global keywords that change how an instance runs (a change restarts every instance). */
const GLOBAL_KEYS = [
  'vrrpMcastGroup4',
  'vrrpMcastGroup6',
  'vrrpMinGarp',
  'vrrpCheckUnicastSrc',
  'vrrpLowerPrioNoAdvert',
  'vrrpHigherPrioSendAdvert',
  'vrrpGarpExtraIf',
  'vrrpGarpInterval',
  'vrrpGnaInterval',
] as const satisfies readonly (keyof GlobalDefs)[];

/** Whether the instance makes VMACs: its own (use_vmac) or address VMACs (use_vmac_addr…). */
function usesVmacs(v: VrrpInstance): boolean {
  return v.useVmac !== null || addressVmacs(v).length > 0;
}

/**
 * A stable text that changes exactly when a reload must restart the instance: its own block,
 * its sync group, the scripts, track files and tracked processes it uses, and the relevant global
 * keywords.
 */
export function instanceFingerprint(v: VrrpInstance, c: Config): string {
  const vr = c.vrrp;
  const group = v.syncGroup ? (vr.syncGroups[v.syncGroup] ?? null) : null;
  const scriptNames = [...v.track.scripts, ...(group?.track.scripts ?? [])].map((t) => t.name);
  const fileNames = [...v.track.files, ...(group?.track.files ?? [])].map((t) => t.name);
  const procNames = [...v.track.processes, ...(group?.track.processes ?? [])].map((t) => t.name);
  const pos = (o: unknown): unknown =>
    JSON.parse(JSON.stringify(o, (k, val: unknown) => (k === 'pos' ? undefined : val)));
  return JSON.stringify({
    instance: pos(v),
    group: pos(group),
    scripts: scriptNames.map((n) => pos(vr.scripts[n] ?? null)),
    files: fileNames.map((n) => pos(vr.trackFiles[n] ?? null)),
    processes: procNames.map((n) => pos(vr.trackProcesses[n] ?? null)),
    global: GLOBAL_KEYS.map((k) => c.global[k]),
    // VMAC name prefixes rename the VMACs of an instance that has some, and only of those.
    vmacNames: usesVmacs(v) ? [c.global.vmacPrefix, c.global.vmacAddrPrefix] : null,
  });
}
