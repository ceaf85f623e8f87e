/**
 * Where each VIP and eVIP of an instance lives, as keepalived 2.2.7 decides it
 * (vrrp_complete_instance): on the instance's VMAC when the instance has use_vmac and the
 * address has its family and no other `dev`; on an address VMAC (one per base interface and
 * family) when the address asks for `use_vmac` itself, or the instance has `use_vmac_addr` and
 * the address is on another interface or of the other family; else on its `dev`, or on the
 * instance's interface. Pure.
 */
import type { AddressSpec, VrrpInstance } from '../config/vrrp/types.js';

export type Placement =
  | { on: 'vmac' }
  | { on: 'address-vmac'; base: string; family: 4 | 6 }
  | { on: 'interface'; ifname: string };

export function placeVip(v: VrrpInstance, a: AddressSpec): Placement {
  const iface = v.interface ?? '';
  const sameIf = a.dev === null || a.dev === iface;
  if (sameIf && v.useVmac && a.family === v.family) return { on: 'vmac' };
  const base = sameIf ? iface : (a.dev ?? iface);
  const other = !sameIf || a.family !== v.family;
  if (a.useVmac || (v.useVmacAddr && other)) return { on: 'address-vmac', base, family: a.family };
  return { on: 'interface', ifname: base };
}

/** The address VMACs an instance needs: one per base interface and family, in VIP order. */
export function addressVmacs(v: VrrpInstance): { base: string; family: 4 | 6 }[] {
  const out: { base: string; family: 4 | 6 }[] = [];
  for (const a of [...v.virtualIpaddress, ...v.virtualIpaddressExcluded]) {
    const p = placeVip(v, a);
    if (p.on !== 'address-vmac') continue;
    if (!out.some((x) => x.base === p.base && x.family === p.family))
      out.push({ base: p.base, family: p.family });
  }
  return out;
}

/**
 * garp_extra_if (keepalived's vrrp_send_vmac_update): which VIPs and eVIPs (indices into
 * [...virtual_ipaddress, ...virtual_ipaddress_excluded]) get one periodic GARP/NA each, the
 * first one on each interface; and how often (seconds). keepalived sends on interfaces other
 * than the instance's own (its VMAC with use_vmac; the own one too with vmac_xmit_base), and
 * only on VMACs of ours unless `all`. It turns the option off when no VIP lives on an address
 * VMAC, nor (with `all`) on another interface. Null when off.
 */
export function garpExtraIfPlan(
  v: VrrpInstance,
  global: { all: boolean; interval: number } | null,
): { intervalS: number; vips: number[] } | null {
  const o = v.garpExtraIf ?? global;
  if (!o || o.interval <= 0) return null;
  const own = v.useVmac ? 'vmac' : `if ${v.interface ?? ''}`;
  let extraVmac = false;
  let extraIf = false;
  const seen = new Set<string>();
  const vips: number[] = [];
  [...v.virtualIpaddress, ...v.virtualIpaddressExcluded].forEach((a, i) => {
    const p = placeVip(v, a);
    const ours = p.on !== 'interface';
    const key =
      p.on === 'vmac'
        ? 'vmac'
        : p.on === 'address-vmac'
          ? `avmac ${p.base} ${p.family}`
          : `if ${p.ifname}`;
    if (key !== own) {
      if (ours) extraVmac = true;
      else extraIf = true;
    }
    if (!ours && !o.all) return;
    if (key === own && !v.vmacXmitBase) return;
    if (seen.has(key)) return;
    seen.add(key);
    vips.push(i);
  });
  if (!extraVmac && !(extraIf && o.all)) return null;
  return { intervalS: o.interval, vips };
}
