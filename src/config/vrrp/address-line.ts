/**
 * The address line grammar of virtual_ipaddress, virtual_ipaddress_excluded
 * and static_ipaddress (keepalived's alloc_ipaddress). Pure.
 *
 *   IP[/len] [dev IF] [scope S] [brd|broadcast IP|-|+] [label L] [peer IP]
 *   [home] [-nodad] [mngtmpaddr] [noprefixroute] [autojoin] [no_track]
 *   [preferred_lft N|forever] [use_vmac (VIPs)] [track_group G (static)]
 *
 * keepalived drops the whole address on a bad address, device or broadcast,
 * and only the option on other errors; the same happens here.
 */
import { ErrorCodes } from '../../core/errors.js';
import { isIP, isIPv4 } from '../ip.js';
import type { ParseCtx } from '../schema.js';
import type { ConfNode } from '../tree.js';
import { interfaceKnown } from './common.js';
import type { AddressSpec } from './types.js';

const SCOPES = new Set(['global', 'site', 'link', 'host', 'nowhere', 'universe']);

function v4ToInt(a: string): number {
  return a.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
}
function intToV4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** Parse `IP[/len]`; keepalived keeps the host length on a bad prefix, with a warning. */
export function parseIpWithPrefix(
  text: string,
  ctx: ParseCtx,
  node: ConfNode,
): { address: string; prefixLength: number; family: 4 | 6 } | undefined {
  const slash = text.indexOf('/');
  const addr = slash >= 0 ? text.slice(0, slash) : text;
  const family = text.includes(':') ? 6 : 4;
  const max = family === 6 ? 128 : 32;
  let prefixLength = max;
  if (slash >= 0) {
    const len = text.slice(slash + 1);
    if (/^\d+$/.test(len) && Number(len) <= max) prefixLength = Number(len);
    else {
      ctx.diag.warn(
        ErrorCodes.CONFIG_BAD_VALUE,
        `Invalid address prefix len ${len} for address ${text} - using ${max}`,
        node.pos,
      );
    }
  }
  if (isIP(addr) !== family) {
    ctx.diag.warn(
      ErrorCodes.CONFIG_BAD_VALUE,
      `VRRP parsed invalid IP ${text}. skipping IP...`,
      node.pos,
    );
    return undefined;
  }
  return { address: addr, prefixLength, family };
}

export function parseAddressLine(
  node: ConfNode,
  ctx: ParseCtx,
  kind: 'vip' | 'static',
): AddressSpec | undefined {
  const words = [node.keyword, ...node.args.map((t) => t.text)];
  const base = parseIpWithPrefix(words[0], ctx, node);
  if (!base) return undefined;
  const a: AddressSpec = {
    ...base,
    broadcast: null,
    dev: null,
    scope: null,
    label: null,
    peer: null,
    home: false,
    nodad: false,
    mngtmpaddr: false,
    noprefixroute: false,
    autojoin: false,
    noTrack: false,
    preferredLft: null,
    useVmac: false,
    trackGroup: null,
    pos: node.pos,
  };
  const warn = (m: string): void => ctx.diag.warn(ErrorCodes.CONFIG_BAD_VALUE, m, node.pos);
  let brd: string | null = null;
  for (let i = 1; i < words.length; i++) {
    const w = words[i];
    const needsValue = [
      'dev',
      'scope',
      'broadcast',
      'brd',
      'label',
      'peer',
      'preferred_lft',
      'track_group',
    ].includes(w);
    if (needsValue && i + 1 >= words.length) {
      warn(`No ${w} parameter specified for ${words[0]}`);
      return undefined;
    }
    switch (w) {
      case 'dev': {
        const name = words[++i];
        if (a.dev) {
          warn(`Cannot specify ipaddress device more than once for ${words[0]}`);
          return undefined;
        }
        if (!interfaceKnown(ctx, name, node.pos)) {
          warn(`WARNING - interface ${name} for ip address ${words[0]} doesn't exist`);
          return undefined;
        }
        a.dev = name;
        break;
      }
      case 'scope': {
        const s = words[++i];
        if (SCOPES.has(s) || /^\d+$/.test(s)) a.scope = s;
        else warn(`Invalid scope '${s}' specified for ${words[0]} - ignoring`);
        break;
      }
      case 'broadcast':
      case 'brd': {
        const b = words[++i];
        if (a.family === 6) {
          warn(
            `VRRP is trying to assign a broadcast ${w} to the IPv6 address ${words[0]} !!?? WTF... skipping VIP...`,
          );
          return undefined;
        }
        if (b !== '-' && b !== '+' && !isIPv4(b)) {
          warn(`VRRP is trying to assign invalid broadcast ${b}. skipping VIP...`);
          return undefined;
        }
        brd = b;
        break;
      }
      case 'label': {
        const l = words[++i];
        if (l.length >= 16) {
          warn(`Address label ${l} is longer than maximum length 15 - removing address`);
          return undefined;
        }
        a.label = l;
        break;
      }
      case 'peer': {
        const p = words[++i];
        if (a.peer) warn(`Peer ${p} - another peer has already been specified`);
        else if (!isIP(p)) warn(`Invalid peer address ${p}`);
        else if (isIP(p) !== a.family) warn(`Peer address ${p} does not match address family`);
        else a.peer = p;
        break;
      }
      case 'home':
        a.home = true;
        break;
      case '-nodad':
        a.nodad = true;
        break;
      case 'mngtmpaddr':
        a.mngtmpaddr = true;
        break;
      case 'noprefixroute':
        a.noprefixroute = true;
        break;
      case 'autojoin':
        a.autojoin = true;
        break;
      case 'no_track':
        a.noTrack = true;
        break;
      case 'preferred_lft': {
        const v = words[++i];
        if (v === 'forever') a.preferredLft = 0xffffffff;
        else if (/^\d+$/.test(v) && Number(v) <= 0xffffffff) a.preferredLft = Number(v);
        else warn(`preferred_lft ${v} is invalid`);
        break;
      }
      case 'track_group':
        if (kind === 'static') {
          const g = words[++i];
          if (!Object.prototype.hasOwnProperty.call(ctx.config.vrrp.trackGroups, g)) {
            warn(`track_group ${g} not found`);
          } else a.trackGroup = g;
          break;
        }
        warn(`Unknown configuration entry '${w}' for ip address - ignoring`);
        break;
      case 'use_vmac':
        if (kind === 'vip') {
          a.useVmac = true;
          break;
        }
        warn(`Unknown configuration entry '${w}' for ip address - ignoring`);
        break;
      default:
        warn(`Unknown configuration entry '${w}' for ip address - ignoring`);
    }
  }
  if (brd !== null) {
    if (a.peer) warn('Cannot specify broadcast and peer addresses - ignoring broadcast address');
    else if (brd === '-' || brd === '+') {
      if (a.prefixLength <= 30) {
        const hostMask = 2 ** (32 - a.prefixLength) - 1;
        const n = v4ToInt(a.address);
        const net = n - (n % (hostMask + 1));
        a.broadcast = intToV4(brd === '+' ? net + hostMask : net);
      } else warn(`Address prefix length ${a.prefixLength} too long for broadcast`);
    } else a.broadcast = brd;
  }
  if (a.family === 6) {
    if (a.scope) {
      warn(`Cannot specify scope for IPv6 addresses (${words[0]}) - ignoring scope`);
      a.scope = null;
    }
    if (a.label) {
      warn(`Cannot specify label for IPv6 addresses (${words[0]}) - ignoring label`);
      a.label = null;
    }
    // keepalived's old defaults: /128 → 0, otherwise forever.
    a.preferredLft ??= a.prefixLength === 128 ? 0 : 0xffffffff;
  }
  if (kind === 'static' && !a.dev) {
    const def = ctx.config.global.defaultInterface;
    const ifs = ctx.host.interfaces;
    if (ifs !== null && !ifs.has(def) && !ctx.config.global.dynamicInterfaces) {
      ctx.diag.push({
        code: ErrorCodes.CONFIG_FATAL,
        klass: 'fatal',
        message: `Static address ${words[0]} requires either an interface or default interface must exist`,
        pos: node.pos,
      });
      return undefined;
    }
    a.dev = def;
  }
  if (a.trackGroup && !a.dev) {
    warn('Static route cannot have track_group if interface not specified');
    a.trackGroup = null;
  }
  // keepalived 2.2.7 has the "use_vmac for a address requires an interface" check compiled
  // out: without `dev` the address is on the instance's interface (vip-placement.ts).
  return a;
}
