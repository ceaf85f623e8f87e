/**
 * Attribute helpers the rtnetlink codec did not need: 16-bit and 64-bit integers, network-order
 * ports, and nests without NLA_F_NESTED (the layout IPVS, libipvs and the kernel's own IPVS
 * replies use). Pure. Host order is little-endian, as in rtnl/messages.ts.
 */
import { ErrorCodes, StayaliveError } from '../../core/errors.js';
import { attr } from '../rtnl/messages.js';

export function malformed(what: string): StayaliveError {
  return new StayaliveError(ErrorCodes.PACKET_MALFORMED, `netlink: ${what}`);
}

export function attrU16(type: number, v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(v & 0xffff);
  return attr(type, b);
}

/** A u16 in network byte order (__be16: ports). */
export function attrBe16(type: number, v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16BE(v & 0xffff);
  return attr(type, b);
}

export function attrU64(type: number, v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt.asUintN(64, v));
  return attr(type, b);
}

/** A nest whose type carries no NLA_F_NESTED bit (nla_nest_start_noflag in the kernel). */
export const attrNestedNoFlag = (type: number, children: Buffer[]): Buffer =>
  attr(type, Buffer.concat(children));

export function u16(data: Buffer | undefined): number | undefined {
  return data && data.length >= 2 ? data.readUInt16LE(0) : undefined;
}
export function be16(data: Buffer | undefined): number | undefined {
  return data && data.length >= 2 ? data.readUInt16BE(0) : undefined;
}
/** u64 as a number: exact up to 2^53, which byte counters reach after ~9 PB. */
export function u64(data: Buffer | undefined): number | undefined {
  return data && data.length >= 8 ? Number(data.readBigUInt64LE(0)) : undefined;
}
