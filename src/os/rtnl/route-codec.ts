/**
 * RTM_*ROUTE payloads, pure: decode rtmsg + RTA_* (multipath included) into RouteInfo; encode
 * add/replace/delete requests with `ip route`'s defaults (protocol boot, scope link for a
 * unicast route without gateway; deletes leave type, protocol and scope as wildcards).
 */
import { RT_SCOPE, RT_TABLE, RTA, ROUTE_TYPES, RTPROT } from './constants.js';
import { afOf, familyOf } from './address-codec.js';
import { checkPrefix, formatIp, ipBytes, type Family } from './ip.js';
import {
  align4,
  attr,
  attrBytes,
  attrMap,
  attrU32,
  decodeRtMsg,
  encodeRtMsg,
  RTMSG_LEN,
  u32,
} from './messages.js';
import type { NextHopInfo, RouteInfo, RouteSpec } from './types.js';

const RTNH_LEN = 8;

function decodeMultipath(buf: Buffer): NextHopInfo[] {
  const hops: NextHopInfo[] = [];
  let off = 0;
  while (off + RTNH_LEN <= buf.length) {
    const len = buf.readUInt16LE(off);
    if (len < RTNH_LEN || len > buf.length - off) break; // a short tail: keep what parsed
    const hop: NextHopInfo = {
      flags: buf[off + 2],
      weight: buf[off + 3] + 1,
      ifindex: buf.readInt32LE(off + 4),
    };
    const gw = attrMap(buf.subarray(off + RTNH_LEN, off + len)).get(RTA.GATEWAY);
    if (gw) hop.gateway = formatIp(gw);
    hops.push(hop);
    off += align4(len);
  }
  return hops;
}

/** Returns null for families other than IPv4/IPv6. */
export function decodeRoute(payload: Buffer): RouteInfo | null {
  const h = decodeRtMsg(payload);
  const family = familyOf(h.family);
  if (!family) return null;
  const a = attrMap(payload.subarray(RTMSG_LEN));
  const dst = a.get(RTA.DST);
  const route: RouteInfo = {
    family,
    dst: dst ? formatIp(dst) : family === 4 ? '0.0.0.0' : '::',
    prefixLength: h.dstLen,
    table: u32(a.get(RTA.TABLE)) ?? h.table,
    protocol: h.protocol,
    scope: h.scope,
    type: ROUTE_TYPES[h.type] ?? 'unspec',
  };
  const gw = a.get(RTA.GATEWAY);
  if (gw) route.gateway = formatIp(gw);
  const oif = u32(a.get(RTA.OIF));
  if (oif !== undefined) route.ifindex = oif;
  const metric = u32(a.get(RTA.PRIORITY));
  if (metric !== undefined) route.metric = metric;
  const src = a.get(RTA.PREFSRC);
  if (src) route.src = formatIp(src);
  const mp = a.get(RTA.MULTIPATH);
  if (mp) route.multipath = decodeMultipath(mp);
  return route;
}

function gatewayBytes(text: string, family: Family): Uint8Array {
  return ipBytes(text, family).bytes;
}

/** Payload for RTM_NEWROUTE (forDelete false) or RTM_DELROUTE. */
export function encodeRoute(spec: RouteSpec, forDelete = false): Buffer {
  const dst = ipBytes(spec.dst, spec.family);
  const family = dst.family;
  checkPrefix(spec.prefixLength, family);
  const table = spec.table ?? RT_TABLE.main;
  const typeName = spec.type ?? (forDelete ? undefined : 'unicast');
  const type = typeName ? ROUTE_TYPES.indexOf(typeName) : 0;
  if (type < 0)
    throw Object.assign(new TypeError(`unknown route type ${typeName}`), {
      code: 'ERR_INVALID_ARG_VALUE',
    });
  const protocol =
    typeof spec.protocol === 'number'
      ? spec.protocol
      : spec.protocol
        ? RTPROT[spec.protocol]
        : forDelete
          ? 0
          : RTPROT.boot;
  const unicastNoGw =
    (typeName ?? 'unicast') === 'unicast' && !spec.gateway && !spec.multipath?.length;
  const scope =
    typeof spec.scope === 'number'
      ? spec.scope
      : spec.scope
        ? RT_SCOPE[spec.scope]
        : forDelete
          ? RT_SCOPE.nowhere
          : unicastNoGw
            ? RT_SCOPE.link
            : RT_SCOPE.universe;
  const head = encodeRtMsg({
    family: afOf(family),
    dstLen: spec.prefixLength,
    srcLen: 0,
    tos: 0,
    table: table < 256 ? table : RT_TABLE.unspec,
    protocol,
    scope,
    type,
    flags: 0,
  });
  const attrs = [attrU32(RTA.TABLE, table)];
  if (spec.prefixLength > 0) attrs.push(attrBytes(RTA.DST, dst.bytes));
  if (spec.gateway !== undefined)
    attrs.push(attrBytes(RTA.GATEWAY, gatewayBytes(spec.gateway, family)));
  if (spec.ifindex !== undefined) attrs.push(attrU32(RTA.OIF, spec.ifindex));
  if (spec.metric !== undefined) attrs.push(attrU32(RTA.PRIORITY, spec.metric));
  if (spec.src !== undefined) attrs.push(attrBytes(RTA.PREFSRC, ipBytes(spec.src, family).bytes));
  if (spec.multipath?.length) {
    const hops = spec.multipath.map((nh) => {
      const weight = nh.weight ?? 1;
      if (!Number.isInteger(weight) || weight < 1 || weight > 256) {
        throw Object.assign(new RangeError(`next-hop weight ${weight} not in 1..256`), {
          code: 'ERR_OUT_OF_RANGE',
        });
      }
      const gw =
        nh.gateway === undefined
          ? Buffer.alloc(0)
          : attrBytes(RTA.GATEWAY, gatewayBytes(nh.gateway, family));
      const rtnh = Buffer.alloc(RTNH_LEN);
      rtnh.writeUInt16LE(RTNH_LEN + gw.length, 0);
      rtnh.writeUInt8(weight - 1, 3);
      rtnh.writeInt32LE(nh.ifindex, 4);
      return Buffer.concat([rtnh, gw]);
    });
    attrs.push(attr(RTA.MULTIPATH, Buffer.concat(hops)));
  }
  return Buffer.concat([head, ...attrs]);
}

/** "203.0.113.0/24 via 192.0.2.1 dev eth0 table 100 metric 5" for error messages. */
export function describeRoute(spec: RouteSpec, ifname?: (i: number) => string): string {
  const parts = [
    `${spec.type && spec.type !== 'unicast' ? spec.type + ' ' : ''}${spec.dst}/${spec.prefixLength}`,
  ];
  if (spec.gateway) parts.push(`via ${spec.gateway}`);
  if (spec.ifindex !== undefined) parts.push(`dev ${ifname ? ifname(spec.ifindex) : spec.ifindex}`);
  for (const nh of spec.multipath ?? []) {
    parts.push(
      `nexthop${nh.gateway ? ' via ' + nh.gateway : ''} dev ${ifname ? ifname(nh.ifindex) : nh.ifindex} weight ${nh.weight ?? 1}`,
    );
  }
  if (spec.table !== undefined) parts.push(`table ${spec.table}`);
  if (spec.metric !== undefined) parts.push(`metric ${spec.metric}`);
  if (spec.src) parts.push(`src ${spec.src}`);
  return parts.join(' ');
}
