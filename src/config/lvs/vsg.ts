/**
 * `virtual_server_group NAME { … }` entries. Pure.
 *
 * Grammar per line: `IP [PORT]`, `IP/len [PORT]` (aligned prefix),
 * `a.b.c.d-e [PORT]` (last octet / last IPv6 group), `A-B [PORT]` (full end
 * address), or `fwmark N [inet|inet6]`. Bad entries are reported and
 * skipped; a group with no entries left, or mixing IPv4, IPv6 and a
 * family-less fwmark, is kept with `usable: false` (keepalived removes it).
 */
import { ErrorCodes } from '../../core/errors.js';
import type { Handler, ParseCtx } from '../schema.js';
import type { Config } from '../model.js';
import type { ConfNode } from '../tree.js';
import { parseServer, cfgError, UINT_MAX } from './common.js';
import { ipv4ToInt, ipv6ToGroups, groupsToIpv6, intToIpv4 } from './addr.js';
import type { VirtualServerGroup, VsgEntry } from './types.js';

export const vsgHandler: Handler<Config> = (node, config, ctx) => {
  const nameTok = node.args[0];
  if (!nameTok) {
    cfgError(ctx, 'virtual_server_group: missing name', node.pos);
    return;
  }
  const group: VirtualServerGroup = {
    name: nameTok.text,
    entries: [],
    usable: true,
    pos: node.pos,
  };
  // Words after the name on the opening line are entries too (keepalived
  // feeds them to the same block reader).
  const lines: ConfNode[] = [];
  if (node.args.length > 1) {
    const [first, ...rest] = node.args.slice(1);
    lines.push({ ...node, keyword: first.text, pos: first.pos, args: rest });
  }
  lines.push(...(node.children ?? []));
  let haveV4 = false;
  let haveV6 = false;
  let fwmarkNoFamily = false;
  for (const line of lines) {
    const entry = parseEntry(line, group.name, ctx);
    if (!entry) continue;
    group.entries.push(entry);
    if (entry.kind === 'fwmark') {
      if (entry.family === 4) haveV4 = true;
      else if (entry.family === 6) haveV6 = true;
      else fwmarkNoFamily = true;
    } else if (entry.family === 4) haveV4 = true;
    else haveV6 = true;
  }
  if (group.entries.length === 0) {
    group.usable = false;
    group.why = 'no entries';
    cfgError(
      ctx,
      `virtual server group ${group.name} has no entries - removing`,
      node.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
  } else if (haveV4 && haveV6 && fwmarkNoFamily) {
    group.usable = false;
    group.why = 'IPv4, IPv6 and fwmark without family';
    cfgError(
      ctx,
      `virtual server group ${group.name} cannot have IPv4, IPv6 and fwmark without family - removing`,
      node.pos,
      ErrorCodes.CONFIG_INVALID_OBJECT,
    );
  }
  // keepalived appends duplicates; a lookup by name finds the first one.
  if (!Object.prototype.hasOwnProperty.call(config.lvs.virtualServerGroups, group.name)) {
    config.lvs.virtualServerGroups[group.name] = group;
  }
};

function parseEntry(line: ConfNode, gname: string, ctx: ParseCtx): VsgEntry | undefined {
  const word = line.keyword;
  if (word === 'fwmark') {
    const t = line.args[0];
    const n = t && /^\d+$/.test(t.text) ? Number(t.text) : NaN;
    if (!t || !(n >= 0 && n <= UINT_MAX)) {
      cfgError(
        ctx,
        `(${gname}): fwmark '${t?.text ?? ''}' must be in [0, ${UINT_MAX}] - ignoring`,
        t?.pos ?? line.pos,
      );
      return undefined;
    }
    const fam = line.args[1];
    if (!fam) return { kind: 'fwmark', fwmark: n, family: null, pos: line.pos };
    if (fam.text === 'inet' || fam.text === 'inet6') {
      return { kind: 'fwmark', fwmark: n, family: fam.text === 'inet' ? 4 : 6, pos: line.pos };
    }
    cfgError(ctx, `(${gname}): fwmark '${n}' family ${fam.text} unknown - ignoring`, fam.pos);
    return undefined;
  }
  const portText = line.args[0]?.text;
  const portShown = portText !== undefined && !/^0+$/.test(portText) ? `/port/${portText}` : '';
  const invalid = (): undefined => {
    cfgError(
      ctx,
      `Invalid virtual server group IP address ${word}${portShown} - skipping`,
      line.pos,
    );
    return undefined;
  };
  const slash = word.indexOf('/');
  const dash = word.indexOf('-');
  const base = slash >= 0 ? word.slice(0, slash) : dash >= 0 ? word.slice(0, dash) : word;
  const srv = parseServer(base, portText);
  if (!srv) return invalid();
  const { family, port } = srv;
  if (slash >= 0) {
    const lenText = word.slice(slash + 1);
    const len = /^\d+$/.test(lenText) ? Number(lenText) : NaN;
    const max = family === 4 ? 32 : 128;
    if (!(len >= 1 && len <= max)) {
      cfgError(ctx, `Invalid netmask - ${word} - skipping`, line.pos);
      return undefined;
    }
    const range = prefixRange(base, family, len);
    if (!range) {
      cfgError(ctx, `Address mask bits not empty - ${word} - skipping`, line.pos);
      return undefined;
    }
    return { kind: 'range', start: base, end: range, family, port, pos: line.pos };
  }
  if (dash >= 0) {
    const endText = word.slice(dash + 1);
    const fullEnd = family === 4 ? endText.includes('.') : endText.includes(':');
    if (fullEnd) {
      const end = parseServer(endText, undefined);
      if (!end) {
        cfgError(ctx, `Invalid range end ${word} - skipping`, line.pos);
        return undefined;
      }
      if (end.family !== family) {
        cfgError(ctx, `Range address families do not match ${word} - skipping`, line.pos);
        return undefined;
      }
      if (compareAddr(base, endText, family) > 0) {
        cfgError(
          ctx,
          `Address range end is less than address range start - ${word} - skipping`,
          line.pos,
        );
        return undefined;
      }
      return { kind: 'range', start: base, end: endText, family, port, pos: line.pos };
    }
    // Short form: the end replaces the last octet (IPv4, decimal) or the
    // last group (IPv6, hex).
    const ok = family === 4 ? /^\d{1,3}$/.test(endText) : /^[0-9a-fA-F]{1,4}$/.test(endText);
    const endNum = ok ? parseInt(endText, family === 4 ? 10 : 16) : NaN;
    if (!ok || endNum > (family === 4 ? 255 : 0xffff)) return invalid();
    let start: number;
    let end: string;
    if (family === 4) {
      const a = ipv4ToInt(base);
      start = a & 0xff;
      end = intToIpv4(((a & ~0xff) | endNum) >>> 0);
    } else {
      const g = ipv6ToGroups(base);
      start = g[7];
      g[7] = endNum;
      end = groupsToIpv6(g);
    }
    if (start >= endNum) {
      cfgError(
        ctx,
        `Address range end is not greater than address range start - ${word} - skipping`,
        line.pos,
      );
      return undefined;
    }
    return { kind: 'range', start: base, end, family, port, pos: line.pos };
  }
  return { kind: 'range', start: base, end: base, family, port, pos: line.pos };
}

/** Last address of an aligned prefix, or undefined if host bits are set. */
function prefixRange(addr: string, family: 4 | 6, len: number): string | undefined {
  if (family === 4) {
    const a = ipv4ToInt(addr);
    const host = len === 32 ? 0 : (0xffffffff >>> len) >>> 0;
    if ((a & host) >>> 0 !== 0) return undefined;
    return intToIpv4((a | host) >>> 0);
  }
  const g = ipv6ToGroups(addr);
  for (let i = 0; i < 8; i++) {
    const bitsHere = Math.max(0, Math.min(16, len - i * 16));
    const hostMask = bitsHere === 16 ? 0 : 0xffff >>> bitsHere;
    if ((g[i] & hostMask) !== 0) return undefined;
    g[i] |= hostMask;
  }
  return groupsToIpv6(g);
}

function compareAddr(a: string, b: string, family: 4 | 6): number {
  if (family === 4) return ipv4ToInt(a) - ipv4ToInt(b);
  const ga = ipv6ToGroups(a);
  const gb = ipv6ToGroups(b);
  for (let i = 0; i < 8; i++) if (ga[i] !== gb[i]) return ga[i] - gb[i];
  return 0;
}
