/** Small address arithmetic for VSG ranges (no node:net: config/ is pure). */
export function ipv4ToInt(s: string): number {
  return s.split('.').reduce((acc, o) => ((acc << 8) | Number(o)) >>> 0, 0);
}

export function intToIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => (n >>> s) & 0xff).join('.');
}

/** Eight 16-bit groups; an embedded IPv4 tail becomes two groups. */
export function ipv6ToGroups(s: string): number[] {
  const pct = s.indexOf('%');
  const addr = pct >= 0 ? s.slice(0, pct) : s;
  const expand = (part: string): number[] => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (g.includes('.')) {
        const v = ipv4ToInt(g);
        out.push(v >>> 16, v & 0xffff);
      } else out.push(parseInt(g, 16));
    }
    return out;
  };
  const [head, tail] = addr.split('::');
  const h = expand(head);
  if (tail === undefined) return h;
  const t = expand(tail);
  return [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
}

/** Full (uncompressed) lower-case form; stable and easy to compare. */
export function groupsToIpv6(g: number[]): string {
  return g.map((x) => x.toString(16)).join(':');
}
