// BFD codec properties: totality over arbitrary bytes (fast-check), encode→decode round trips
// for every valid control packet, and a seeded mutation loop over the capture corpus.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import {
  DROP_REASONS,
  STATE_NAMES,
  decodeBfd,
  encodeBfd,
  type BfdControl,
  type BfdDecodeResult,
} from '../../../src/bfd/packet.js';
import { parseRawUdp } from '../../../src/bfd/udp.js';
import { bfdFixtures } from '../../fixtures/bfd/load.js';

function wellFormed(r: BfdDecodeResult): void {
  if (r.ok) {
    assert.equal(r.packet.version, 1);
    assert.ok(r.packet.length >= 24);
    assert.ok(r.packet.detectMult > 0 && r.packet.myDisc > 0);
    assert.ok(!(r.packet.poll && r.packet.final));
  } else {
    assert.ok((DROP_REASONS as readonly string[]).includes(r.reason), r.reason);
    assert.equal(typeof r.detail.field, 'string');
    assert.ok(['number', 'string'].includes(typeof r.detail.value));
  }
}

test('decode is total over arbitrary bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      wellFormed(decodeBfd(bytes));
    }),
    { numRuns: 5000 },
  );
});

test('decode is total over 24..64-byte inputs with version 1 (past the first check)', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 24, maxLength: 64 }), (bytes) => {
      bytes[0] = 0x20 | (bytes[0] & 31);
      wellFormed(decodeBfd(bytes));
    }),
    { numRuns: 5000 },
  );
});

const control: fc.Arbitrary<BfdControl> = fc
  .record({
    diag: fc.integer({ min: 0, max: 8 }),
    state: fc.constantFrom(...STATE_NAMES),
    pf: fc.constantFrom([false, false], [true, false], [false, true]),
    cpi: fc.boolean(),
    demand: fc.boolean(),
    detectMult: fc.integer({ min: 1, max: 255 }),
    myDisc: fc.integer({ min: 1, max: 0xffffffff }),
    yourDisc: fc.integer({ min: 1, max: 0xffffffff }),
    desiredMinTx: fc.integer({ min: 0, max: 0xffffffff }),
    requiredMinRx: fc.integer({ min: 0, max: 0xffffffff }),
    requiredMinEchoRx: fc.integer({ min: 0, max: 0xffffffff }),
  })
  .map(({ pf, ...rest }) => ({ ...rest, poll: pf[0], final: pf[1] }));

test('encode → decode gives the same packet; decode → encode the same bytes', () => {
  fc.assert(
    fc.property(control, (c) => {
      const bytes = encodeBfd(c);
      const r = decodeBfd(bytes);
      assert.ok(r.ok, r.ok ? '' : r.detail.message);
      const { version, length, multipoint, auth, ...back } = r.packet;
      assert.deepEqual(back, c);
      assert.deepEqual([version, length, multipoint, auth], [1, 24, false, null]);
      assert.deepEqual(encodeBfd(r.packet), bytes);
    }),
    { numRuns: 3000 },
  );
});

test('raw UDP parse is total (IPv4 with header, IPv6 from the UDP header)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(4 as const, 6 as const),
      fc.uint8Array({ maxLength: 80 }),
      (f, b) => {
        const r = parseRawUdp(f, b);
        if (r.ok) {
          assert.ok(r.payload.length <= b.length);
          if (f === 4) assert.equal(typeof r.ttl, 'number');
        } else assert.match(r.reason, /^(ip-header|udp-header|udp-length)$/);
      },
    ),
    { numRuns: 3000 },
  );
});

/** mulberry32 so the loop is the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('seeded mutation loop over the capture corpus: every mutant decodes or drops (typed)', () => {
  const corpus = bfdFixtures().map((f) => f.bytes);
  const r = rng(0xbfd5880);
  const seen = new Set<string>();
  for (let i = 0; i < 20_000; i++) {
    const b = Array.from(corpus[Math.floor(r() * corpus.length)]);
    const n = 1 + Math.floor(r() * 4);
    for (let k = 0; k < n; k++) {
      const at = Math.floor(r() * (b.length + 1));
      switch (Math.floor(r() * 5)) {
        case 0:
          if (b.length) b[at % b.length] ^= 1 << Math.floor(r() * 8);
          break;
        case 1:
          if (b.length) b[at % b.length] = Math.floor(r() * 256);
          break;
        case 2:
          b.splice(at, 0, Math.floor(r() * 256));
          break;
        case 3:
          b.splice(at, 1);
          break;
        default:
          b.length = Math.floor(r() * (b.length + 1));
      }
    }
    const res = decodeBfd(Uint8Array.from(b));
    wellFormed(res);
    seen.add(res.ok ? 'ok' : res.reason);
  }
  // The loop must actually reach the checks, not only the first one.
  for (const want of ['ok', 'too-short', 'version', 'length', 'multipoint', 'your-disc-zero']) {
    assert.ok(seen.has(want), `mutants never produced ${want}: ${[...seen].join(',')}`);
  }
});
