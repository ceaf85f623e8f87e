/**
 * Netlink pieces shared by every netlink family stayalive speaks (rtnetlink, generic netlink,
 * IPVS): nlmsghdr framing, attribute TLVs, acks and errno names, and a request/ack/dump
 * transport. Pure except the transport (requester.ts), which does socket I/O.
 *
 * The framing still lives in src/os/rtnl/messages.ts and constants.ts; this face re-exports it so
 * genl/ and ipvs/ never reach into rtnl's internals. Moving that code here and having rtnl import
 * it from this folder is the lead's follow-up (see docs/ipvs.md).
 */
export {
  align4,
  attr,
  attrBytes,
  attrMap,
  attrStr,
  attrU32,
  attrU8,
  decodeAck,
  encodeMessage,
  errnoName,
  parseAttrs,
  parseMessages,
  str,
  u32,
  u8,
  type Attr,
  type NlAck,
  type NlMessage,
} from '../rtnl/messages.js';
export {
  AF_INET,
  AF_INET6,
  AF_UNSPEC,
  NLA_F_NESTED,
  NLA_HDRLEN,
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_MULTI,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_HDRLEN,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
} from '../rtnl/constants.js';
export { formatIp, parseIp, type Family } from '../rtnl/ip.js';
export {
  attrBe16,
  attrNestedNoFlag,
  attrU16,
  attrU64,
  be16,
  malformed,
  u16,
  u64,
} from './attrs.js';
