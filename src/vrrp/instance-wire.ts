/**
 * The kernel-facing objects one vrrp_instance runs on, opened at its start: its VMACs (own and
 * use_vmac_addr), its VIPs / virtual routes / rules (InstanceAddresses, stale VIPs of a crashed
 * run removed), the GARP/NA announcer (frames built now) and the VRRP socket. I/O module;
 * instance-runtime.ts drives them.
 */
import type { GlobalDefs } from '../config/global/types.js';
import type { VrrpInstance } from '../config/vrrp/types.js';
import type { LinkInfo, Rtnl } from '../os/rtnl/index.js';
import { InstanceAddresses, type Log } from './addresses.js';
import { Announcer } from './announcer.js';
import { InstanceVmacs } from './instance-vmacs.js';
import { RawVrrpTransport, type VrrpTransport } from './transport.js';
import { garpExtraIfPlan } from './vip-placement.js';
import { rxBufShare } from './config-map.js';

export interface InstanceWire {
  vmacs: InstanceVmacs;
  addrs: InstanceAddresses;
  announcer: Announcer;
  /** Null without a source address, or with unicast_fault_no_peer and no peers. */
  transport: VrrpTransport | null;
}

/** Where multicast adverts go: the instance's mcast_dst_ip (either family), else the global group. */
export function advertGroup(v: VrrpInstance, g: GlobalDefs): string {
  return v.mcastDstIp ?? (v.family === 4 ? g.vrrpMcastGroup4 : g.vrrpMcastGroup6);
}

/**
 * The advert source: unicast_src_ip, else mcast_src_ip, else the interface's first IPv4
 * address that is not a VIP (IPv6: its link-local); null when there is none.
 */
export async function findSource(
  rtnl: Rtnl,
  v: VrrpInstance,
  ifindex: number,
): Promise<string | null> {
  if (v.unicastSrcIp) return v.unicastSrcIp;
  if (v.mcastSrcIp) return v.mcastSrcIp;
  const vips = new Set(v.virtualIpaddress.map((a) => a.address));
  const mine = (await rtnl.addresses(v.family)).filter(
    (a) => a.ifindex === ifindex && !vips.has(a.address),
  );
  if (v.family === 6) return mine.find((a) => /^fe[89ab]/i.test(a.address))?.address ?? null;
  return mine[0]?.address ?? null;
}

export async function openWire(o: {
  rtnl: Rtnl;
  v: VrrpInstance;
  g: GlobalDefs;
  link: LinkInfo;
  source: string | null;
  log: Log;
}): Promise<InstanceWire> {
  const { rtnl, v, g, link, source } = o;
  // vmac_xmit_base (forced with unicast peers): the VMAC carries only the VIPs, so it needs
  // no IPv6 link-local of its own, and the adverts keep the base interface and its MAC.
  const xmitBase = v.vmacXmitBase;
  const v6Source = v.useVmac && v.family === 6 && source && !xmitBase ? source : null;
  const vmacs = await InstanceVmacs.create(rtnl, v, g, link, v6Source);
  let announcer: Announcer | null = null;
  try {
    return await openRest(o, vmacs, xmitBase, (a) => (announcer = a));
  } catch (e) {
    // Undo what exists so far: a failed start leaves no macvlan, socket or sysctl behind.
    (announcer as Announcer | null)?.close();
    await vmacs.remove().catch(() => undefined);
    throw e;
  }
}

async function openRest(
  o: Parameters<typeof openWire>[0],
  vmacs: InstanceVmacs,
  xmitBase: boolean,
  opened: (a: Announcer) => void,
): Promise<InstanceWire> {
  const { rtnl, v, g, link, source } = o;
  const ifname = link.name;
  const main = vmacs.main;
  const wireIf = main?.ifname ?? ifname;
  const advertIf = main && !xmitBase ? main.ifname : ifname;
  if (vmacs.names.length > 0) {
    o.log(
      'info',
      `(${v.name}) using VMAC ${vmacs.names.join(', ')} on ${ifname}` +
        (main && xmitBase ? ', adverts on the base interface (vmac_xmit_base)' : ''),
    );
  }
  const placed = await vmacs.place(rtnl, [...v.virtualIpaddress, ...v.virtualIpaddressExcluded]);
  const addrs = new InstanceAddresses(
    rtnl,
    wireIf,
    { vips: placed.specs, routes: v.virtualRoutes, rules: v.virtualRules },
    o.log,
  );
  const stale = await addrs.removeStale();
  await addrs.warm();
  if (stale > 0) o.log('info', `(${v.name}) removed ${stale} VIP(s) left from a previous run`);
  const announcer = new Announcer(
    placed.announced,
    g.vrrpGarpInterval * 1000,
    g.vrrpGnaInterval * 1000,
    new Set(garpExtraIfPlan(v, g.vrrpGarpExtraIf)?.vips ?? []),
  );
  opened(announcer);
  announcer.prepare();
  const noPeers = v.unicastFaultNoPeer && v.unicastPeers.length === 0;
  const transport =
    source && !noPeers
      ? new RawVrrpTransport({
          ifname: advertIf,
          family: v.family,
          source,
          group: advertGroup(v, g),
          peers: v.unicastPeers.map((p) => p.address),
          unicastTtl: v.unicastTtl,
          checksum: {
            oldUnicastChecksum: v.oldUnicastChecksum === 'config',
            v3ChecksumAsV2: v.v3ChecksumAsV2,
          },
          vrid: v.virtualRouterId ?? 0,
          rxBufShare: rxBufShare(v, g, link.mtu),
        })
      : null;
  return { vmacs, addrs, announcer, transport };
}
