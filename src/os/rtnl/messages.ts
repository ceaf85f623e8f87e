/**
 * Netlink framing for rtnetlink, pure: nlmsghdr, rtattr TLVs (4-byte aligned), the fixed
 * headers (ifinfomsg, ifaddrmsg, rtmsg, fib_rule_hdr), and NLMSG_ERROR / extended acks with
 * errno → Node-style code names. Integers are host order; this codec assumes little-endian
 * (every Linux target Node 20 ships for, except s390x).
 * Malformed input throws StayaliveError SA_ERR_PACKET_MALFORMED and nothing else.
 */
import { ErrorCodes, StayaliveError } from '../../core/errors.js';
import {
  NLA_F_NESTED,
  NLA_HDRLEN,
  NLM_F_ACK_TLVS,
  NLM_F_CAPPED,
  NLMSG_HDRLEN,
  NLMSGERR_ATTR_MSG,
  NLMSGERR_ATTR_OFFS,
} from './constants.js';

export interface NlMessage {
  type: number;
  flags: number;
  seq: number;
  pid: number;
  payload: Buffer;
}

export interface Attr {
  /** Attribute type without the NESTED / NET_BYTEORDER bits. */
  type: number;
  data: Buffer;
}

export const align4 = (n: number): number => (n + 3) & ~3;

function malformed(what: string): StayaliveError {
  return new StayaliveError(ErrorCodes.PACKET_MALFORMED, `netlink: ${what}`);
}

/** One nlmsghdr + payload; nlmsg_len counts the unpadded payload, the buffer is padded. */
export function encodeMessage(m: Omit<NlMessage, 'pid'> & { pid?: number }): Buffer {
  const len = NLMSG_HDRLEN + m.payload.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt32LE(len, 0);
  out.writeUInt16LE(m.type, 4);
  out.writeUInt16LE(m.flags, 6);
  out.writeUInt32LE(m.seq >>> 0, 8);
  out.writeUInt32LE((m.pid ?? 0) >>> 0, 12);
  m.payload.copy(out, NLMSG_HDRLEN);
  return out;
}

/** Splits one datagram into messages. */
export function parseMessages(buf: Buffer): NlMessage[] {
  const out: NlMessage[] = [];
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < NLMSG_HDRLEN) throw malformed(`${buf.length - off} trailing bytes`);
    const len = buf.readUInt32LE(off);
    if (len < NLMSG_HDRLEN || len > buf.length - off) throw malformed(`bad nlmsg_len ${len}`);
    out.push({
      type: buf.readUInt16LE(off + 4),
      flags: buf.readUInt16LE(off + 6),
      seq: buf.readUInt32LE(off + 8),
      pid: buf.readUInt32LE(off + 12),
      payload: buf.subarray(off + NLMSG_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

// ---- attributes ----

export function attr(type: number, data: Buffer): Buffer {
  const len = NLA_HDRLEN + data.length;
  const out = Buffer.alloc(align4(len));
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, NLA_HDRLEN);
  return out;
}

export const attrU8 = (type: number, v: number): Buffer => attr(type, Buffer.from([v & 0xff]));
export function attrU32(type: number, v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return attr(type, b);
}
/** NUL-terminated string, as the kernel's NLA_STRING / NLA_NUL_STRING policies accept. */
export const attrStr = (type: number, s: string): Buffer =>
  attr(type, Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]));
export const attrBytes = (type: number, b: Uint8Array): Buffer => attr(type, Buffer.from(b));
export const attrNested = (type: number, children: Buffer[]): Buffer =>
  attr(type | NLA_F_NESTED, Buffer.concat(children));

export function parseAttrs(buf: Buffer): Attr[] {
  const out: Attr[] = [];
  let off = 0;
  while (off + NLA_HDRLEN <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < NLA_HDRLEN || len > buf.length - off) throw malformed(`bad rta_len ${len}`);
    out.push({
      type: buf.readUInt16LE(off + 2) & 0x3fff,
      data: buf.subarray(off + NLA_HDRLEN, off + len),
    });
    off += align4(len);
  }
  return out;
}

/** Attributes by type; the last one wins, as in the kernel's nla_parse. */
export function attrMap(buf: Buffer): Map<number, Buffer> {
  return new Map(parseAttrs(buf).map((a) => [a.type, a.data]));
}

export function u32(data: Buffer | undefined): number | undefined {
  return data && data.length >= 4 ? data.readUInt32LE(0) : undefined;
}
export function u8(data: Buffer | undefined): number | undefined {
  return data && data.length >= 1 ? data[0] : undefined;
}
/** Up to the first NUL. */
export function str(data: Buffer | undefined): string | undefined {
  if (!data) return undefined;
  const nul = data.indexOf(0);
  return data.toString('utf8', 0, nul < 0 ? data.length : nul);
}

// ---- fixed headers ----

function need(buf: Buffer, n: number, what: string): void {
  if (buf.length < n) throw malformed(`${what} needs ${n} bytes, got ${buf.length}`);
}

export interface IfInfoMsg {
  family: number;
  type: number;
  index: number;
  flags: number;
  change: number;
}
export const IFINFOMSG_LEN = 16;
export function encodeIfInfo(h: Partial<IfInfoMsg>): Buffer {
  const b = Buffer.alloc(IFINFOMSG_LEN);
  b.writeUInt8(h.family ?? 0, 0);
  b.writeUInt16LE(h.type ?? 0, 2);
  b.writeInt32LE(h.index ?? 0, 4);
  b.writeUInt32LE((h.flags ?? 0) >>> 0, 8);
  b.writeUInt32LE((h.change ?? 0) >>> 0, 12);
  return b;
}
export function decodeIfInfo(p: Buffer): IfInfoMsg {
  need(p, IFINFOMSG_LEN, 'ifinfomsg');
  return {
    family: p[0],
    type: p.readUInt16LE(2),
    index: p.readInt32LE(4),
    flags: p.readUInt32LE(8),
    change: p.readUInt32LE(12),
  };
}

export interface IfAddrMsg {
  family: number;
  prefixLength: number;
  flags: number;
  scope: number;
  index: number;
}
export const IFADDRMSG_LEN = 8;
export function encodeIfAddr(h: IfAddrMsg): Buffer {
  return Buffer.from([h.family, h.prefixLength, h.flags & 0xff, h.scope, ...le32(h.index)]);
}
export function decodeIfAddr(p: Buffer): IfAddrMsg {
  need(p, IFADDRMSG_LEN, 'ifaddrmsg');
  return { family: p[0], prefixLength: p[1], flags: p[2], scope: p[3], index: p.readUInt32LE(4) };
}

/** struct rtmsg; fib_rule_hdr has the same layout with (table, res1, res2, action) in slots 4–7. */
export interface RtMsg {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  protocol: number;
  scope: number;
  type: number;
  flags: number;
}
export const RTMSG_LEN = 12;
export function encodeRtMsg(h: RtMsg): Buffer {
  const b = Buffer.from([
    h.family,
    h.dstLen,
    h.srcLen,
    h.tos,
    h.table,
    h.protocol,
    h.scope,
    h.type,
    0,
    0,
    0,
    0,
  ]);
  b.writeUInt32LE(h.flags >>> 0, 8);
  return b;
}
export function decodeRtMsg(p: Buffer): RtMsg {
  need(p, RTMSG_LEN, 'rtmsg');
  return {
    family: p[0],
    dstLen: p[1],
    srcLen: p[2],
    tos: p[3],
    table: p[4],
    protocol: p[5],
    scope: p[6],
    type: p[7],
    flags: p.readUInt32LE(8),
  };
}

export interface FibRuleHdr {
  family: number;
  dstLen: number;
  srcLen: number;
  tos: number;
  table: number;
  action: number;
  flags: number;
}
export const FIB_RULE_HDR_LEN = 12;
export function encodeFibRuleHdr(h: FibRuleHdr): Buffer {
  const b = Buffer.from([h.family, h.dstLen, h.srcLen, h.tos, h.table, 0, 0, h.action, 0, 0, 0, 0]);
  b.writeUInt32LE(h.flags >>> 0, 8);
  return b;
}
export function decodeFibRuleHdr(p: Buffer): FibRuleHdr {
  need(p, FIB_RULE_HDR_LEN, 'fib_rule_hdr');
  return {
    family: p[0],
    dstLen: p[1],
    srcLen: p[2],
    tos: p[3],
    table: p[4],
    action: p[7],
    flags: p.readUInt32LE(8),
  };
}

function le32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

// ---- errors and acks ----

export interface NlAck {
  /** 0 for a positive ack, else a negative errno. */
  error: number;
  /** Header of the request this answers (type and seq are what the client matches on). */
  request?: { type: number; flags: number; seq: number; pid: number };
  /** Extended ack (NETLINK_EXT_ACK): the kernel's human message and the bad attribute's offset. */
  extackMessage?: string;
  extackOffset?: number;
}

/** Decodes an NLMSG_ERROR payload (also NLMSG_DONE's optional error int). */
export function decodeAck(msg: NlMessage): NlAck {
  const p = msg.payload;
  need(p, 4, 'nlmsgerr');
  const ack: NlAck = { error: p.readInt32LE(0) };
  if (p.length < 4 + NLMSG_HDRLEN) return ack;
  const reqLen = p.readUInt32LE(4);
  ack.request = {
    type: p.readUInt16LE(8),
    flags: p.readUInt16LE(10),
    seq: p.readUInt32LE(12),
    pid: p.readUInt32LE(16),
  };
  if (msg.flags & NLM_F_ACK_TLVS) {
    // The echoed request is only the header when CAPPED (or on success).
    const echoed = msg.flags & NLM_F_CAPPED ? NLMSG_HDRLEN : align4(reqLen);
    const start = 4 + echoed;
    if (start <= p.length) {
      const a = attrMap(p.subarray(start));
      ack.extackMessage = str(a.get(NLMSGERR_ATTR_MSG));
      ack.extackOffset = u32(a.get(NLMSGERR_ATTR_OFFS));
    }
  }
  return ack;
}

/** Linux errno numbers → names (as libuv/Node report them). */
const ERRNO_NAMES: Record<number, string> = {
  1: 'EPERM',
  2: 'ENOENT',
  3: 'ESRCH',
  4: 'EINTR',
  5: 'EIO',
  6: 'ENXIO',
  7: 'E2BIG',
  9: 'EBADF',
  11: 'EAGAIN',
  12: 'ENOMEM',
  13: 'EACCES',
  14: 'EFAULT',
  16: 'EBUSY',
  17: 'EEXIST',
  18: 'EXDEV',
  19: 'ENODEV',
  20: 'ENOTDIR',
  22: 'EINVAL',
  23: 'ENFILE',
  24: 'EMFILE',
  28: 'ENOSPC',
  34: 'ERANGE',
  36: 'ENAMETOOLONG',
  38: 'ENOSYS',
  39: 'ENOTEMPTY',
  40: 'ELOOP',
  42: 'ENOMSG',
  61: 'ENODATA',
  71: 'EPROTO',
  74: 'EBADMSG',
  75: 'EOVERFLOW',
  90: 'EMSGSIZE',
  92: 'ENOPROTOOPT',
  93: 'EPROTONOSUPPORT',
  95: 'ENOTSUP',
  97: 'EAFNOSUPPORT',
  98: 'EADDRINUSE',
  99: 'EADDRNOTAVAIL',
  100: 'ENETDOWN',
  101: 'ENETUNREACH',
  105: 'ENOBUFS',
  110: 'ETIMEDOUT',
  113: 'EHOSTUNREACH',
  114: 'EALREADY',
  115: 'EINPROGRESS',
  125: 'ECANCELED',
};

/** 'EEXIST' for 17 or -17; 'E<n>' for numbers without a name here. */
export function errnoName(errno: number): string {
  const n = Math.abs(errno);
  return ERRNO_NAMES[n] ?? `E${n}`;
}
