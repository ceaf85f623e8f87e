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

const held = new Map<string, { was: string | null; count: number }>();

/** Sets IF's KEY to `value` for as long as the returned release has not been called. */
export function claimIpv4Conf(ifname: string, key: string, value: string): () => void {
  const id = `${ifname}/${key}`;
  let h = held.get(id);
  if (!h) {
    const was = readIpv4Conf(ifname, key);
    if (was === null) return () => undefined; // no such interface (or no IPv4 on it)
    if (was !== value) writeIpv4Conf(ifname, key, value);
    h = { was: was === value ? null : was, count: 0 };
    held.set(id, h);
  }
  h.count++;
  const hold = h;
  let released = false;
  return () => {
    if (released) return;
    released = true;
    if (--hold.count > 0) return;
    held.delete(id);
    if (hold.was === null) return;
    try {
      writeIpv4Conf(ifname, key, hold.was);
    } catch {
      // The interface went away: nothing left to restore.
    }
  };
}
