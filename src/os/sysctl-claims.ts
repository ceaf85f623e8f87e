/**
 * IPv4 per-interface settings (net.ipv4.conf.IF.KEY) held while something needs them and put
 * back when the last holder lets go, as keepalived counts the users of an interface's settings
 * (reset_promote_secondaries; the base interface's arp_ignore/arp_filter under VMACs). A value
 * that was already as wanted is left as it is on release.
 */
import { readFileSync, writeFileSync } from 'node:fs';

const path = (ifname: string, key: string): string => `/proc/sys/net/ipv4/conf/${ifname}/${key}`;

export function readIpv4Conf(ifname: string, key: string): string | null {
  try {
    return readFileSync(path(ifname, key), 'utf8').trim();
  } catch {
    return null;
  }
}

export function writeIpv4Conf(ifname: string, key: string, value: string): void {
  writeFileSync(path(ifname, key), value);
}

const held = new Map<string, { was: string | null; count: number; ifindex: string | null }>();

function ifindexOf(ifname: string): string | null {
  try {
    return readFileSync(`/sys/class/net/${ifname}/ifindex`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * Sets IF's KEY to `value` for as long as the returned release has not been called. A write
 * the kernel refuses is reported through `onError` and holds nothing (keepalived logs it and
 * goes on). An interface deleted and made again under the same name starts a new hold.
 */
export function claimIpv4Conf(
  ifname: string,
  key: string,
  value: string,
  onError: (message: string) => void = () => undefined,
): () => void {
  const id = `${ifname}/${key}`;
  const ifindex = ifindexOf(ifname);
  let h = held.get(id);
  if (!h || h.ifindex !== ifindex) {
    const was = readIpv4Conf(ifname, key);
    if (was === null) return () => undefined; // no such interface (or no IPv4 on it)
    try {
      if (was !== value) writeIpv4Conf(ifname, key, value);
    } catch (e) {
      onError(`cannot set net.ipv4.conf.${ifname}.${key}=${value}: ${(e as Error).message}`);
      return () => undefined;
    }
    h = { was: was === value ? null : was, count: 0, ifindex };
    held.set(id, h);
  }
  h.count++;
  const hold = h;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--hold.count > 0) return;
    // Only the hold of the interface that is there now puts its value back.
    if (held.get(id) !== hold) return;
    held.delete(id);
    if (hold.was === null || ifindexOf(ifname) !== hold.ifindex) return;
    try {
      writeIpv4Conf(ifname, key, hold.was);
    } catch {
      // The interface went away: nothing left to restore.
    }
  };
}
