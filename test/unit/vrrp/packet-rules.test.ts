// Each receive rule (RFC 3768 §7.1, RFC 5798 §7.1, keepalived vrrp_check_packet) as a named case:
// a drop is a typed result with the field in `detail`, never an exception.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  countDrop,
  decodeFrame,
  decodeIpv4,
  decodeIpv6,
  encodeAdvert,
  encodeIpv4Advert,
  newChecksumFormCounters,
  newDropCounters,
  passAuthData,
  validateAdvert,
} from '../../../src/vrrp/packet.js';
import { ipv4Packet } from '../../../src/vrrp/frame.js';
import type {
  AdvertExpectations,
  DecodeResult,
  ValidateResult,
  VrrpAdvert,
  VrrpAdvertFields,
} from '../../../src/vrrp/types.js';
import { DROP_REASONS } from '../../../src/vrrp/types.js';
import { fixture } from '../../fixtures/vrrp/load.js';

const V2: VrrpAdvertFields = {
  version: 2,
  vrid: 51,
  priority: 150,
  addresses: ['192.0.2.100'],
  intervalCs: 100,
  authType: 1,
  authData: passAuthData('secret1'),
};
const V2_EXPECT: AdvertExpectations = {
  version: 2,
  vrid: 51,
  addresses: ['192.0.2.100'],
  intervalCs: 100,
  authType: 'PASS',
  authPass: 'secret1',
};
const V3: VrrpAdvertFields = { ...V2, version: 3, vrid: 52, authType: 0, authData: undefined };
const V3_EXPECT: AdvertExpectations = {
  version: 3,
  vrid: 52,
  addresses: ['192.0.2.100'],
  intervalCs: 100,
};
const MCAST = { src: '192.0.2.1', dst: '224.0.0.18' };

function reason(r: DecodeResult | ValidateResult): string {
  return r.ok ? 'ok' : r.reason;
}

function advert(pkt: Uint8Array): VrrpAdvert {
  const r = decodeIpv4(pkt);
  assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
  return r.advert;
}

/** Decode + validate, as the receiver does. */
function receive(pkt: Uint8Array, e: AdvertExpectations): DecodeResult | ValidateResult {
  const r = decodeIpv4(pkt);
  return r.ok ? validateAdvert(r.advert, e) : r;
}

/** Rebuilds the IP header around a (possibly broken) VRRP message. */
function wrap(msg: Uint8Array, ttl = 255, at = MCAST): Uint8Array {
  return ipv4Packet(msg, { ...at, protocol: 112, ttl });
}

describe('receive rules', () => {
  test('baseline: keepalived adverts pass their own instance checks', () => {
    assert.equal(reason(receive(encodeIpv4Advert(V2, MCAST), V2_EXPECT)), 'ok');
    assert.equal(reason(receive(encodeIpv4Advert(V3, MCAST), V3_EXPECT)), 'ok');
    const cap = decodeFrame(fixture('v2-ipv4-multicast', 'v2-01-p150').bytes);
    assert.ok(cap.ok);
    assert.equal(reason(validateAdvert(cap.advert, V2_EXPECT)), 'ok');
  });

  test('TTL ≠ 255 is dropped for multicast', () => {
    const r = receive(encodeIpv4Advert(V3, MCAST, { ttl: 64 }), V3_EXPECT);
    assert.equal(reason(r), 'ttl');
    assert.match(r.ok ? '' : r.detail, /ttl=64/);
  });

  test('unicast: no TTL check unless min/max ttl with check_unicast_src', () => {
    const at = { src: '192.0.2.1', dst: '192.0.2.2' };
    const pkt = encodeIpv4Advert(V3, at, { ttl: 64 });
    const e = { ...V3_EXPECT, unicastPeers: [{ address: '192.0.2.1' }] };
    assert.equal(reason(receive(pkt, e)), 'ok');
    const ranged = {
      ...e,
      checkUnicastSrc: true,
      unicastPeers: [{ address: '192.0.2.1', minTtl: 250 }],
    };
    const r = receive(pkt, ranged);
    assert.equal(reason(r), 'ttl');
    assert.match(r.ok ? '' : r.detail, /ttl=64, expected 250-255/);
  });

  test('unknown hop limit (no ancillary data) skips the TTL check', () => {
    const a = { ...advert(encodeIpv4Advert(V3, MCAST, { ttl: 1 })) };
    a.ip = { ...a.ip, ttl: null };
    assert.equal(reason(validateAdvert(a, V3_EXPECT)), 'ok');
  });

  test('version not 2 or 3 is dropped at decode', () => {
    const msg = encodeAdvert(V3, { family: 4, ...MCAST });
    msg[0] = 0x41;
    const r = decodeIpv4(wrap(msg));
    assert.equal(reason(r), 'version');
    assert.match(r.ok ? '' : r.detail, /version=4/);
  });

  test('version different from the instance is dropped', () => {
    assert.equal(
      reason(receive(encodeIpv4Advert(V2, MCAST), { ...V2_EXPECT, version: 3 })),
      'version',
    );
  });

  test('VRRPv2 over IPv6 is dropped', () => {
    const msg = encodeAdvert(V3, { family: 4, ...MCAST }).slice(0, 8);
    msg[0] = 0x21;
    msg[3] = 0;
    const r = decodeIpv6(new Uint8Array([...msg, 0, 0, 0, 0, 0, 0, 0, 0]), {
      src: 'fe80::1',
      dst: 'ff02::12',
      hopLimit: 255,
    });
    assert.equal(reason(r), 'version');
  });

  test('type ≠ 1 is dropped', () => {
    const msg = encodeAdvert({ ...V3, type: 2 }, { family: 4, ...MCAST });
    const r = decodeIpv4(wrap(msg));
    assert.equal(reason(r), 'type');
    assert.match(r.ok ? '' : r.detail, /type=2/);
  });

  test('VRID of another router is dropped', () => {
    const r = receive(encodeIpv4Advert({ ...V3, vrid: 7 }, MCAST), V3_EXPECT);
    assert.equal(reason(r), 'vrid');
    assert.match(r.ok ? '' : r.detail, /vrid=7, expected 52/);
  });

  test('packet shorter than the count says is dropped', () => {
    const msg = encodeAdvert(
      { ...V3, addresses: ['192.0.2.100', '192.0.2.101'] },
      { family: 4, ...MCAST },
    );
    const r = decodeIpv4(wrap(msg.slice(0, 12)));
    assert.equal(reason(r), 'length');
    assert.match(r.ok ? '' : r.detail, /too short, expected 16 for count=2/);
  });

  test('packet longer than the count says is dropped (keepalived: exact length)', () => {
    const msg = encodeAdvert(V2, { family: 4, ...MCAST });
    const r = decodeIpv4(wrap(new Uint8Array([...msg, 0, 0, 0, 0])));
    assert.equal(reason(r), 'length');
    assert.match(r.ok ? '' : r.detail, /too long/);
  });

  test('fewer than 8 bytes of VRRP is a length drop', () => {
    assert.equal(reason(decodeIpv4(wrap(Uint8Array.of(0x31, 52, 100)))), 'length');
  });

  test('IP total length different from the bytes received is dropped', () => {
    const pkt = encodeIpv4Advert(V3, MCAST);
    const r = decodeIpv4(pkt.subarray(0, pkt.length - 1));
    assert.equal(reason(r), 'length');
    assert.match(r.ok ? '' : r.detail, /ip total length=32, received 31/);
  });

  test('count different from the configured VIPs is dropped', () => {
    const two = { ...V3, addresses: ['192.0.2.100', '192.0.2.101'] };
    const r = receive(encodeIpv4Advert(two, MCAST), V3_EXPECT);
    assert.equal(reason(r), 'addr-count');
    assert.match(r.ok ? '' : r.detail, /count=2, expected 1/);
  });

  test('bad checksum is dropped, with both values in the detail', () => {
    const pkt = encodeIpv4Advert(V3, MCAST);
    pkt[27] ^= 0x01; // checksum low byte (20 IP + 7)
    const r = decodeIpv4(pkt);
    assert.equal(reason(r), 'checksum');
    assert.match(
      r.ok ? '' : r.detail,
      /checksum=0x[0-9a-f]{4}, expected 0x[0-9a-f]{4} \(pseudo-header\)/,
    );
  });

  test('a flipped payload bit breaks the v2 checksum', () => {
    const pkt = encodeIpv4Advert(V2, MCAST);
    pkt[pkt.length - 1] ^= 0x40;
    assert.equal(reason(decodeIpv4(pkt)), 'checksum');
  });

  test('wrong PASS password is dropped', () => {
    const pkt = encodeIpv4Advert({ ...V2, authData: passAuthData('secret2') }, MCAST);
    const r = receive(pkt, V2_EXPECT);
    assert.equal(reason(r), 'auth');
  });

  test('PASS compares only the first 8 bytes, like keepalived', () => {
    const pkt = encodeIpv4Advert({ ...V2, authData: passAuthData('12345678') }, MCAST);
    assert.equal(reason(receive(pkt, { ...V2_EXPECT, authPass: '123456789' })), 'ok');
  });

  test('auth type different from ours, or unknown, is dropped', () => {
    const none = encodeIpv4Advert({ ...V2, authType: 0, authData: undefined }, MCAST);
    const r = receive(none, V2_EXPECT);
    assert.equal(reason(r), 'auth-type');
    assert.match(r.ok ? '' : r.detail, /auth type=0, expected 1/);
    const unknown = encodeIpv4Advert({ ...V2, authType: 3 }, MCAST);
    assert.equal(reason(receive(unknown, V2_EXPECT)), 'auth-type');
    assert.equal(
      reason(receive(encodeIpv4Advert(V2, MCAST), { ...V2_EXPECT, authType: null })),
      'auth-type',
    );
  });

  test('v2: advert interval different from ours is dropped', () => {
    const r = receive(encodeIpv4Advert({ ...V2, intervalCs: 300 }, MCAST), V2_EXPECT);
    assert.equal(reason(r), 'advert-interval');
    assert.match(r.ok ? '' : r.detail, /interval=3 s, expected 1 s/);
  });

  test('v3: a different interval is accepted (the backup learns it)', () => {
    assert.equal(
      reason(receive(encodeIpv4Advert({ ...V3, intervalCs: 25 }, MCAST), V3_EXPECT)),
      'ok',
    );
  });

  test('v3: max advert interval 0 is dropped (erratum 8301)', () => {
    const r = receive(encodeIpv4Advert({ ...V3, intervalCs: 0 }, MCAST), V3_EXPECT);
    assert.equal(reason(r), 'advert-interval');
  });

  test('address list missing a configured VIP is dropped; order is free', () => {
    const e = { ...V3_EXPECT, addresses: ['192.0.2.100', '192.0.2.101'] };
    const swapped = { ...V3, addresses: ['192.0.2.101', '192.0.2.100'] };
    assert.equal(reason(receive(encodeIpv4Advert(swapped, MCAST), e)), 'ok');
    const other = { ...V3, addresses: ['192.0.2.101', '192.0.2.102'] };
    const r = receive(encodeIpv4Advert(other, MCAST), e);
    assert.equal(reason(r), 'addr-list');
    assert.match(r.ok ? '' : r.detail, /192\.0\.2\.100 not present/);
  });

  test('skip_check_adv_addr skips the list check only for the current master', () => {
    const other = encodeIpv4Advert({ ...V3, addresses: ['192.0.2.1', '192.0.2.2'] }, MCAST);
    const e = { ...V3_EXPECT, skipCheckAdvAddr: true };
    assert.equal(reason(receive(other, { ...e, currentMaster: '192.0.2.1' })), 'ok');
    assert.equal(reason(receive(other, { ...e, currentMaster: '192.0.2.9' })), 'addr-count');
    assert.equal(reason(receive(other, { ...e, currentMaster: null })), 'addr-count');
  });

  test('multicast advert on a unicast instance (and the reverse) is dropped', () => {
    const peers = [{ address: '192.0.2.1' }];
    const r = receive(encodeIpv4Advert(V3, MCAST), { ...V3_EXPECT, unicastPeers: peers });
    assert.equal(reason(r), 'dst-mode');
    const uni = encodeIpv4Advert(V3, { src: '192.0.2.1', dst: '192.0.2.2' });
    assert.equal(reason(receive(uni, V3_EXPECT)), 'dst-mode');
  });

  test('check_unicast_src: source must be a configured peer', () => {
    const uni = encodeIpv4Advert(V3, { src: '192.0.2.9', dst: '192.0.2.2' });
    const e = { ...V3_EXPECT, unicastPeers: [{ address: '192.0.2.1' }] };
    assert.equal(reason(receive(uni, e)), 'ok');
    const r = receive(uni, { ...e, checkUnicastSrc: true });
    assert.equal(reason(r), 'unicast-src');
    assert.match(r.ok ? '' : r.detail, /src=192\.0\.2\.9/);
  });

  test('IPv6: first address must be link-local only when asked (erratum 8300)', () => {
    const cap = decodeFrame(fixture('v3-ipv6-multicast', 'v3-01-p150').bytes);
    assert.ok(cap.ok);
    const e: AdvertExpectations = {
      version: 3,
      vrid: 53,
      addresses: ['2001:db8:2:0::100'],
      intervalCs: 100,
    };
    assert.equal(reason(validateAdvert(cap.advert, e)), 'ok');
    assert.equal(
      reason(validateAdvert(cap.advert, { ...e, requireLinkLocalFirst: true })),
      'addr-list',
    );
  });

  test('IPv6 hop limit ≠ 255 is dropped', () => {
    const f = fixture('v3-ipv6-multicast', 'v3-01-p150').bytes;
    const r = decodeIpv6(f.subarray(54), { src: 'fe80::ff:fe00:1', dst: 'ff02::12', hopLimit: 1 });
    assert.ok(r.ok);
    const e: AdvertExpectations = {
      version: 3,
      vrid: 53,
      addresses: ['2001:db8:2::100'],
      intervalCs: 100,
    };
    assert.equal(reason(validateAdvert(r.advert, e)), 'ttl');
  });

  test('non-VRRP protocol and IPsec AH are dropped as protocol', () => {
    const pkt = encodeIpv4Advert(V2, MCAST);
    const ah = ipv4Packet(pkt.subarray(20), { ...MCAST, protocol: 51 });
    const r = decodeIpv4(ah);
    assert.equal(reason(r), 'protocol');
    assert.match(r.ok ? '' : r.detail, /AH is not supported/);
  });

  test('malformed IPv4 header is an ip-header drop', () => {
    const pkt = encodeIpv4Advert(V2, MCAST);
    pkt[12] ^= 1; // source address: header checksum no longer matches
    assert.equal(reason(decodeIpv4(pkt)), 'ip-header');
    assert.equal(reason(decodeIpv4(pkt.subarray(0, 10))), 'ip-header');
    const v6 = pkt.slice();
    v6[0] = 0x65;
    assert.equal(reason(decodeIpv4(v6)), 'ip-header');
  });

  test('a GARP frame is not an advert', () => {
    const r = decodeFrame(fixture('v2-ipv4-multicast', 'arp1-01-100').bytes);
    assert.equal(reason(r), 'frame');
    assert.match(r.ok ? '' : r.detail, /ethertype=0x0806/);
  });
});

describe('counters', () => {
  test('drop counters start at zero for every reason and count by reason', () => {
    const c = newDropCounters();
    assert.deepEqual(Object.keys(c).sort(), [...DROP_REASONS].sort());
    assert.ok(Object.values(c).every((v) => v === 0));
    const pkt = encodeIpv4Advert(V3, MCAST, { ttl: 1 });
    for (let i = 0; i < 3; i++) {
      const r = receive(pkt, V3_EXPECT);
      if (!r.ok) countDrop(c, r);
    }
    assert.equal(c.ttl, 3);
    assert.equal(c.checksum, 0);
  });

  test('checksum form counters have one slot per form', () => {
    const c = newChecksumFormCounters();
    const r = decodeFrame(fixture('v3-ipv4-unicast', 'v3-01-p150').bytes);
    assert.ok(r.ok);
    c[r.advert.checksumForm] += 1;
    assert.deepEqual(c, { 'pseudo-header': 1, 'v2-style': 0, 'pseudo-header-mcast-dst': 0 });
  });
});
