/**
 * The VMACs of one instance: its own (use_vmac) and the address VMACs (use_vmac_addr, or a
 * VIP's own use_vmac; vip-placement.ts says which VIP goes where), named as keepalived names
 * them (vmac-name.ts), and each VIP resolved to the interface it lives on and the MAC its
 * GARP/NA carries. I/O module (creates and deletes links through rtnetlink, vmac.ts).
 */
import type { GlobalDefs } from '../config/global/types.js';
import type { AddressSpec, VrrpInstance } from '../config/vrrp/types.js';
import type { Rtnl } from '../os/rtnl/index.js';
import type { LinkInfo } from '../os/rtnl/types.js';
import type { AnnouncedVip } from './announcer.js';
import { addressVmacs, placeVip } from './vip-placement.js';
import { Vmac } from './vmac.js';
import { vmacName } from './vmac-name.js';

const key = (base: string, family: 4 | 6): string => `${base}/${family}`;

export class InstanceVmacs {
  private constructor(
    /** The instance's own VMAC (use_vmac), or null. */
    readonly main: Vmac | null,
    private readonly byBase: Map<string, Vmac>,
    private readonly base: LinkInfo,
    private readonly v: VrrpInstance,
  ) {}

  /**
   * Creates the instance's VMACs. `ipv6Source`: with use_vmac on IPv6 (not vmac_xmit_base),
   * the adverts' source address, which the VMAC carries.
   */
  static async create(
    rtnl: Rtnl,
    v: VrrpInstance,
    g: GlobalDefs,
    base: LinkInfo,
    ipv6Source: string | null,
  ): Promise<InstanceVmacs> {
    const vrid = v.virtualRouterId ?? 0;
    const taken = (n: string): boolean => Vmac.inUse.has(n);
    const made: Vmac[] = [];
    try {
      let main: Vmac | null = null;
      if (v.useVmac) {
        const ifname = v.useVmac.ifname ?? vmacName(g.vmacPrefix ?? 'vrrp', vrid, v.family, taken);
        main = await Vmac.create(rtnl, base, vrid, { ...v.useVmac, ifname }, v.family, ipv6Source);
        made.push(main);
      }
      const byBase = new Map<string, Vmac>();
      const prefix = g.vmacAddrPrefix ?? g.vmacPrefix ?? 'vrrp';
      for (const want of addressVmacs(v)) {
        const link = await rtnl.link(want.base);
        const ifname = vmacName(prefix, vrid, want.family, taken);
        const spec = { ifname, mac: v.useVmac?.mac ?? null };
        const vm = await Vmac.create(rtnl, link, vrid, spec, want.family, null);
        made.push(vm);
        byBase.set(key(want.base, want.family), vm);
      }
      return new InstanceVmacs(main, byBase, base, v);
    } catch (e) {
      for (const vm of made) await vm.remove();
      throw e;
    }
  }

  /** Names of the VMACs made, for the log. */
  get names(): string[] {
    return [...(this.main ? [this.main] : []), ...this.byBase.values()].map(
      (vm) => `${vm.ifname} (${vm.mac})`,
    );
  }

  /**
   * Each address with `dev` set to where it lives, and the GARP/NA targets. A plain `dev` that
   * does not exist yet gets no GARP/NA (its address is added once it appears).
   */
  async place(
    rtnl: Rtnl,
    addrs: readonly AddressSpec[],
  ): Promise<{ specs: AddressSpec[]; announced: AnnouncedVip[] }> {
    const specs: AddressSpec[] = [];
    const announced: AnnouncedVip[] = [];
    const macs = new Map<string, string | null>();
    const macOf = async (ifname: string): Promise<string | null> => {
      if (!macs.has(ifname)) {
        const l = await rtnl.link(ifname).catch(() => null);
        macs.set(ifname, l?.mac ?? null);
      }
      return macs.get(ifname) ?? null;
    };
    for (const [index, a] of addrs.entries()) {
      const p = placeVip(this.v, a);
      let ifname: string;
      let mac: string | null;
      if (p.on === 'vmac' && this.main) [ifname, mac] = [this.main.ifname, this.main.mac];
      else if (p.on === 'address-vmac' && this.byBase.has(key(p.base, p.family))) {
        const vm = this.byBase.get(key(p.base, p.family)) as Vmac;
        [ifname, mac] = [vm.ifname, vm.mac];
      } else {
        ifname = p.on === 'interface' ? p.ifname : this.base.name;
        mac = ifname === this.base.name ? (this.base.mac ?? null) : await macOf(ifname);
      }
      specs.push({ ...a, dev: ifname });
      if (mac) announced.push({ address: a.address, family: a.family, ifname, mac, index });
    }
    return { specs, announced };
  }

  async remove(): Promise<void> {
    for (const vm of [...this.byBase.values()].reverse()) await vm.remove();
    await this.main?.remove();
  }
}
