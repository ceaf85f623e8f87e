/**
 * The IPVS STATS / STATS64 nests, pure. STATS has u32 counters and rates with u64 byte counts;
 * STATS64 is all u64. Each member is read by its length (8 → u64, 4 → u32), so one reader
 * serves both; IPVS_STATS_ATTR_PAD (alignment for u64 on some architectures) is ignored.
 */
import { attrMap, u32, u64 } from '../netlink/index.js';
import { IPVS_STATS_ATTR } from './constants.js';
import type { Stats } from './types.js';

function num(d: Buffer | undefined): number {
  return (d && d.length >= 8 ? u64(d) : u32(d)) ?? 0;
}

export function decodeStats(nest: Buffer | undefined): Stats | null {
  if (!nest) return null;
  const a = attrMap(nest);
  return {
    conns: num(a.get(IPVS_STATS_ATTR.CONNS)),
    inPackets: num(a.get(IPVS_STATS_ATTR.INPKTS)),
    outPackets: num(a.get(IPVS_STATS_ATTR.OUTPKTS)),
    inBytes: num(a.get(IPVS_STATS_ATTR.INBYTES)),
    outBytes: num(a.get(IPVS_STATS_ATTR.OUTBYTES)),
    cps: num(a.get(IPVS_STATS_ATTR.CPS)),
    inPps: num(a.get(IPVS_STATS_ATTR.INPPS)),
    outPps: num(a.get(IPVS_STATS_ATTR.OUTPPS)),
    inBps: num(a.get(IPVS_STATS_ATTR.INBPS)),
    outBps: num(a.get(IPVS_STATS_ATTR.OUTBPS)),
  };
}
