/**
 * IP address text ↔ bytes for the rtnetlink codec. Pure.
 * Formatting follows glibc inet_ntop (what `ip` prints), so results compare equal with `ip -j`:
 * RFC 5952 zero compression, lowercase, and ::ffff:a.b.c.d for IPv4-mapped addresses.
 */

export type Family = 4 | 6;

/** Parses an IPv4 or IPv6 literal (no zone, no prefix); null when it is neither. */
export function parseIp(text: string): { family: Family; bytes: Uint8Array } | null {
  const v4 = parseIpv4(text);
  if (v4) return { family: 4, bytes: v4 };
  const v6 = parseIpv6(text);
  return v6 ? { family: 6, bytes: v6 } : null;
}

function parseIpv4(text: string): Uint8Array | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^(0|[1-9][0-9]{0,2})$/.test(parts[i])) return null;
    const n = Number(parts[i]);
    if (n > 255) return null;
    out[i] = n;
  }
  return out;
}

function parseIpv6(text: string): Uint8Array | null {
  if (text.length > 45 || text.split('::').length > 2) return null;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, undefined];
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = parseIpv4(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else if (/^[0-9a-fA-F]{1,4}$/.test(p)) out.push(parseInt(p, 16));
      else return null;
    }
    return out;
  };
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  if (!h || !t) return null;
  if (tail === undefined && h.length !== 8) return null;
  if (tail !== undefined && h.length + t.length > 7) return null;
  // An embedded IPv4 part may only end the address.
  if (tail !== undefined && head.includes('.')) return null;
  const all = [...h, ...Array<number>(8 - h.length - t.length).fill(0), ...t];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

/** Formats 4 or 16 bytes; other lengths come back as hex with colons (e.g. a MAC). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  if (bytes.length !== 16) return formatHex(bytes);
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push((bytes[2 * i] << 8) | bytes[2 * i + 1]);
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8;) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) best = -1;
  // glibc prints IPv4-compatible (::a.b.c.d, not ::1) and IPv4-mapped addresses dotted.
  const embedded =
    best === 0 &&
    (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff) || (bestLen === 7 && w[7] !== 1));
  const parts: string[] = [];
  for (let i = 0; i < 8; i++) {
    if (i === best) {
      parts.push(i === 0 ? ':' : '');
      i += bestLen - 1;
      if (i === 7) parts.push('');
      continue;
    }
    if (embedded && i === 6) {
      parts.push(`${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`);
      break;
    }
    parts.push(w[i].toString(16));
  }
  return parts.join(':');
}

/** aa:bb:cc… lowercase. */
export function formatHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

/** Parses a MAC (or any colon-separated hex bytes); null when malformed. */
export function parseMac(text: string): Uint8Array | null {
  const parts = text.split(':');
  if (parts.length < 1 || !parts.every((p) => /^[0-9a-fA-F]{1,2}$/.test(p))) return null;
  return Uint8Array.from(parts, (p) => parseInt(p, 16));
}

function argError(Ctor: typeof TypeError | typeof RangeError, code: string, msg: string): Error {
  return Object.assign(new Ctor(msg), { code });
}

/** Address bytes for a request; TypeError ERR_INVALID_IP_ADDRESS on a bad or wrong-family literal. */
export function ipBytes(text: string, family?: Family): { family: Family; bytes: Uint8Array } {
  const ip = parseIp(text);
  if (!ip || (family !== undefined && ip.family !== family)) {
    const want = family ? ` IPv${family}` : '';
    throw argError(TypeError, 'ERR_INVALID_IP_ADDRESS', `invalid${want} address: ${text}`);
  }
  return ip;
}

/** RangeError ERR_OUT_OF_RANGE unless 0 ≤ len ≤ 32/128. */
export function checkPrefix(len: number, family: Family): number {
  const max = family === 4 ? 32 : 128;
  if (!Number.isInteger(len) || len < 0 || len > max) {
    throw argError(RangeError, 'ERR_OUT_OF_RANGE', `prefix length ${len} not in 0..${max}`);
  }
  return len;
}

/** Parses 'addr' or 'addr/len' (len defaults to the full length). */
export function parseCidr(
  text: string,
  family?: Family,
): { family: Family; bytes: Uint8Array; len: number } {
  const slash = text.indexOf('/');
  const ip = ipBytes(slash < 0 ? text : text.slice(0, slash), family);
  const lenText = slash < 0 ? '' : text.slice(slash + 1);
  if (slash >= 0 && !/^[0-9]{1,3}$/.test(lenText)) {
    throw argError(RangeError, 'ERR_OUT_OF_RANGE', `bad prefix length in ${text}`);
  }
  const len = slash < 0 ? ip.bytes.length * 8 : checkPrefix(Number(lenText), ip.family);
  return { ...ip, len };
}

/** The kernel's spelling of an address (RFC 5952 for IPv6), so config and kernel text compare
 * equal; text that is no address comes back as it was. */
export function canonicalIp(text: string): string {
  const p = parseIp(text);
  return p ? formatIp(p.bytes) : text;
}
