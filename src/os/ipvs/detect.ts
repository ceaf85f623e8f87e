/**
 * Is IPVS usable here? (I/O.) Present iff /proc/net/ip_vs exists in this network namespace
 * (the ip_vs module is loaded) and the generic netlink family "IPVS" resolves. The data plane
 * picks IPVS when present and nftables otherwise.
 * keepalived difference: keepalived runs `modprobe ip_vs` when IPVS is missing; detection here
 * never loads modules (the nlctrl lookup is only tried once /proc/net/ip_vs exists).
 */
import { existsSync } from 'node:fs';
import { GenlClient } from '../genl/client.js';
import { GenlFamilyNotFoundError } from '../genl/errors.js';
import { IPVS_GENL_NAME } from './constants.js';

export type IpvsDetection =
  { present: true; familyId: number; version: number } | { present: false; reason: string };

export interface DetectOptions {
  /** Default '/proc/net/ip_vs'; tests point it elsewhere. */
  procPath?: string;
  /** Resolves the family; default opens a GenlClient. Returns null when the family is absent. */
  resolve?: () => Promise<{ id: number; version: number } | null>;
}

async function resolveIpvs(): Promise<{ id: number; version: number } | null> {
  const genl = GenlClient.open({ timeoutMs: 2000 });
  try {
    const f = await genl.resolveFamily(IPVS_GENL_NAME);
    return { id: f.id, version: f.version };
  } catch (e) {
    if (e instanceof GenlFamilyNotFoundError) return null;
    throw e;
  } finally {
    genl.close();
  }
}

export async function detectIpvs(opts: DetectOptions = {}): Promise<IpvsDetection> {
  const proc = opts.procPath ?? '/proc/net/ip_vs';
  if (!existsSync(proc)) {
    return {
      present: false,
      reason: `${proc} does not exist (kernel has no IPVS, or ip_vs is not loaded)`,
    };
  }
  let fam: { id: number; version: number } | null;
  try {
    fam = await (opts.resolve ?? resolveIpvs)();
  } catch (e) {
    return {
      present: false,
      reason: `generic netlink lookup of IPVS failed: ${(e as Error).message}`,
    };
  }
  if (!fam) return { present: false, reason: 'generic netlink family IPVS not found' };
  return { present: true, familyId: fam.id, version: fam.version };
}
