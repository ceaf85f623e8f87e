/**
 * Which kernel data plane load-balances: global_defs `lvs_dataplane auto|nftables|ipvs` (a
 * stayalive extension) and what the kernel has (src/os/ipvs/detect.ts). Pure.
 * auto: IPVS when /proc/net/ip_vs exists and the generic netlink family resolves, else nftables
 * with one info line saying why. Forced ipvs on a kernel without it: an error naming the missing
 * kernel feature; the lb subsystem then stays down and the rest of the daemon runs on.
 * keepalived difference: keepalived only has IPVS, and runs `modprobe ip_vs` when it is missing.
 */
import type { LvsDataplaneMode } from '../config/global/types.js';

export type IpvsProbe = { present: true } | { present: false; reason: string };

export type DataplaneChoice =
  | { kind: 'nftables' | 'ipvs'; level: 'info'; message: string }
  | { kind: 'none'; level: 'error'; message: string };

const PROC = '/proc/net/ip_vs';

/** The probe's reason in the short form the log uses. */
function why(p: { reason: string }): string {
  return p.reason.startsWith(PROC) ? `no ${PROC}` : p.reason;
}

export function selectDataplane(mode: LvsDataplaneMode, probe: IpvsProbe): DataplaneChoice {
  if (mode === 'nftables')
    return { kind: 'nftables', level: 'info', message: 'lvs_dataplane nftables: using nftables' };
  if (probe.present)
    return {
      kind: 'ipvs',
      level: 'info',
      message:
        mode === 'ipvs'
          ? 'lvs_dataplane ipvs: using IPVS (generic netlink)'
          : 'IPVS present: using IPVS (generic netlink)',
    };
  if (mode === 'ipvs')
    return {
      kind: 'none',
      level: 'error',
      message:
        `lvs_dataplane ipvs, but this kernel has no IPVS (${why(probe)}; needs CONFIG_IP_VS, ` +
        `module ip_vs): load balancing not started`,
    };
  // Wording kept from before the IPVS data plane existed (tests and docs quote it).
  return {
    kind: 'nftables',
    level: 'info',
    message: `IPVS not available (${why(probe)}): using nftables`,
  };
}
