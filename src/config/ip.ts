/**
 * IP address literal checks without node:net (the config folder is pure).
 * Returns 4, 6 or 0 like node:net's isIP.
 */
const V4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return V4.test(s);
}

export function isIPv6(s: string): boolean {
  const pct = s.indexOf('%');
  const addr = pct >= 0 ? s.slice(0, pct) : s;
  if (pct >= 0 && pct === s.length - 1) return false;
  if (!/^[0-9a-fA-F:.]+$/.test(addr)) return false;
  const dbl = addr.split('::');
  if (dbl.length > 2) return false;
  const parts = (p: string): string[] => (p === '' ? [] : p.split(':'));
  const head = parts(dbl[0]);
  const tail = dbl.length === 2 ? parts(dbl[1]) : [];
  const all = [...head, ...tail];
  let groups = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes('.')) {
      if (!isIPv4(g)) return false;
      groups += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) groups += 1;
    else return false;
  }
  return dbl.length === 2 ? groups < 8 : groups === 8;
}

export function isIP(s: string): 0 | 4 | 6 {
  if (isIPv4(s)) return 4;
  if (isIPv6(s)) return 6;
  return 0;
}
