/**
 * ctnetlink (NETLINK_NETFILTER, subsystem CTNETLINK) for connection counts per real server. Pure:
 * the dump request, the decoding of one conntrack message (event or dump reply) and the tracker
 * that turns NEW/UPDATE/DESTROY into per-backend ActiveConn/InActConn.
 *
 * A connection is counted against its reply-direction source — the real server's address:port
 * after DNAT — and only when its status carries IPS_DST_NAT, so the director's own flows are not.
 * As ipvsadm counts: a TCP flow in ESTABLISHED is active, any other TCP state (SYN_RECV, TIME_WAIT…)
 * and every UDP/SCTP flow is inactive.
 */
import {
  attrMap,
  be16,
  formatIp,
  NLM_F_DUMP,
  NLM_F_REQUEST,
  type NlMessage,
  u8,
} from '../os/netlink/index.js';

export const NETLINK_NETFILTER = 12;
const NFNL_SUBSYS_CTNETLINK = 1;
export const IPCTNL_MSG_CT_NEW = 0;
export const IPCTNL_MSG_CT_GET = 1;
export const IPCTNL_MSG_CT_DELETE = 2;
/** Multicast group bitmask for bind(): NFNLGRP_CONNTRACK_NEW (1), _UPDATE (2), _DESTROY (3). */
export const CT_GROUPS = 0b111;

const CTA_TUPLE_REPLY = 2;
const CTA_STATUS = 3;
const CTA_PROTOINFO = 4;
const CTA_ID = 12;
const CTA_TUPLE_IP = 1;
const CTA_TUPLE_PROTO = 2;
const CTA_IP_V4_SRC = 1;
const CTA_IP_V6_SRC = 3;
const CTA_PROTO_NUM = 1;
const CTA_PROTO_SRC_PORT = 2;
const CTA_PROTOINFO_TCP = 1;
const CTA_PROTOINFO_TCP_STATE = 1;
const IPS_DST_NAT = 1 << 5;
const TCP_CONNTRACK_ESTABLISHED = 3;
const IPPROTO_TCP = 6;

export const ctMsgType = (op: number): number => (NFNL_SUBSYS_CTNETLINK << 8) | op;

/** nfgenmsg: family, version 0 (NFNETLINK_V0), res_id 0. */
export function nfgenmsg(family: number): Buffer {
  return Buffer.from([family, 0, 0, 0]);
}

/** A dump of every conntrack entry of `family` (AF_INET 2, AF_INET6 10). */
export function dumpRequest(family: number): { type: number; flags: number; payload: Buffer } {
  return {
    type: ctMsgType(IPCTNL_MSG_CT_GET),
    flags: NLM_F_REQUEST | NLM_F_DUMP,
    payload: nfgenmsg(family),
  };
}

export interface CtEntry {
  id: number;
  /** The reply source: `addr:port` (IPv6 `[addr]:port`), i.e. the real server after DNAT. */
  backend: string;
  proto: number;
  /** TCP ESTABLISHED (ipvsadm's ActiveConn); false for every other state and protocol. */
  active: boolean;
  /** False when a TCP message carried no state (the previous state then stands). */
  stateKnown: boolean;
  dnat: boolean;
}

export type CtEvent = { kind: 'upsert'; entry: CtEntry } | { kind: 'destroy'; entry: CtEntry };

export function backendKey(addr: string, port: number): string {
  return addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`;
}

/** One ctnetlink message → an event, or null (not conntrack, or missing the reply tuple). */
export function decodeCt(msg: NlMessage): CtEvent | null {
  if (msg.type >> 8 !== NFNL_SUBSYS_CTNETLINK || msg.payload.length < 4) return null;
  const op = msg.type & 0xff;
  if (op !== IPCTNL_MSG_CT_NEW && op !== IPCTNL_MSG_CT_DELETE) return null;
  const a = attrMap(msg.payload.subarray(4));
  const reply = a.get(CTA_TUPLE_REPLY);
  if (!reply) return null;
  const t = attrMap(reply);
  const ip = attrMap(t.get(CTA_TUPLE_IP) ?? Buffer.alloc(0));
  const src = ip.get(CTA_IP_V4_SRC) ?? ip.get(CTA_IP_V6_SRC);
  const pr = attrMap(t.get(CTA_TUPLE_PROTO) ?? Buffer.alloc(0));
  const proto = u8(pr.get(CTA_PROTO_NUM)) ?? 0;
  const port = be16(pr.get(CTA_PROTO_SRC_PORT)) ?? 0;
  if (!src) return null;
  const idb = a.get(CTA_ID);
  const status = a.get(CTA_STATUS);
  let active = false;
  let stateKnown = proto !== IPPROTO_TCP;
  const pinfo = a.get(CTA_PROTOINFO);
  if (proto === IPPROTO_TCP && pinfo) {
    const tcp = attrMap(pinfo).get(CTA_PROTOINFO_TCP);
    const st = tcp ? u8(attrMap(tcp).get(CTA_PROTOINFO_TCP_STATE)) : undefined;
    if (st !== undefined) {
      stateKnown = true;
      active = st === TCP_CONNTRACK_ESTABLISHED;
    }
  }
  const entry: CtEntry = {
    id: idb && idb.length >= 4 ? idb.readUInt32BE(0) : 0,
    backend: backendKey(formatIp(src), port),
    proto,
    active,
    stateKnown,
    // Events for a state change may omit the status; DESTROY always carries the tuples only.
    dnat: status && status.length >= 4 ? (status.readUInt32BE(0) & IPS_DST_NAT) !== 0 : true,
  };
  return { kind: op === IPCTNL_MSG_CT_DELETE ? 'destroy' : 'upsert', entry };
}

export interface ConnCounts {
  active: number;
  inactive: number;
}

/**
 * Live DNAT'ed connections by conntrack id, and their sums per backend (reply source). The
 * director's own, un-NATed flows are not kept.
 */
export class ConnTracker {
  private readonly conns = new Map<number, { backend: string; active: boolean }>();
  private readonly counts = new Map<string, ConnCounts>();

  apply(ev: CtEvent): void {
    const e = ev.entry;
    if (ev.kind === 'destroy') return this.drop(e.id);
    if (!e.dnat) return;
    const prev = this.conns.get(e.id);
    // An UPDATE without protoinfo (e.g. a status-only change) keeps the known TCP state.
    const active = !e.stateKnown && prev ? prev.active : e.active;
    if (prev) this.bump(prev.backend, prev.active, -1);
    this.conns.set(e.id, { backend: e.backend, active });
    this.bump(e.backend, active, 1);
  }

  /** Replaces everything with a dump's entries. */
  reset(entries: Iterable<CtEntry>): void {
    this.conns.clear();
    this.counts.clear();
    for (const entry of entries) this.apply({ kind: 'upsert', entry });
  }

  get(backend: string): ConnCounts {
    return this.counts.get(backend) ?? { active: 0, inactive: 0 };
  }

  all(): ReadonlyMap<string, ConnCounts> {
    return this.counts;
  }

  private drop(id: number): void {
    const c = this.conns.get(id);
    if (!c) return;
    this.conns.delete(id);
    this.bump(c.backend, c.active, -1);
  }

  private bump(backend: string, active: boolean, d: number): void {
    const c = this.counts.get(backend) ?? { active: 0, inactive: 0 };
    if (active) c.active += d;
    else c.inactive += d;
    if (c.active === 0 && c.inactive === 0) this.counts.delete(backend);
    else this.counts.set(backend, c);
  }
}
