/**
 * vrrp_instance handlers for addresses and peers (VIPs, unicast peers,
 * source/destination addresses), VMAC/ipvlan and authentication. Pure.
 * The first address seen fixes the instance family, as in keepalived.
 */
import { ErrorCodes } from '../../core/errors.js';
import { isIP } from '../ip.js';
import type { BlockSpec, Handler, ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { arg, parseInteger } from '../values.js';
import { parseAddressLine } from './address-line.js';
import { bad } from './common.js';
import type { VrrpInstance } from './types.js';

type H = Handler<VrrpInstance>;

/** The first VIP, peer or source address fixes the family (keepalived's vrrp->family). */
export function takeFamily(v: VrrpInstance, f: 4 | 6): boolean {
  if (!v.familySet) {
    v.familySet = true;
    v.family = f;
    return true;
  }
  return v.family === f;
}
export function familyKnown(v: VrrpInstance): boolean {
  return v.familySet;
}

export function addrBlock(field: 'virtualIpaddress' | 'virtualIpaddressExcluded'): H {
  return (node, v, ctx) => {
    for (const line of node.children ?? []) {
      const a = parseAddressLine(line, ctx, 'vip');
      if (!a) continue;
      if (field === 'virtualIpaddress' && !takeFamily(v, a.family)) {
        bad(
          ctx,
          line,
          `(${v.name}): address family must match VRRP instance [${line.keyword}] - ignoring`,
        );
        continue;
      }
      v[field].push(a);
    }
  };
}

export const unicastPeer: H = (node, v, ctx) => {
  v.unicastConfigured = true;
  for (const line of node.children ?? []) {
    const f = isIP(line.keyword);
    if (!f) {
      bad(
        ctx,
        line,
        `Configuration error: VRRP instance[${v.name}] malformed unicast peer address[${line.keyword}]. Skipping...`,
      );
      continue;
    }
    if (!takeFamily(v, f)) {
      bad(
        ctx,
        line,
        `Configuration error: VRRP instance[${v.name}] and unicast peer address[${line.keyword}] MUST be of the same family !!! Skipping...`,
      );
      continue;
    }
    const peer = { address: line.keyword, minTtl: 0, maxTtl: 255 };
    const a = line.args;
    for (let i = 0; i < a.length; i += 2) {
      if (i + 1 >= a.length) {
        bad(ctx, line, `(${v.name}) ${a[i].text} is missing a value`);
        break;
      }
      const ttl = parseInteger(a[i + 1], ctx, 0, 255);
      if (ttl === undefined) continue;
      if (a[i].text === 'min_ttl') peer.minTtl = ttl;
      else if (a[i].text === 'max_ttl') peer.maxTtl = ttl;
      else {
        bad(ctx, line, `(${v.name}) unknown unicast_peer option ${a[i].text}`);
        break;
      }
      v.checkUnicastSrc = true;
    }
    if (peer.minTtl > peer.maxTtl) {
      bad(
        ctx,
        line,
        `(${v.name}) min_ttl ${peer.minTtl} > max_ttl ${peer.maxTtl} - all packets will be discarded`,
      );
    }
    v.unicastPeers.push(peer);
  }
};

export function srcIp(field: 'unicastSrcIp' | 'mcastSrcIp'): H {
  return (node, v, ctx) => {
    if (field === 'unicastSrcIp') v.unicastConfigured = true;
    const tok = arg(node, ctx);
    if (!tok) return;
    const f = isIP(tok.text);
    if (!f)
      return bad(
        ctx,
        node,
        `Configuration error: VRRP instance[${v.name}] malformed src address[${tok.text}]. Skipping...`,
      );
    if (!takeFamily(v, f)) {
      return bad(
        ctx,
        node,
        `Configuration error: VRRP instance[${v.name}] and src address[${tok.text}] MUST be of the same family !!! Skipping...`,
      );
    }
    v[field] = tok.text;
  };
}

export const mcastDst: H = (node, v, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  const f = isIP(tok.text);
  if (!f)
    return bad(ctx, node, `(${v.name}) malformed mcast dest address ${tok.text}. Skipping...`);
  if (!takeFamily(v, f))
    return bad(
      ctx,
      node,
      `(${v.name}) mcast dest address ${tok.text} MUST match VRRP instance family. Skipping...`,
    );
  const mc =
    f === 4
      ? Number(tok.text.split('.')[0]) >= 224 && Number(tok.text.split('.')[0]) <= 239
      : /^ff.2:/i.test(tok.text);
  if (!mc)
    return bad(
      ctx,
      node,
      `(${v.name}) mcast_dst_ip ${tok.text} not${f === 6 ? ' link-local' : ''} multicast. Skipping...`,
    );
  v.mcastDstIp = tok.text;
};

/**
 * A use_vmac MAC as keepalived reads it: 1-2 hex digits per octet; five octets (a trailing ':'
 * allowed) leave the last to the VRID, finished in instance-finalize; after six, the rest is
 * ignored. Returns the octets, or why not.
 */
export function parseVmacMac(text: string): { octets: number[] } | { error: 'chars' | 'format' } {
  if (!/^[0-9a-fA-F:]*$/.test(text)) return { error: 'chars' };
  const m = /^((?:[0-9a-fA-F]{1,2}:){4}[0-9a-fA-F]{1,2})(?::?$|:([0-9a-fA-F]{1,2})(?::.*)?$)/.exec(
    text,
  );
  if (!m) return { error: 'format' };
  const octets = m[1].split(':').map((o) => parseInt(o, 16));
  if (m[2] !== undefined) octets.push(parseInt(m[2], 16));
  return { octets };
}

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export const useVmac: H = (node, v, ctx) => {
  const spec = v.useVmac ?? { ifname: null, mac: null };
  // keepalived reads the first two arguments only (a name and a MAC, either order).
  for (const t of node.args.slice(0, 2)) {
    if (t.text.includes(':')) {
      if (spec.mac !== null) {
        bad(ctx, node, 'VMAC interface address already specified');
        continue;
      }
      const r = parseVmacMac(t.text);
      if ('error' in r) {
        if (r.error === 'chars') bad(ctx, node, `VMAC invalid MAC address ${t.text}`);
        else bad(ctx, node, `VMAC invalid MAC address ${t.text} - ignored`);
      } else if (r.octets[0] & 1) {
        bad(ctx, node, `VMAC MAC address is multicast ${t.text} - ignoring`);
      } else if (
        r.octets.slice(0, 4).join() === '0,0,94,0' &&
        (r.octets[4] === 1 || r.octets[4] === 2)
      ) {
        bad(ctx, node, `VMAC MAC address not allowed to be RFC5798 address (${t.text}) - ignoring`);
      } else {
        // Five octets: the sixth is the VRID, set when the instance is finalized.
        spec.mac = r.octets.map(hex2).join(':');
      }
    } else if (spec.ifname !== null) {
      bad(ctx, node, 'VMAC interface name already specified');
    } else if (t.text.length >= 16 || t.text === '.' || t.text === '..' || t.text.includes('/')) {
      bad(ctx, node, `VMAC interface name '${t.text}' too long or invalid characters - ignoring`);
    } else {
      const other = Object.values(ctx.config.vrrp.instances).find(
        (o) => o.useVmac?.ifname === t.text,
      );
      if (other)
        bad(
          ctx,
          node,
          `(${v.name}) VRRP instance ${other.name} is already using ${t.text} - ignoring name`,
        );
      else spec.ifname = t.text;
    }
  }
  v.useVmac = spec;
};

export const useIpvlan: H = (node, v, ctx) => {
  if (v.useIpvlan) return bad(ctx, node, `(${v.name}) use_ipvlan already specified`);
  const spec: { ifname: string | null; address: string | null; mode: string | null } = {
    ifname: null,
    address: null,
    mode: null,
  };
  for (const t of node.args) {
    if (['bridge', 'private', 'vepa'].includes(t.text)) {
      if (spec.mode)
        bad(ctx, node, `(${v.name}) ipvlan type already specified - ignoring '${t.text}'`);
      else spec.mode = t.text;
    } else if (isIP(t.text.split('/')[0])) spec.address = t.text;
    else spec.ifname = t.text;
  }
  v.useIpvlan = spec;
};

const authType: H = (node, v, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  if (tok.text === 'AH' || tok.text === 'PASS') v.authType = tok.text;
  else bad(ctx, node, `(${v.name}) unknown authentication type '${tok.text}'`);
};

const authPass: H = (node, v, ctx) => {
  const tok = arg(node, ctx);
  if (!tok) return;
  let p = tok.text;
  if (p.length > 8) {
    ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, 'Truncating auth_pass to 8 characters', tok.pos);
    p = p.slice(0, 8);
  }
  v.authPass = p;
};

const authSpec: BlockSpec<VrrpInstance> = {
  name: 'authentication',
  keywords: { auth_type: authType, auth_pass: authPass },
};

export function walkAuth(nodes: readonly ConfNode[], v: VrrpInstance, ctx: ParseCtx): void {
  for (const n of nodes) {
    const h = Object.prototype.hasOwnProperty.call(authSpec.keywords, n.keyword)
      ? authSpec.keywords[n.keyword]
      : undefined;
    if (h) h(n, v, ctx);
    else ctx.diag.warn(ErrorCodes.CONFIG_UNKNOWN_KEYWORD, `Unknown keyword '${n.keyword}'`, n.pos);
  }
}
