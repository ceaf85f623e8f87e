// Seeded mutation loop over the VRRP corpus (capture fixtures + test/fuzz/vrrp/seeds.hex):
// flipped, overwritten, inserted and deleted bytes must still decode to a value or a typed drop.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import {
  countDrop,
  decodeFrame,
  decodeIpv4,
  decodeIpv6,
  newDropCounters,
  validateAdvert,
} from '../../../src/vrrp/packet.js';
import type { AdvertExpectations, DecodeResult, ValidateResult } from '../../../src/vrrp/types.js';
import { DROP_REASONS } from '../../../src/vrrp/types.js';
import { allFixtures, hex } from '../../fixtures/vrrp/load.js';

const ITERATIONS = 2000;
const SEED = 0x7a11ce;

/** mulberry32: small, seedable, good enough to pick mutations. */
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

function corpus(): Uint8Array[] {
  const seeds = readFileSync(join(import.meta.dirname, '../../fuzz/vrrp/seeds.hex'), 'utf8')
    .split('\n')
    .map((l) => /^\S+ ([0-9a-f]+) #/.exec(l)?.[1])
    .filter((h): h is string => h !== undefined)
    .map((h) => Uint8Array.from(Buffer.from(h, 'hex')));
  return [...allFixtures().map((f) => f.bytes), ...seeds];
}

function mutate(input: Uint8Array, r: () => number): Uint8Array {
  const b = Array.from(input);
  const n = 1 + Math.floor(r() * 4);
  const at = (): number => Math.floor(r() * (b.length + 1));
  for (let i = 0; i < n; i++) {
    switch (Math.floor(r() * 5)) {
      case 0: // flip one bit
        if (b.length) b[at() % b.length] ^= 1 << Math.floor(r() * 8);
        break;
      case 1: // overwrite with an interesting value
        if (b.length) b[at() % b.length] = [0, 1, 2, 3, 0x7f, 0x80, 0xff][Math.floor(r() * 7)];
        break;
      case 2: // insert 1–8 random bytes
        b.splice(
          at(),
          0,
          ...Array.from({ length: 1 + Math.floor(r() * 8) }, () => Math.floor(r() * 256)),
        );
        break;
      case 3: // delete 1–8 bytes
        b.splice(at(), 1 + Math.floor(r() * 8));
        break;
      default: // truncate
        b.length = Math.floor(r() * b.length);
    }
  }
  return Uint8Array.from(b);
}

const EXPECT: AdvertExpectations = {
  version: 3,
  vrid: 52,
  addresses: ['192.0.2.100'],
  intervalCs: 100,
};

test(`mutation fuzz: ${ITERATIONS} seeded mutations never throw`, () => {
  const seeds = corpus();
  assert.ok(seeds.length >= 40, `corpus has ${seeds.length} entries`);
  const r = rng(SEED);
  const drops = newDropCounters();
  let accepted = 0;
  const check = (res: DecodeResult | ValidateResult): void => {
    if (res.ok) return;
    assert.ok(DROP_REASONS.includes(res.reason));
    assert.equal(typeof res.detail, 'string');
    countDrop(drops, res);
  };
  for (let i = 0; i < ITERATIONS; i++) {
    const input = mutate(seeds[Math.floor(r() * seeds.length)], r);
    try {
      const f = decodeFrame(input);
      check(f);
      if (f.ok) {
        accepted++;
        check(validateAdvert(f.advert, EXPECT));
      }
      check(decodeIpv4(input.subarray(14)));
      check(decodeIpv6(input.subarray(54), { src: 'fe80::1', dst: 'ff02::12', hopLimit: 255 }));
    } catch (e) {
      assert.fail(`iteration ${i} threw on ${hex(input)}: ${String(e)}`);
    }
  }
  // The loop must reach deep into the decoder, not stop at the Ethernet header.
  const hit = DROP_REASONS.filter((x) => drops[x] > 0);
  for (const reason of ['checksum', 'length', 'version', 'ip-header', 'frame'] as const) {
    assert.ok(drops[reason] > 0, `no '${reason}' drop reached; hit ${hit.join(', ')}`);
  }
  assert.ok(accepted > 0, 'no mutated frame decoded');
});
