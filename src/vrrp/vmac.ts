/**
 * use_vmac: a macvlan (mode private) named `vrrp.<VRID>` on the instance's interface, carrying
 * the virtual MAC 00:00:5e:00:01:<VRID> (or the configured name and MAC). Adverts, VIPs and
 * GARPs then use it, so the VIP answers from the VMAC (RFC 5798 §7.3). I/O module.
 *
 * As keepalived 2.2.7 (vrrp_vmac.c, vrrp_if_config.c), for an IPv4 VMAC: the macvlan gets arp_ignore=1,
 * accept_local=1, rp_filter=0, promote_secondaries=1, and the base interface arp_ignore=1 and
 * arp_filter=1 (so only the macvlan answers ARP for the VIPs); the base values are restored when
 * the last VMAC on that base is removed (os/sysctl-claims.ts counts them, as keepalived does).
 * A link of the same name left by a crashed run is deleted and created again.
 *
 * An IPv4 VMAC has IPv6 disabled, as keepalived (else the kernel's MLD and router solicitations
 * leave from the virtual MAC, even from a crashed master). IPv6 (MAC 00:00:5e:00:02:<VRID>):
 * as keepalived, the macvlan gets no automatic link-local
 * address (addr_gen_mode none, set before it comes up) and carries the instance's source
 * address instead (the base's link-local, deprecated: preferred_lft 0), so adverts leave from a non-VIP address with the
 * virtual MAC. Unlike keepalived, the VMAC sends no router solicitations (accept_ra=0,
 * router_solicitations=0): from a backup they would steal the virtual MAC on the switch.
 *
 * `vmac_xmit_base` (which keepalived forces with unicast peers: a macvlan receives no frame
 * sent to the base's MAC): the adverts stay on the base interface, the VMAC carries only the
 * VIPs and sends their GARP/NA; an IPv6 VMAC then gets no link-local address (NAs leave from
 * the VIP itself), as keepalived.
 *
 * The instance's VMACs (its own and those of use_vmac_addr) are made by instance-vmacs.ts.
 */
import { writeFileSync } from 'node:fs';
import type { Rtnl } from '../os/rtnl/index.js';
import { claimIpv4Conf, writeIpv4Conf } from '../os/sysctl-claims.js';
import { virtualMac } from './frame.js';

export class Vmac {
  /** Names of the VMACs this process runs (vmac-name.ts picks around them). */
  static readonly inUse = new Set<string>();
  /** The base interface's ARP settings this VMAC holds (shared with other VMACs on it). */
  private readonly claims: (() => void)[] = [];

  private constructor(
    private readonly rtnl: Rtnl,
    readonly ifname: string,
    readonly ifindex: number,
    readonly mac: string,
  ) {}

  static async create(
    rtnl: Rtnl,
    base: { name: string; index: number },
    vrid: number,
    spec: { ifname: string | null; mac: string | null },
    family: 4 | 6,
    /** IPv6 adverts sent from the VMAC: their source address (the base's link-local), put on it. */
    ipv6Source: string | null = null,
  ): Promise<Vmac> {
    const name = spec.ifname ?? `vrrp.${vrid}`;
    Vmac.inUse.add(name);
    const mac = (spec.mac ?? virtualMac(vrid, family)).toLowerCase();
    const old = await rtnl.link(name).catch(() => null);
    if (old) await rtnl.deleteLink(old.index);
    const link = await rtnl.createMacvlan({ name, link: base.index, mode: 'private', mac });
    const v = new Vmac(rtnl, name, link.index, mac);
    try {
      // IPv4 only, as keepalived: an IPv6 VMAC leaves the ARP settings of both links alone.
      if (family === 4) {
        for (const [k, val] of [
          ['arp_ignore', '1'],
          ['accept_local', '1'],
          ['rp_filter', '0'],
          ['promote_secondaries', '1'],
        ]) {
          writeIpv4Conf(name, k, val);
        }
        for (const k of ['arp_ignore', 'arp_filter'])
          v.claims.push(claimIpv4Conf(base.name, k, '1'));
      }
      // Not part of the creation: the kernel ignores IFLA_AF_SPEC on a new link. No automatic
      // link-local (RFC 5798 §7.4), as keepalived.
      await rtnl.setAddrGenModeNone(link.index);
      const v6conf = (k: string, val: string): void =>
        writeFileSync(`/proc/sys/net/ipv6/conf/${name}/${k}`, val);
      if (family === 4) {
        // An IPv4 VMAC has no use for IPv6, as keepalived: otherwise the kernel's MLD reports
        // and router solicitations leave from the virtual MAC, also from a crashed master's
        // VMAC, and pull the switch's entry back to it after the backup took over.
        v6conf('disable_ipv6', '1');
      } else {
        // A backup's VMAC must stay quiet: the kernel's router solicitations (retried for ever,
        // with backoff) would come from the virtual MAC and pull the switch's entry away from
        // the master until its next advert. Not in keepalived.
        for (const k of ['accept_ra', 'router_solicitations']) v6conf(k, '0');
      }
      await rtnl.setLinkUp(link.index, true);
      if (ipv6Source) {
        await rtnl.addAddress({
          ifindex: link.index,
          address: ipv6Source,
          prefixLength: 64,
          family: 6,
          // Deprecated, as keepalived adds it: nothing else picks it as a source address.
          preferredLft: 0,
          flags: ['nodad'],
        });
      }
      return v;
    } catch (e) {
      // Nothing half made is left: the macvlan goes, the base's settings come back.
      await v.remove();
      throw e;
    }
  }

  /** Deletes the macvlan (its addresses go with it) and restores the base's ARP settings. */
  async remove(): Promise<void> {
    Vmac.inUse.delete(this.ifname);
    await this.rtnl.deleteLink(this.ifindex).catch(() => undefined);
    // The base's ARP settings go back once no VMAC on it needs them (keepalived counts too).
    for (const release of this.claims.splice(0)) release();
  }
}
