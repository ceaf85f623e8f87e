/**
 * Receive checks of a decoded advert against the local instance (RFC 3768 §7.1, RFC 5798 §7.1),
 * in the order of keepalived 2.2.7's vrrp_check_packet, plus the drop counters. Pure code.
 *
 * keepalived behaviour kept on purpose (protocols.md §1.7, §1.10):
 * - the TTL must be 255 for multicast only; unicast checks a peer's min/max ttl, and only with
 *   check_unicast_src;
 * - v2 drops an advert interval different from ours; v3 does not (a Backup learns it);
 * - a count or VIP set different from ours is dropped (RFC: MAY check), unless
 *   skip_check_adv_addr and the advert comes from the master already followed;
 * - IPv6 lists need not start with a link-local address (keepalived sends only the VIPs);
 *   `requireLinkLocalFirst` turns RFC 5798 erratum 8300 on.
 * Not here: "we are the owner" (the state machine decides; erratum 8298 only logs), IPsec AH.
 */
import { bytesEqual, parseIp } from './ip-addr.js';
import type {
  AdvertExpectations,
  ChecksumForm,
  DropCounters,
  DropReason,
  ValidateResult,
  VrrpAdvert,
  VrrpDrop,
} from './types.js';
import { DROP_REASONS } from './types.js';

const VRRP_TTL = 255;

function drop(reason: DropReason, detail: string): VrrpDrop {
  return { ok: false, reason, detail };
}

function sameAddress(a: string, b: string, family: 4 | 6): boolean {
  const x = parseIp(a, family);
  const y = parseIp(b, family);
  return x !== null && y !== null && bytesEqual(x, y);
}

/** Compares without an early exit, like keepalived's memcmp_constant_time. */
function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  let diff = a.length ^ b.length;
  for (let i = 0; i < Math.max(a.length, b.length); i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}

/** The 8 PASS bytes keepalived sends and expects: the password's first 8 bytes, zero padded. */
export function passAuthData(pass: string): Uint8Array {
  const out = new Uint8Array(8);
  out.set(new TextEncoder().encode(pass).subarray(0, 8));
  return out;
}

/** keepalived's check_vip_addr: skipped only in BACKUP for the master already followed. */
export function shouldCheckAddresses(a: VrrpAdvert, e: AdvertExpectations): boolean {
  if (!e.skipCheckAdvAddr || e.currentMaster == null) return true;
  return !sameAddress(a.ip.src, e.currentMaster, a.family);
}

export function validateAdvert(a: VrrpAdvert, e: AdvertExpectations): ValidateResult {
  if (a.vrid !== e.vrid) return drop('vrid', `vrid=${a.vrid}, expected ${e.vrid}`);
  const peers = e.unicastPeers ?? [];
  const unicast = peers.length > 0;
  const ttl = a.ip.ttl;
  if (!unicast && ttl !== null && ttl !== VRRP_TTL) {
    return drop('ttl', `ttl=${ttl}, expected ${VRRP_TTL}`);
  }
  if (a.version !== e.version)
    return drop('version', `version=${a.version}, expected ${e.version}`);
  if (a.version === 2) {
    if (a.authType > 2) return drop('auth-type', `auth type=${a.authType} unknown`);
    const ours = e.authType === 'PASS' ? 1 : 0;
    if (a.authType !== ours) return drop('auth-type', `auth type=${a.authType}, expected ${ours}`);
    if (ours === 1 && !constantTimeEqual(a.authData, passAuthData(e.authPass ?? ''))) {
      return drop('auth', 'auth data: invalid password');
    }
    if (a.intervalCs !== e.intervalCs) {
      return drop(
        'advert-interval',
        `advert interval=${a.intervalCs / 100} s, expected ${e.intervalCs / 100} s`,
      );
    }
  } else if (a.intervalCs === 0) {
    return drop('advert-interval', 'max advert interval=0 cs (RFC 5798 erratum 8301)');
  }
  const checkAddr = shouldCheckAddresses(a, e);
  if (checkAddr && a.count !== e.addresses.length) {
    return drop('addr-count', `count=${a.count}, expected ${e.addresses.length}`);
  }
  if (a.ip.multicast === unicast) {
    return drop(
      'dst-mode',
      `dst=${a.ip.dst}: expected ${unicast ? 'unicast' : 'multicast'}, got ${a.ip.multicast ? 'multicast' : 'unicast'}`,
    );
  }
  if (checkAddr) {
    for (const vip of e.addresses) {
      if (!a.addresses.some((x) => sameAddress(x, vip, a.family))) {
        return drop('addr-list', `address ${vip} not present in advert`);
      }
    }
  }
  if (e.requireLinkLocalFirst && a.family === 6) {
    const first = a.addresses[0] ?? '';
    const b = parseIp(first, 6);
    if (!b || b[0] !== 0xfe || (b[1] & 0xc0) !== 0x80) {
      return drop('addr-list', `first address ${first || '(none)'} is not link-local`);
    }
  }
  if (checkAddr && unicast && e.checkUnicastSrc) {
    const peer = peers.find((p) => sameAddress(p.address, a.ip.src, a.family));
    if (!peer) return drop('unicast-src', `src=${a.ip.src} is not a unicast peer`);
    const lo = peer.minTtl ?? 0;
    const hi = peer.maxTtl ?? 255;
    if (ttl !== null && (ttl < lo || ttl > hi)) {
      return drop('ttl', `ttl=${ttl}, expected ${lo}-${hi} for peer ${peer.address}`);
    }
  }
  return { ok: true };
}

export function newDropCounters(): DropCounters {
  const c = {} as DropCounters; // filled just below with every reason
  for (const r of DROP_REASONS) c[r] = 0;
  return c;
}

export function countDrop(counters: DropCounters, d: { reason: DropReason }): void {
  counters[d.reason] += 1;
}

export function newChecksumFormCounters(): Record<ChecksumForm, number> {
  return { 'pseudo-header': 0, 'v2-style': 0, 'pseudo-header-mcast-dst': 0 };
}
