// VRRP codec against real keepalived 2.2.7 and FRR 8.4.4 frames (test/fixtures/vrrp/*.hex,
// extracted from /work/shared/reference/pcaps): decode every field, re-encode byte for byte.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decodeFrame,
  decodeIpv4,
  decodeIpv6,
  encodeAdvert,
  encodeAdvertFrame,
  passAuthData,
} from '../../../src/vrrp/packet.js';
import { virtualMac } from '../../../src/vrrp/frame.js';
import type { VrrpAdvert } from '../../../src/vrrp/types.js';
import { allFixtures, fixture, hex, type Fixture } from '../../fixtures/vrrp/load.js';

function decoded(f: Fixture): { advert: VrrpAdvert; eth: { src: string; dst: string } } {
  const r = decodeFrame(f.bytes);
  assert.ok(r.ok, `${f.capture}/${f.key}: ${r.ok ? '' : `${r.reason}: ${r.detail}`}`);
  return r;
}

/** Re-encodes a decoded advert with the frame's own IP-layer details (ID, DF, flow label). */
function reencode(f: Fixture): Uint8Array {
  const { advert: a, eth } = decoded(f);
  const b = f.bytes;
  return encodeAdvertFrame(
    a,
    { family: a.family, src: a.ip.src, dst: a.ip.dst },
    a.family === 4
      ? {
          srcMac: eth.src,
          dstMac: eth.dst,
          tos: b[15],
          id: (b[18] << 8) | b[19],
          dontFragment: (b[20] & 0x40) !== 0,
          ttl: a.ip.ttl ?? 255,
        }
      : {
          srcMac: eth.src,
          dstMac: eth.dst,
          trafficClass: ((b[14] & 0x0f) << 4) | (b[15] >> 4),
          flowLabel: ((b[15] & 0x0f) << 16) | (b[16] << 8) | b[17],
        },
  );
}

test('every advert in the capture corpus decodes and re-encodes byte for byte', () => {
  const adverts = allFixtures().filter((f) => /^v[23]-/.test(f.key));
  assert.ok(adverts.length >= 25, `only ${adverts.length} advert fixtures`);
  for (const f of adverts) assert.equal(hex(reencode(f)), hex(f.bytes), `${f.capture}/${f.key}`);
});

test('v2 multicast with PASS auth (keepalived, VRID 51)', () => {
  const { advert: a, eth } = decoded(fixture('v2-ipv4-multicast', 'v2-01-p150'));
  assert.equal(a.version, 2);
  assert.equal(a.type, 1);
  assert.equal(a.vrid, 51);
  assert.equal(a.priority, 150);
  assert.equal(a.count, 1);
  assert.deepEqual(a.addresses, ['192.0.2.100']);
  assert.equal(a.authType, 1);
  assert.equal(hex(a.authData), hex(passAuthData('secret1')));
  assert.equal(a.intervalCs, 100);
  assert.equal(a.checksum, 0x1819);
  assert.equal(a.checksumForm, 'v2-style');
  assert.deepEqual(a.ip, {
    family: 4,
    src: '192.0.2.1',
    dst: '224.0.0.18',
    ttl: 255,
    protocol: 112,
    headerLength: 20,
    multicast: true,
  });
  assert.equal(eth.src, '02:00:00:00:00:01');
  assert.equal(eth.dst, '01:00:5e:00:00:12');
});

test('priority 0 advert on SIGTERM (v2 and v3)', () => {
  const v2 = decoded(fixture('v2-ipv4-multicast', 'v2-01-p0')).advert;
  assert.equal(v2.priority, 0);
  assert.equal(v2.checksum, 0xae19);
  const v3 = decoded(fixture('v3-ipv4-multicast', 'v3-01-p0')).advert;
  assert.equal(v3.priority, 0);
  assert.equal(v3.checksum, 0x6971);
  assert.equal(v3.checksumForm, 'pseudo-header');
});

test('v2 unicast: no auth, peer as destination', () => {
  const { advert: a, eth } = decoded(fixture('v2-ipv4-unicast', 'v2-01-p150'));
  assert.equal(a.vrid, 54);
  assert.equal(a.authType, 0);
  assert.equal(hex(a.authData), '0000000000000000');
  assert.equal(a.checksum, 0x8662);
  assert.equal(a.ip.dst, '192.0.2.2');
  assert.equal(a.ip.multicast, false);
  assert.equal(eth.dst, '02:00:00:00:00:02');
});

test('v3 IPv4 multicast: checksum includes the IPv4 pseudo-header', () => {
  const { advert: a } = decoded(fixture('v3-ipv4-multicast', 'v3-01-p150'));
  assert.equal(a.version, 3);
  assert.equal(a.vrid, 52);
  assert.equal(a.intervalCs, 100);
  assert.equal(a.reserved, 0);
  assert.equal(a.checksum, 0xd370);
  assert.equal(a.checksumForm, 'pseudo-header');
  const b = decoded(fixture('v3-ipv4-multicast', 'v3-02-p100')).advert;
  assert.equal(b.checksum, 0x0570);
  assert.equal(b.ip.src, '192.0.2.2');
});

test('v3 unicast: pseudo-header destination is the peer, not 224.0.0.18', () => {
  const { advert: a } = decoded(fixture('v3-ipv4-unicast', 'v3-02-p100'));
  assert.equal(a.vrid, 55);
  assert.equal(a.ip.dst, '192.0.2.1');
  assert.equal(a.checksum, 0x237e);
  assert.equal(a.checksumForm, 'pseudo-header');
  // keepalived < 1.3.6 (old_unicast_checksum) used the multicast group instead: 0x056d.
  const at = { family: 4 as const, src: a.ip.src, dst: a.ip.dst };
  const old = encodeAdvert(a, at, { oldUnicastChecksum: true });
  assert.equal((old[6] << 8) | old[7], 0x056d);
});

test('v3 IPv4 with v3ChecksumAsV2 (RFC 9568) encodes without the pseudo-header', () => {
  const { advert: a } = decoded(fixture('v3-ipv4-multicast', 'v3-01-p150'));
  const at = { family: 4 as const, src: a.ip.src, dst: a.ip.dst };
  const msg = encodeAdvert(a, at, { v3ChecksumAsV2: true });
  assert.equal((msg[6] << 8) | msg[7], 0x7601); // protocols.md §2.2
  const frame = encodeAdvertFrame(a, at, { srcMac: '02:00:00:00:00:01', v3ChecksumAsV2: true });
  const r = decodeFrame(frame);
  assert.ok(r.ok);
  assert.equal(r.advert.checksumForm, 'v2-style');
  // A receiver configured for RFC 9568 still accepts keepalived's form, and says which it was.
  const k = decodeFrame(fixture('v3-ipv4-multicast', 'v3-01-p150').bytes, { v3ChecksumAsV2: true });
  assert.ok(k.ok);
  assert.equal(k.advert.checksumForm, 'pseudo-header');
});

test('old unicast checksum form is accepted and reported', () => {
  const { advert: a } = decoded(fixture('v3-ipv4-unicast', 'v3-01-p150'));
  const frame = encodeAdvertFrame(
    a,
    { family: 4, src: a.ip.src, dst: a.ip.dst },
    { srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02', oldUnicastChecksum: true },
  );
  const r = decodeFrame(frame);
  assert.ok(r.ok);
  assert.equal(r.advert.checksum, 0xd36d); // vrrpdump.py's calc(pseudo,dst=224.0.0.18)
  assert.equal(r.advert.checksumForm, 'pseudo-header-mcast-dst');
});

test('use_vmac: adverts come from the virtual MAC 00:00:5e:00:01:34', () => {
  const { advert: a, eth } = decoded(fixture('v3-ipv4-vmac', 'v3-34-p150'));
  assert.equal(eth.src, virtualMac(52, 4));
  assert.equal(a.priority, 150);
  assert.equal(a.checksum, 0xd370);
});

test('v3 IPv6 multicast from link-local, global VIP only (keepalived)', () => {
  const { advert: a, eth } = decoded(fixture('v3-ipv6-multicast', 'v3-01-p150'));
  assert.equal(a.family, 6);
  assert.equal(a.vrid, 53);
  assert.deepEqual(a.addresses, ['2001:db8:2::100']);
  assert.equal(a.checksum, 0x0c8b);
  assert.equal(a.checksumForm, 'pseudo-header');
  assert.equal(a.ip.src, 'fe80::ff:fe00:1');
  assert.equal(a.ip.dst, 'ff02::12');
  assert.equal(a.ip.ttl, 255);
  assert.equal(a.ip.headerLength, 0);
  assert.equal(eth.dst, '33:33:00:00:00:12');
});

test('decodeIpv6 takes the payload and the addresses from ancillary data', () => {
  const f = fixture('v3-ipv6-multicast', 'v3-02-p100').bytes;
  const payload = f.subarray(54);
  const r = decodeIpv6(payload, { src: 'fe80::ff:fe00:2', dst: 'ff02::12', hopLimit: 255 });
  assert.ok(r.ok);
  assert.equal(r.advert.checksum, 0x3e8a);
  assert.equal(r.advert.priority, 100);
  // The IPv6 checksum covers the source: a different one fails.
  const bad = decodeIpv6(payload, { src: 'fe80::ff:fe00:9', dst: 'ff02::12', hopLimit: 255 });
  assert.equal(bad.ok ? 'ok' : bad.reason, 'checksum');
});

test("FRR's v3 advert (VMAC, DF set) matches keepalived's VRRP bytes", () => {
  const frr = decoded(fixture('v3-frr-keepalived', 'v3-34-p100')).advert;
  const ka = decoded(fixture('v3-ipv4-multicast', 'v3-02-p100')).advert;
  assert.equal(frr.checksum, 0x0570);
  assert.equal(frr.checksumForm, 'pseudo-header');
  const at = { family: 4 as const, src: '192.0.2.2', dst: '224.0.0.18' };
  assert.equal(hex(encodeAdvert(frr, at)), hex(encodeAdvert(ka, at)));
  assert.equal(fixture('v3-frr-keepalived', 'v3-34-p100').bytes[20] & 0x40, 0x40);
  const killed = decoded(fixture('v3-frr-keepalived', 'v3-01-p150')).advert;
  assert.equal(killed.priority, 150);
});

test('decodeIpv4 takes the whole IP packet from a raw socket', () => {
  const f = fixture('v2-ipv4-unicast', 'v2-02-p100').bytes;
  const r = decodeIpv4(f.subarray(14));
  assert.ok(r.ok);
  assert.equal(r.advert.ip.src, '192.0.2.2');
  assert.equal(r.advert.checksum, 0xb862);
});

test('decodeFrame trims Ethernet padding to the IP total length', () => {
  const f = fixture('v3-ipv4-multicast', 'v3-01-p150').bytes;
  const padded = new Uint8Array(60);
  padded.set(f);
  const r = decodeFrame(padded);
  assert.ok(r.ok);
  assert.equal(r.advert.checksum, 0xd370);
});

test('decodeFrame reads an 802.1Q tag', () => {
  const f = fixture('v3-ipv4-multicast', 'v3-01-p150').bytes;
  const tagged = new Uint8Array(f.length + 4);
  tagged.set(f.subarray(0, 12));
  tagged.set([0x81, 0x00, 0x00, 0x2a], 12);
  tagged.set(f.subarray(12), 16);
  const r = decodeFrame(tagged);
  assert.ok(r.ok);
  assert.equal(r.eth.vlan, 42);
});

test('encode rejects fields that do not fit the wire', () => {
  const at = { family: 4 as const, src: '192.0.2.1', dst: '224.0.0.18' };
  const base = { version: 2 as const, vrid: 1, priority: 100, addresses: ['192.0.2.100'] };
  assert.throws(() => encodeAdvert({ ...base, intervalCs: 150 }, at), RangeError);
  assert.throws(() => encodeAdvert({ ...base, intervalCs: 100, vrid: 256 }, at), RangeError);
  assert.throws(() => encodeAdvert({ ...base, version: 3, intervalCs: 4096 }, at), RangeError);
  assert.throws(
    () => encodeAdvert({ ...base, intervalCs: 100 }, { family: 6, src: '::1', dst: 'ff02::12' }),
    RangeError,
  );
  assert.throws(() => encodeAdvert({ ...base, intervalCs: 100, addresses: ['x'] }, at), RangeError);
});
