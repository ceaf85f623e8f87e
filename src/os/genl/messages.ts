/**
 * Generic netlink codec, pure: genlmsghdr after the nlmsghdr, then attributes; the nlctrl
 * CTRL_CMD_GETFAMILY request and its family reply (id, version, operations, multicast groups).
 * Malformed input throws StayaliveError SA_ERR_PACKET_MALFORMED and nothing else.
 */
import { ErrorCodes, StayaliveError } from '../../core/errors.js';
import {
  attrMap,
  attrStr,
  encodeMessage,
  malformed,
  parseAttrs,
  str,
  u16,
  u32,
  type NlMessage,
} from '../netlink/index.js';
import {
  CTRL_ATTR,
  CTRL_ATTR_MCAST_GRP,
  CTRL_ATTR_OP,
  CTRL_CMD,
  CTRL_VERSION,
  GENL_HDRLEN,
  GENL_ID_CTRL,
  GENL_NAMSIZ,
} from './constants.js';

/** One generic netlink message body: the genlmsghdr fields and the attribute bytes after it. */
export interface GenlBody {
  cmd: number;
  version: number;
  /** Attribute TLVs (a family with hdrsize 0, as nlctrl and IPVS are). */
  attrs: Buffer;
}

/** genlmsghdr + attributes: the payload of an nlmsghdr whose type is the family id. */
export function encodeGenl(body: GenlBody): Buffer {
  const hdr = Buffer.from([body.cmd & 0xff, body.version & 0xff, 0, 0]);
  return Buffer.concat([hdr, body.attrs]);
}

export function decodeGenl(payload: Buffer): GenlBody {
  if (payload.length < GENL_HDRLEN) {
    throw malformed(`genlmsghdr needs ${GENL_HDRLEN} bytes, got ${payload.length}`);
  }
  return { cmd: payload[0], version: payload[1], attrs: payload.subarray(GENL_HDRLEN) };
}

/** A whole request datagram (nlmsghdr + genlmsghdr + attrs), for tests and tools. */
export function frameGenl(
  familyId: number,
  flags: number,
  seq: number,
  body: GenlBody,
  pid = 0,
): Buffer {
  return encodeMessage({ type: familyId, flags, seq, pid, payload: encodeGenl(body) });
}

/** Throws a typed error unless `name` is a legal family name (1–15 bytes, no NUL). */
export function checkFamilyName(name: string): void {
  const n = Buffer.byteLength(name, 'utf8');
  if (n === 0 || n >= GENL_NAMSIZ || name.includes('\0')) {
    throw new StayaliveError(
      ErrorCodes.OS,
      `generic netlink family name ${JSON.stringify(name)} must be 1–${GENL_NAMSIZ - 1} bytes`,
    );
  }
}

/** CTRL_CMD_GETFAMILY by name, sent to GENL_ID_CTRL. */
export function encodeGetFamily(name: string): GenlBody {
  checkFamilyName(name);
  return {
    cmd: CTRL_CMD.GETFAMILY,
    version: CTRL_VERSION,
    attrs: attrStr(CTRL_ATTR.FAMILY_NAME, name),
  };
}
export const GETFAMILY_TYPE = GENL_ID_CTRL;

export interface GenlOp {
  id: number;
  flags: number;
}

export interface GenlFamily {
  id: number;
  name: string;
  version: number;
  hdrSize: number;
  maxAttr: number;
  ops: GenlOp[];
  /** Multicast group name → id. */
  groups: Record<string, number>;
}

/** The CTRL_CMD_NEWFAMILY reply to GETFAMILY. Requires the family id and name. */
export function decodeFamily(payload: Buffer): GenlFamily {
  const body = decodeGenl(payload);
  if (body.cmd !== CTRL_CMD.NEWFAMILY) throw malformed(`nlctrl reply cmd ${body.cmd}`);
  const a = attrMap(body.attrs);
  const id = u16(a.get(CTRL_ATTR.FAMILY_ID));
  const name = str(a.get(CTRL_ATTR.FAMILY_NAME));
  if (id === undefined || name === undefined) throw malformed('nlctrl reply without id or name');
  const ops: GenlOp[] = [];
  const opsData = a.get(CTRL_ATTR.OPS);
  if (opsData) {
    for (const item of parseAttrs(opsData)) {
      const o = attrMap(item.data);
      const opId = u32(o.get(CTRL_ATTR_OP.ID));
      if (opId !== undefined) ops.push({ id: opId, flags: u32(o.get(CTRL_ATTR_OP.FLAGS)) ?? 0 });
    }
  }
  const groups: Record<string, number> = {};
  const grpData = a.get(CTRL_ATTR.MCAST_GROUPS);
  if (grpData) {
    for (const item of parseAttrs(grpData)) {
      const g = attrMap(item.data);
      const gName = str(g.get(CTRL_ATTR_MCAST_GRP.NAME));
      const gId = u32(g.get(CTRL_ATTR_MCAST_GRP.ID));
      if (gName !== undefined && gId !== undefined) groups[gName] = gId;
    }
  }
  return {
    id,
    name,
    version: u32(a.get(CTRL_ATTR.VERSION)) ?? 0,
    hdrSize: u32(a.get(CTRL_ATTR.HDRSIZE)) ?? 0,
    maxAttr: u32(a.get(CTRL_ATTR.MAXATTR)) ?? 0,
    ops,
    groups,
  };
}

/** Decodes every reply of one family request, skipping messages of other types. */
export function genlReplies(msgs: NlMessage[], familyId: number): GenlBody[] {
  return msgs.filter((m) => m.type === familyId).map((m) => decodeGenl(m.payload));
}
