/**
 * RTM_*RULE payloads, pure: decode fib_rule_hdr + FRA_* into RuleInfo; encode add/delete
 * requests. On delete, unset fields (action, table, priority…) are wildcards to the kernel.
 */
import { FIB_RULE_INVERT, FR_ACT, FRA, RT_TABLE, type RuleAction } from './constants.js';
import { afOf, familyOf } from './address-codec.js';
import { formatIp, parseCidr } from './ip.js';
import {
  attrBytes,
  attrMap,
  attrStr,
  attrU32,
  attrU8,
  decodeFibRuleHdr,
  encodeFibRuleHdr,
  FIB_RULE_HDR_LEN,
  str,
  u32,
  u8,
} from './messages.js';
import type { RuleInfo, RuleSpec } from './types.js';

const ACTIONS = Object.keys(FR_ACT) as RuleAction[];

/** Returns null for families other than IPv4/IPv6. */
export function decodeRule(payload: Buffer): RuleInfo | null {
  const h = decodeFibRuleHdr(payload);
  const family = familyOf(h.family);
  if (!family) return null;
  const a = attrMap(payload.subarray(FIB_RULE_HDR_LEN));
  const rule: RuleInfo = {
    family,
    // The kernel leaves FRA_PRIORITY out for priority 0.
    priority: u32(a.get(FRA.PRIORITY)) ?? 0,
    table: u32(a.get(FRA.TABLE)) ?? h.table,
    action: ACTIONS.find((k) => FR_ACT[k] === h.action) ?? h.action,
    invert: (h.flags & FIB_RULE_INVERT) !== 0,
  };
  const src = a.get(FRA.SRC);
  if (src) rule.from = `${formatIp(src)}/${h.srcLen}`;
  const dst = a.get(FRA.DST);
  if (dst) rule.to = `${formatIp(dst)}/${h.dstLen}`;
  const mark = u32(a.get(FRA.FWMARK));
  if (mark !== undefined) rule.fwmark = mark;
  const mask = u32(a.get(FRA.FWMASK));
  if (mask !== undefined) rule.fwmask = mask;
  const iif = str(a.get(FRA.IIFNAME));
  if (iif) rule.iif = iif;
  const oif = str(a.get(FRA.OIFNAME));
  if (oif) rule.oif = oif;
  const go = u32(a.get(FRA.GOTO));
  if (go !== undefined) rule.goto = go;
  const sp = u32(a.get(FRA.SUPPRESS_PREFIXLEN));
  if (sp !== undefined && sp !== 0xffffffff) rule.suppressPrefixLength = sp;
  const proto = u8(a.get(FRA.PROTOCOL));
  if (proto !== undefined) rule.protocol = proto;
  return rule;
}

/** Payload for RTM_NEWRULE / RTM_DELRULE. */
export function encodeRule(spec: RuleSpec, forDelete = false): Buffer {
  const from = spec.from === undefined ? undefined : parseCidr(spec.from, spec.family);
  const to = spec.to === undefined ? undefined : parseCidr(spec.to, spec.family);
  const actionName = spec.action ?? (forDelete ? undefined : 'table');
  const action = actionName === undefined ? FR_ACT.unspec : FR_ACT[actionName];
  if (action === undefined)
    throw Object.assign(new TypeError(`unknown rule action ${actionName}`), {
      code: 'ERR_INVALID_ARG_VALUE',
    });
  const table = spec.table ?? (forDelete || actionName !== 'table' ? undefined : RT_TABLE.main);
  const head = encodeFibRuleHdr({
    family: afOf(spec.family),
    dstLen: to?.len ?? 0,
    srcLen: from?.len ?? 0,
    tos: 0,
    table: table !== undefined && table < 256 ? table : RT_TABLE.unspec,
    action,
    flags: spec.invert ? FIB_RULE_INVERT : 0,
  });
  const attrs: Buffer[] = [];
  if (spec.priority !== undefined) attrs.push(attrU32(FRA.PRIORITY, spec.priority));
  if (table !== undefined) attrs.push(attrU32(FRA.TABLE, table));
  if (from) attrs.push(attrBytes(FRA.SRC, from.bytes));
  if (to) attrs.push(attrBytes(FRA.DST, to.bytes));
  if (spec.fwmark !== undefined) attrs.push(attrU32(FRA.FWMARK, spec.fwmark));
  if (spec.fwmask !== undefined) attrs.push(attrU32(FRA.FWMASK, spec.fwmask));
  if (spec.iif !== undefined) attrs.push(attrStr(FRA.IIFNAME, spec.iif));
  if (spec.oif !== undefined) attrs.push(attrStr(FRA.OIFNAME, spec.oif));
  if (spec.protocol !== undefined) attrs.push(attrU8(FRA.PROTOCOL, spec.protocol));
  return Buffer.concat([head, ...attrs]);
}

/** "prio 100 from 192.0.2.0/24 fwmark 0x1 lookup 100" for error messages. */
export function describeRule(spec: RuleSpec): string {
  const parts = [`IPv${spec.family}`];
  if (spec.priority !== undefined) parts.push(`prio ${spec.priority}`);
  if (spec.invert) parts.push('not');
  if (spec.from) parts.push(`from ${spec.from}`);
  if (spec.to) parts.push(`to ${spec.to}`);
  if (spec.fwmark !== undefined) parts.push(`fwmark 0x${spec.fwmark.toString(16)}`);
  if (spec.iif) parts.push(`iif ${spec.iif}`);
  if (spec.oif) parts.push(`oif ${spec.oif}`);
  if (spec.table !== undefined) parts.push(`lookup ${spec.table}`);
  if (spec.action && spec.action !== 'table') parts.push(spec.action);
  return parts.join(' ');
}
