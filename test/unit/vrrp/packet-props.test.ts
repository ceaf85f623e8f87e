// fast-check properties of the VRRP codec: decoding is total, encode→decode→encode is exact.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  decodeFrame,
  decodeIpv4,
  decodeIpv6,
  encodeAdvertFrame,
  validateAdvert,
} from '../../../src/vrrp/packet.js';
import { canonicalIp } from '../../../src/vrrp/ip-addr.js';
import type {
  AdvertExpectations,
  ChecksumForm,
  DecodeResult,
  IpFamily,
  VrrpAdvertFields,
} from '../../../src/vrrp/types.js';
import { DROP_REASONS } from '../../../src/vrrp/types.js';
import { ipv4Packet } from '../../../src/vrrp/frame.js';

const RUNS = { numRuns: 500, seed: 0x5eed };

function assertTyped(
  r: DecodeResult | { ok: true } | { ok: false; reason: string; detail: string },
): void {
  assert.equal(typeof r.ok, 'boolean');
  if (!r.ok) {
    assert.ok(DROP_REASONS.includes(r.reason as (typeof DROP_REASONS)[number]), r.reason);
    assert.equal(typeof r.detail, 'string');
  }
}

const EXPECT: AdvertExpectations = {
  version: 3,
  vrid: 52,
  addresses: ['192.0.2.100'],
  intervalCs: 100,
  unicastPeers: [{ address: '192.0.2.1', minTtl: 1, maxTtl: 255 }],
  checkUnicastSrc: true,
};

/** Decodes any result that passed through to validation too, so both halves are exercised. */
function decodeAll(bytes: Uint8Array): void {
  for (const r of [decodeIpv4(bytes), decodeFrame(bytes)]) {
    assertTyped(r);
    if (r.ok) assertTyped(validateAdvert(r.advert, EXPECT));
  }
  const r6 = decodeIpv6(bytes, { src: 'fe80::1', dst: 'ff02::12', hopLimit: 255 });
  assertTyped(r6);
  if (r6.ok) assertTyped(validateAdvert(r6.advert, { ...EXPECT, requireLinkLocalFirst: true }));
}

test('totality: any bytes decode to an advert or a typed drop', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), (b) => decodeAll(b)),
    RUNS,
  );
});

test('totality: random VRRP bodies behind a valid IPv4 header', () => {
  // A valid header gets the bytes past the IP checks, into the VRRP parser and the checksums.
  const body = fc.tuple(
    fc.constantFrom(0x21, 0x31, 0x32, 0x41, 0x11),
    fc.uint8Array({ minLength: 0, maxLength: 120 }),
    fc.integer({ min: 0, max: 255 }),
    fc.boolean(),
  );
  fc.assert(
    fc.property(body, ([vt, rest, ttl, uni]) => {
      const msg = Uint8Array.from([vt, ...rest]);
      const dst = uni ? '192.0.2.2' : '224.0.0.18';
      decodeAll(ipv4Packet(msg, { src: '192.0.2.1', dst, protocol: 112, ttl }));
    }),
    RUNS,
  );
});

test('totality: decodeIpv6 with odd ancillary data', () => {
  const meta = fc.record({
    src: fc.oneof(fc.ipV6(), fc.string({ maxLength: 10 })),
    dst: fc.oneof(fc.constant('ff02::12'), fc.ipV6(), fc.string({ maxLength: 10 })),
    hopLimit: fc.option(fc.integer({ min: 0, max: 255 })),
  });
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 100 }), meta, (b, m) => assertTyped(decodeIpv6(b, m))),
    RUNS,
  );
});

interface Case {
  fields: VrrpAdvertFields;
  family: IpFamily;
  src: string;
  dst: string;
  asV2: boolean;
  oldUnicast: boolean;
}

const advertCase: fc.Arbitrary<Case> = fc
  .tuple(fc.constantFrom<[2 | 3, IpFamily]>([2, 4], [3, 4], [3, 6]), fc.boolean(), fc.boolean())
  .chain(([[version, family], asV2, oldUnicast]) => {
    const addr = family === 4 ? fc.ipV4() : fc.ipV6();
    const common = {
      vrid: fc.integer({ min: 1, max: 255 }),
      priority: fc.integer({ min: 0, max: 255 }),
      addresses: fc.array(addr, { minLength: 0, maxLength: 12 }),
    };
    const fields =
      version === 2
        ? fc.record({
            ...common,
            version: fc.constant<2>(2),
            intervalCs: fc.integer({ min: 0, max: 255 }).map((s) => s * 100),
            authType: fc.integer({ min: 0, max: 255 }),
            authData: fc.uint8Array({ minLength: 8, maxLength: 8 }),
          })
        : fc.record({
            ...common,
            version: fc.constant<3>(3),
            intervalCs: fc.integer({ min: 0, max: 4095 }),
          });
    return fc.record({
      fields: fields as fc.Arbitrary<VrrpAdvertFields>,
      family: fc.constant(family),
      src: addr,
      dst:
        family === 4
          ? fc.oneof(fc.constant('224.0.0.18'), fc.ipV4())
          : fc.oneof(fc.constant('ff02::12'), fc.ipV6()),
      asV2: fc.constant(asV2),
      oldUnicast: fc.constant(oldUnicast),
    });
  });

function expectedForm(c: Case): ChecksumForm {
  if (c.fields.version === 2 || (c.family === 4 && c.asV2)) return 'v2-style';
  const mcast =
    c.family === 4 && Number(c.dst.split('.')[0]) >= 224 && Number(c.dst.split('.')[0]) < 240;
  if (c.family === 4 && c.oldUnicast && !mcast) return 'pseudo-header-mcast-dst';
  return 'pseudo-header';
}

test('round trip: encode → decode gives the fields back, re-encode gives the bytes back', () => {
  fc.assert(
    fc.property(advertCase, (c) => {
      const o = {
        v3ChecksumAsV2: c.asV2,
        oldUnicastChecksum: c.oldUnicast,
        srcMac: '02:00:00:00:00:01',
      };
      const at = { family: c.family, src: c.src, dst: c.dst };
      const frame = encodeAdvertFrame(c.fields, at, o);
      const r = decodeFrame(frame, o);
      assert.ok(r.ok, r.ok ? '' : `${r.reason}: ${r.detail}`);
      const a = r.advert;
      assert.equal(a.version, c.fields.version);
      assert.equal(a.vrid, c.fields.vrid);
      assert.equal(a.priority, c.fields.priority);
      assert.equal(a.intervalCs, c.fields.intervalCs);
      assert.deepEqual(
        a.addresses,
        c.fields.addresses.map((x) => canonicalIp(x, c.family)),
      );
      assert.equal(a.ip.src, canonicalIp(c.src, c.family));
      assert.equal(a.checksumForm, expectedForm(c));
      if (c.fields.version === 2) {
        assert.equal(a.authType, c.fields.authType);
        assert.deepEqual(a.authData, c.fields.authData);
      }
      const again = encodeAdvertFrame(a, at, o);
      assert.deepEqual(again, frame);
    }),
    RUNS,
  );
});
