/**
 * IPVS generic netlink codec, pure. Requests: NEW/SET/DEL service, NEW/SET/DEL dest, the
 * service and dest dumps, GET_SERVICE, FLUSH, ZERO, SET_CONFIG/GET_CONFIG (timeouts) and
 * GET_INFO. Replies: services and dests (with stats), config, info.
 *
 * Layout (include/uapi/linux/ip_vs.h, net/netfilter/ipvs/ip_vs_ctl.c): genlmsghdr
 * {cmd, version 1}, then IPVS_CMD_ATTR_SERVICE and/or IPVS_CMD_ATTR_DEST nests, whose members
 * are in the order libipvs sends them. Nests carry no NLA_F_NESTED bit, like libipvs and the
 * kernel's own replies (the IPVS ops parse liberally, so either would be accepted). Addresses
 * are always the 16-byte union nf_inet_addr; ports are big-endian; everything else host order.
 * A service is identified by AF + FWMARK, or AF + PROTOCOL + ADDR + PORT; NEW/SET also need
 * SCHED_NAME, FLAGS, TIMEOUT and NETMASK. A dest is identified by ADDR + PORT (+ ADDR_FAMILY);
 * NEW/SET also need FWD_METHOD, WEIGHT, U_THRESH and L_THRESH.
 * keepalived difference: DEL_DEST sends only the dest's identity (keepalived sends it all).
 */
import {
  attr,
  attrBe16,
  attrMap,
  attrNestedNoFlag,
  attrStr,
  attrU16,
  attrU32,
  attrU8,
  be16,
  malformed,
  str,
  u16,
  u32,
  u8,
} from '../netlink/index.js';
import { decodeGenl, type GenlBody } from '../genl/messages.js';
import {
  IP_VS_PENAME_MAXLEN,
  IP_VS_SCHEDNAME_MAXLEN,
  IP_VS_TUNNEL_ENCAP_FLAG,
  IP_VS_TUNNEL_TYPE,
  IPVS_CMD,
  IPVS_CMD_ATTR,
  IPVS_DEST_ATTR,
  IPVS_GENL_VERSION,
  IPVS_INFO_ATTR,
  IPVS_SVC_ATTR,
} from './constants.js';
import { decodeStats } from './stats-codec.js';
import type {
  DestInfo,
  DestKey,
  DestSpec,
  Family,
  IpvsInfo,
  ServiceInfo,
  ServiceKey,
  ServiceSpec,
  Timeouts,
  TunnelSpec,
} from './types.js';
import {
  afOf,
  badValue,
  checkName,
  checkUint,
  decodeInetAddr,
  decodeNetmask,
  encodeInetAddr,
  encodeNetmask,
  familyOfAddress,
  familyOfAf,
  flagBits,
  flagNames,
  forwardName,
  forwardNumber,
  protocolName,
  protocolNumber,
} from './values.js';

/** One IPVS request: the generic netlink body and whether it is a dump (else acked). */
export interface IpvsRequest extends GenlBody {
  dump: boolean;
}

const U32_MAX = 0xffffffff;
const INT_MAX = 0x7fffffff;

const req = (cmd: number, attrs: Buffer[] = [], dump = false): IpvsRequest => ({
  cmd,
  version: IPVS_GENL_VERSION,
  attrs: Buffer.concat(attrs),
  dump,
});

// ---- services ----

function serviceKeyAttrs(k: ServiceKey): Buffer[] {
  if (k.family !== 4 && k.family !== 6) throw badValue(`address family ${String(k.family)}`);
  const out = [attrU16(IPVS_SVC_ATTR.AF, afOf(k.family))];
  if ('fwmark' in k) {
    out.push(attrU32(IPVS_SVC_ATTR.FWMARK, checkUint('fwmark', k.fwmark, U32_MAX, 1)));
  } else {
    out.push(
      attrU16(IPVS_SVC_ATTR.PROTOCOL, protocolNumber(k.protocol) ?? badProto(k.protocol)),
      attr(IPVS_SVC_ATTR.ADDR, encodeInetAddr(k.address, k.family)),
      attrBe16(IPVS_SVC_ATTR.PORT, checkUint('port', k.port, 0xffff)),
    );
  }
  return out;
}

function badProto(p: unknown): never {
  throw badValue(`protocol ${JSON.stringify(p)} (TCP, UDP or SCTP)`);
}

/** The IPVS_CMD_ATTR_SERVICE nest: identity only, or the full entry NEW/SET need. */
export function serviceAttr(k: ServiceKey | ServiceSpec, full: boolean): Buffer {
  const parts = serviceKeyAttrs(k);
  if (full) {
    const s = k as ServiceSpec;
    const timeout = checkUint('persistence timeout', s.persistenceTimeout ?? 0, U32_MAX);
    const flags = Buffer.alloc(8);
    flags.writeUInt32LE(flagBits(s.flags ?? [], timeout > 0), 0);
    flags.writeUInt32LE(U32_MAX, 4); // mask: every flag is as given
    parts.push(
      attrStr(
        IPVS_SVC_ATTR.SCHED_NAME,
        checkName('scheduler', s.scheduler, IP_VS_SCHEDNAME_MAXLEN),
      ),
    );
    if (s.persistenceEngine) {
      parts.push(
        attrStr(
          IPVS_SVC_ATTR.PE_NAME,
          checkName('persistence engine', s.persistenceEngine, IP_VS_PENAME_MAXLEN),
        ),
      );
    }
    parts.push(
      attr(IPVS_SVC_ATTR.FLAGS, flags),
      attrU32(IPVS_SVC_ATTR.TIMEOUT, timeout),
      attr(IPVS_SVC_ATTR.NETMASK, encodeNetmask(s.netmask, s.family)),
    );
  }
  return attrNestedNoFlag(IPVS_CMD_ATTR.SERVICE, parts);
}

export const encodeNewService = (s: ServiceSpec): IpvsRequest =>
  req(IPVS_CMD.NEW_SERVICE, [serviceAttr(s, true)]);
export const encodeSetService = (s: ServiceSpec): IpvsRequest =>
  req(IPVS_CMD.SET_SERVICE, [serviceAttr(s, true)]);
export const encodeDelService = (k: ServiceKey): IpvsRequest =>
  req(IPVS_CMD.DEL_SERVICE, [serviceAttr(k, false)]);
/** GET_SERVICE for one service (a doit: ESRCH when it does not exist). */
export const encodeGetService = (k: ServiceKey): IpvsRequest =>
  req(IPVS_CMD.GET_SERVICE, [serviceAttr(k, false)]);
/** Dump of every service in the namespace. */
export const encodeGetServices = (): IpvsRequest => req(IPVS_CMD.GET_SERVICE, [], true);

// ---- destinations ----

function destKeyAttrs(d: DestKey): Buffer[] {
  const family = d.family ?? familyOfAddress(d.address);
  return [
    attrU16(IPVS_DEST_ATTR.ADDR_FAMILY, afOf(family)),
    attr(IPVS_DEST_ATTR.ADDR, encodeInetAddr(d.address, family)),
    attrBe16(IPVS_DEST_ATTR.PORT, checkUint('port', d.port, 0xffff)),
  ];
}

function tunnelAttrs(t: TunnelSpec | undefined): Buffer[] {
  const type = t?.type ?? 'ipip';
  const typeNo = IP_VS_TUNNEL_TYPE[type];
  if (typeNo === undefined) throw badValue(`tunnel type ${JSON.stringify(type)}`);
  const out = [attrU8(IPVS_DEST_ATTR.TUN_TYPE, typeNo)];
  if (type === 'gue') {
    out.push(attrBe16(IPVS_DEST_ATTR.TUN_PORT, checkUint('GUE port', t?.port ?? 0, 0xffff, 1)));
  }
  if (type !== 'ipip') {
    const flags = IP_VS_TUNNEL_ENCAP_FLAG[t?.checksum ?? 'nocsum'];
    if (flags === undefined) throw badValue(`tunnel checksum ${JSON.stringify(t?.checksum)}`);
    out.push(attrU16(IPVS_DEST_ATTR.TUN_FLAGS, flags));
  }
  return out;
}

/** The IPVS_CMD_ATTR_DEST nest: identity only, or the full entry NEW/SET need. */
export function destAttr(d: DestKey | DestSpec, full: boolean): Buffer {
  const parts = destKeyAttrs(d);
  if (full) {
    const s = d as DestSpec;
    const fwd = forwardNumber(s.forward);
    if (fwd === undefined) throw badValue(`forwarding method ${JSON.stringify(s.forward)}`);
    if (s.tunnel && s.forward !== 'TUN') throw badValue('tunnel settings need forward TUN');
    parts.push(
      attrU32(IPVS_DEST_ATTR.FWD_METHOD, fwd),
      attrU32(IPVS_DEST_ATTR.WEIGHT, checkUint('weight', s.weight, INT_MAX)),
    );
    if (s.forward === 'TUN') parts.push(...tunnelAttrs(s.tunnel));
    parts.push(
      attrU32(
        IPVS_DEST_ATTR.U_THRESH,
        checkUint('upper threshold', s.upperThreshold ?? 0, U32_MAX),
      ),
      attrU32(
        IPVS_DEST_ATTR.L_THRESH,
        checkUint('lower threshold', s.lowerThreshold ?? 0, U32_MAX),
      ),
    );
  }
  return attrNestedNoFlag(IPVS_CMD_ATTR.DEST, parts);
}

export const encodeNewDest = (svc: ServiceKey, d: DestSpec): IpvsRequest =>
  req(IPVS_CMD.NEW_DEST, [serviceAttr(svc, false), destAttr(d, true)]);
export const encodeSetDest = (svc: ServiceKey, d: DestSpec): IpvsRequest =>
  req(IPVS_CMD.SET_DEST, [serviceAttr(svc, false), destAttr(d, true)]);
export const encodeDelDest = (svc: ServiceKey, d: DestKey): IpvsRequest =>
  req(IPVS_CMD.DEL_DEST, [serviceAttr(svc, false), destAttr(d, false)]);
/** Dump of one service's dests (the kernel answers an empty dump if the service is missing). */
export const encodeGetDests = (svc: ServiceKey): IpvsRequest =>
  req(IPVS_CMD.GET_DEST, [serviceAttr(svc, false)], true);

// ---- global ----

export const encodeFlush = (): IpvsRequest => req(IPVS_CMD.FLUSH);
/** Zeroes the counters of one service, or of everything. */
export const encodeZero = (svc?: ServiceKey): IpvsRequest =>
  req(IPVS_CMD.ZERO, svc ? [serviceAttr(svc, false)] : []);

/** SET_CONFIG: only the timeouts given (and > 0) are sent; the kernel keeps the others. */
export function encodeSetConfig(t: Timeouts): IpvsRequest {
  const out: Buffer[] = [];
  const put = (type: number, what: string, v: number | undefined): void => {
    if (v !== undefined && checkUint(what, v, INT_MAX) > 0) out.push(attrU32(type, v));
  };
  put(IPVS_CMD_ATTR.TIMEOUT_TCP, 'tcp timeout', t.tcp);
  put(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN, 'tcpfin timeout', t.tcpFin);
  put(IPVS_CMD_ATTR.TIMEOUT_UDP, 'udp timeout', t.udp);
  return req(IPVS_CMD.SET_CONFIG, out);
}
export const encodeGetConfig = (): IpvsRequest => req(IPVS_CMD.GET_CONFIG);
export const encodeGetInfo = (): IpvsRequest => req(IPVS_CMD.GET_INFO);

// ---- replies ----

/** Replies are taken as the genl payload (genlmsghdr + attrs) or as an already split body. */
export type IpvsReply = Buffer | GenlBody;

function body(reply: IpvsReply, cmd: number, what: string): Map<number, Buffer> {
  const b = Buffer.isBuffer(reply) ? decodeGenl(reply) : reply;
  if (b.cmd !== cmd) throw malformed(`ipvs: ${what} reply has cmd ${b.cmd}, want ${cmd}`);
  return attrMap(b.attrs);
}

/** A NEW_SERVICE message (GET_SERVICE reply or one part of the services dump). */
export function decodeService(payload: IpvsReply): ServiceInfo {
  const nest = body(payload, IPVS_CMD.NEW_SERVICE, 'service').get(IPVS_CMD_ATTR.SERVICE);
  if (!nest) throw malformed('ipvs: service reply without IPVS_CMD_ATTR_SERVICE');
  const a = attrMap(nest);
  const family = familyOfAf(u16(a.get(IPVS_SVC_ATTR.AF)));
  const fwmark = u32(a.get(IPVS_SVC_ATTR.FWMARK));
  const scheduler = str(a.get(IPVS_SVC_ATTR.SCHED_NAME));
  if (scheduler === undefined) throw malformed('ipvs: service without scheduler');
  const flagData = a.get(IPVS_SVC_ATTR.FLAGS);
  const flagBitsRaw = flagData && flagData.length >= 4 ? flagData.readUInt32LE(0) : 0;
  const rest = {
    scheduler,
    persistenceEngine: str(a.get(IPVS_SVC_ATTR.PE_NAME)) ?? null,
    flagBits: flagBitsRaw,
    flags: flagNames(flagBitsRaw, scheduler),
    persistenceTimeout: u32(a.get(IPVS_SVC_ATTR.TIMEOUT)) ?? 0,
    netmask: decodeNetmask(a.get(IPVS_SVC_ATTR.NETMASK), family),
    stats: decodeStats(a.get(IPVS_SVC_ATTR.STATS64) ?? a.get(IPVS_SVC_ATTR.STATS)),
  };
  if (fwmark !== undefined && fwmark !== 0) return { family, fwmark, ...rest };
  const port = be16(a.get(IPVS_SVC_ATTR.PORT));
  if (port === undefined) throw malformed('ipvs: service without port or fwmark');
  return {
    family,
    protocol: protocolName(u16(a.get(IPVS_SVC_ATTR.PROTOCOL))),
    address: decodeInetAddr(a.get(IPVS_SVC_ATTR.ADDR), family),
    port,
    ...rest,
  };
}

/**
 * A NEW_DEST message (one part of the dests dump). `serviceFamily` stands in when the kernel
 * predates IPVS_DEST_ATTR_ADDR_FAMILY (Linux < 4.3).
 */
export function decodeDest(payload: IpvsReply, serviceFamily: Family = 4): DestInfo {
  const nest = body(payload, IPVS_CMD.NEW_DEST, 'dest').get(IPVS_CMD_ATTR.DEST);
  if (!nest) throw malformed('ipvs: dest reply without IPVS_CMD_ATTR_DEST');
  const a = attrMap(nest);
  const afData = a.get(IPVS_DEST_ATTR.ADDR_FAMILY);
  const family = afData ? familyOfAf(u16(afData)) : serviceFamily;
  const port = be16(a.get(IPVS_DEST_ATTR.PORT));
  if (port === undefined) throw malformed('ipvs: dest without port');
  const forward = forwardName(u32(a.get(IPVS_DEST_ATTR.FWD_METHOD)));
  const tunType = u8(a.get(IPVS_DEST_ATTR.TUN_TYPE));
  let tunnel: DestInfo['tunnel'] = null;
  if (forward === 'TUN' && tunType !== undefined) {
    const type = (Object.keys(IP_VS_TUNNEL_TYPE) as TunnelSpec['type'][]).find(
      (k) => IP_VS_TUNNEL_TYPE[k] === tunType,
    );
    if (!type) throw malformed(`ipvs: tunnel type ${tunType}`);
    const csum = u16(a.get(IPVS_DEST_ATTR.TUN_FLAGS)) ?? 0;
    tunnel = {
      type,
      port: be16(a.get(IPVS_DEST_ATTR.TUN_PORT)) ?? 0,
      checksum:
        csum & IP_VS_TUNNEL_ENCAP_FLAG.remcsum
          ? 'remcsum'
          : csum & IP_VS_TUNNEL_ENCAP_FLAG.csum
            ? 'csum'
            : 'nocsum',
    };
  }
  return {
    address: decodeInetAddr(a.get(IPVS_DEST_ATTR.ADDR), family),
    family,
    port,
    forward,
    weight: u32(a.get(IPVS_DEST_ATTR.WEIGHT)) ?? 0,
    upperThreshold: u32(a.get(IPVS_DEST_ATTR.U_THRESH)) ?? 0,
    lowerThreshold: u32(a.get(IPVS_DEST_ATTR.L_THRESH)) ?? 0,
    activeConns: u32(a.get(IPVS_DEST_ATTR.ACTIVE_CONNS)) ?? 0,
    inactiveConns: u32(a.get(IPVS_DEST_ATTR.INACT_CONNS)) ?? 0,
    persistentConns: u32(a.get(IPVS_DEST_ATTR.PERSIST_CONNS)) ?? 0,
    tunnel,
    stats: decodeStats(a.get(IPVS_DEST_ATTR.STATS64) ?? a.get(IPVS_DEST_ATTR.STATS)),
  };
}

/** The SET_CONFIG reply to GET_CONFIG (a kernel without TCP or UDP support omits those). */
export function decodeConfig(payload: IpvsReply): Required<Timeouts> {
  const a = body(payload, IPVS_CMD.SET_CONFIG, 'config');
  return {
    tcp: u32(a.get(IPVS_CMD_ATTR.TIMEOUT_TCP)) ?? 0,
    tcpFin: u32(a.get(IPVS_CMD_ATTR.TIMEOUT_TCP_FIN)) ?? 0,
    udp: u32(a.get(IPVS_CMD_ATTR.TIMEOUT_UDP)) ?? 0,
  };
}

/** The SET_INFO reply to GET_INFO. */
export function decodeInfo(payload: IpvsReply): IpvsInfo {
  const a = body(payload, IPVS_CMD.SET_INFO, 'info');
  const v = u32(a.get(IPVS_INFO_ATTR.VERSION));
  if (v === undefined) throw malformed('ipvs: info without version');
  return {
    version: `${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}`,
    connTableSize: u32(a.get(IPVS_INFO_ATTR.CONN_TAB_SIZE)) ?? 0,
  };
}
