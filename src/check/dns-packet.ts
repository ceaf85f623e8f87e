/**
 * The little DNS codec DNS_CHECK needs (RFC 1035 §4.1): one question out, the header of the
 * reply back. Pure (Buffers only); decoding any bytes gives a value or a typed error.
 */
export const QTYPE = { A: 1, NS: 2, CNAME: 5, SOA: 6, MX: 15, TXT: 16, AAAA: 28 } as const;
export type QueryType = keyof typeof QTYPE;

/** A standard query with RD set, class IN. `name` '' or '.' is the root. */
export function encodeQuery(id: number, name: string, type: QueryType): Buffer {
  const labels = name.split('.').filter((l) => l.length > 0);
  const parts: Buffer[] = [];
  const head = Buffer.alloc(12);
  head.writeUInt16BE(id & 0xffff, 0);
  head.writeUInt16BE(0x0100, 2); // RD
  head.writeUInt16BE(1, 4);
  parts.push(head);
  for (const l of labels) {
    const b = Buffer.from(l, 'latin1');
    if (b.length > 63) throw new RangeError(`DNS label too long: ${l}`);
    parts.push(Buffer.from([b.length]), b);
  }
  const tail = Buffer.alloc(5);
  tail.writeUInt16BE(QTYPE[type], 1);
  tail.writeUInt16BE(1, 3); // IN
  parts.push(tail);
  return Buffer.concat(parts);
}

export interface ReplyHeader {
  id: number;
  qr: boolean;
  rcode: number;
  ancount: number;
}

export function decodeHeader(buf: Buffer): ReplyHeader | { error: string } {
  if (buf.length < 12) return { error: `short DNS message (${buf.length} bytes)` };
  const flags = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    qr: (flags & 0x8000) !== 0,
    rcode: flags & 0x0f,
    ancount: buf.readUInt16BE(6),
  };
}
