/**
 * RTM_*LINK payloads, pure: decode ifinfomsg + IFLA_* into LinkInfo; encode the requests the
 * client sends (macvlan creation, admin up/down, delete, get by index or name).
 */
import {
  AF_INET6,
  AF_UNSPEC,
  IFF_LOWER_UP,
  IFF_RUNNING,
  IFF_UP,
  IFLA,
  IFLA_INET6_ADDR_GEN_MODE,
  IFLA_INFO_DATA,
  IFLA_INFO_KIND,
  IFLA_MACVLAN_MODE,
  IN6_ADDR_GEN_MODE_NONE,
  MACVLAN_MODE,
  OPERSTATES,
} from './constants.js';
import { attrNestedNoFlag } from '../netlink/attrs.js';
import { formatHex, parseMac } from './ip.js';
import {
  attrBytes,
  attrMap,
  attrNested,
  attrStr,
  attrU32,
  attrU8,
  decodeIfInfo,
  encodeIfInfo,
  IFINFOMSG_LEN,
  str,
  u32,
  u8,
} from './messages.js';
import type { LinkInfo, MacvlanMode, MacvlanSpec } from './types.js';

export function decodeLink(payload: Buffer): LinkInfo {
  const h = decodeIfInfo(payload);
  const a = attrMap(payload.subarray(IFINFOMSG_LEN));
  const link: LinkInfo = {
    index: h.index,
    name: str(a.get(IFLA.IFNAME)) ?? '',
    flags: h.flags,
    up: (h.flags & IFF_UP) !== 0,
    running: (h.flags & IFF_RUNNING) !== 0,
    lowerUp: (h.flags & IFF_LOWER_UP) !== 0,
    operstate: OPERSTATES[u8(a.get(IFLA.OPERSTATE)) ?? 0] ?? 'unknown',
  };
  const mac = a.get(IFLA.ADDRESS);
  if (mac && mac.length > 0) link.mac = formatHex(mac);
  const mtu = u32(a.get(IFLA.MTU));
  if (mtu !== undefined) link.mtu = mtu;
  const lower = u32(a.get(IFLA.LINK));
  if (lower !== undefined) link.link = lower;
  const master = u32(a.get(IFLA.MASTER));
  if (master !== undefined) link.master = master;
  const info = a.get(IFLA.LINKINFO);
  if (info) {
    const ia = attrMap(info);
    const kind = str(ia.get(IFLA_INFO_KIND));
    if (kind) link.kind = kind;
    const data = ia.get(IFLA_INFO_DATA);
    if (kind === 'macvlan' && data) {
      const mode = u32(attrMap(data).get(IFLA_MACVLAN_MODE));
      const name = (Object.keys(MACVLAN_MODE) as MacvlanMode[]).find(
        (k) => MACVLAN_MODE[k] === mode,
      );
      if (name) link.macvlanMode = name;
    }
  }
  return link;
}

/** RTM_NEWLINK creating a macvlan on `spec.link`. */
export function encodeMacvlan(spec: MacvlanSpec): Buffer {
  if (!/^[^\s/:]{1,15}$/.test(spec.name)) {
    throw Object.assign(new TypeError(`bad interface name: ${spec.name}`), {
      code: 'ERR_INVALID_ARG_VALUE',
    });
  }
  const attrs = [
    attrStr(IFLA.IFNAME, spec.name),
    attrU32(IFLA.LINK, spec.link),
    attrNested(IFLA.LINKINFO, [
      attrStr(IFLA_INFO_KIND, 'macvlan'),
      attrNested(IFLA_INFO_DATA, [attrU32(IFLA_MACVLAN_MODE, MACVLAN_MODE[spec.mode])]),
    ]),
  ];
  if (spec.mac !== undefined) {
    const mac = parseMac(spec.mac);
    if (!mac || mac.length !== 6) {
      throw Object.assign(new TypeError(`bad MAC address: ${spec.mac}`), {
        code: 'ERR_INVALID_ARG_VALUE',
      });
    }
    attrs.push(attrBytes(IFLA.ADDRESS, mac));
  }
  return Buffer.concat([encodeIfInfo({ family: AF_UNSPEC }), ...attrs]);
}

/** RTM_NEWLINK changing only IFF_UP. */
export function encodeSetUp(ifindex: number, up: boolean): Buffer {
  return encodeIfInfo({ index: ifindex, flags: up ? IFF_UP : 0, change: IFF_UP });
}

/**
 * RTM_NEWLINK turning off the automatic IPv6 link-local address of a link (addr_gen_mode none),
 * as a VMAC must not advertise an EUI-64 address built from the virtual MAC (RFC 5798 §7.4).
 */
export function encodeAddrGenModeNone(ifindex: number): Buffer {
  return Buffer.concat([
    encodeIfInfo({ index: ifindex }),
    // Without NLA_F_NESTED, as iproute2 sends it.
    attrNestedNoFlag(IFLA.AF_SPEC, [
      attrNestedNoFlag(AF_INET6, [attrU8(IFLA_INET6_ADDR_GEN_MODE, IN6_ADDR_GEN_MODE_NONE)]),
    ]),
  ]);
}

/** RTM_DELLINK / RTM_GETLINK by index, or by name when index is 0. */
export function encodeLinkRef(ifindex: number, name?: string): Buffer {
  const h = encodeIfInfo({ index: ifindex });
  return name === undefined ? h : Buffer.concat([h, attrStr(IFLA.IFNAME, name)]);
}
