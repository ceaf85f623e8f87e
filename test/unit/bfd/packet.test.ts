// BFD control packet codec: capture fixtures decode and re-encode byte for byte, every drop
// of RFC 5880 §6.8.6 that needs no session is a named case, and GTSM (RFC 5881 §5).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  checkTtl,
  decodeBfd,
  describeBfd,
  encodeBfd,
  type BfdControl,
  type BfdDecodeResult,
  type BfdPacket,
} from '../../../src/bfd/packet.js';
import { bfdFixtures } from '../../fixtures/bfd/load.js';

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s.replace(/\s/g, ''), 'hex'));
const BIRD_DOWN = '20 40 03 18 e53c124b 00000000 000f4240 000186a0 00000000';

function ok(r: BfdDecodeResult): BfdPacket {
  if (!r.ok) assert.fail(`dropped: ${r.reason} ${r.detail.message}`);
  return r.packet;
}

function dropOf(bytes: Uint8Array): { reason: string; field: string; value: number | string } {
  const r = decodeBfd(bytes);
  assert.equal(r.ok, false, 'expected a drop');
  if (r.ok) throw new Error('unreachable');
  return { reason: r.reason, field: r.detail.field, value: r.detail.value };
}

function patched(base: string, edit: (b: Uint8Array) => void): Uint8Array {
  const b = hex(base);
  edit(b);
  return b;
}

describe('BFD packet fixtures from BIRD, FRR and keepalived', () => {
  const all = bfdFixtures();
  test('the corpus holds packets from the three captures', () => {
    assert.deepEqual(
      [...new Set(all.map((f) => f.file))],
      ['bird-bird.hex', 'frr-bird.hex', 'keepalived-bird.hex'],
    );
    assert.ok(all.length >= 60, `${all.length} fixtures`);
  });
  for (const f of all) {
    test(`${f.file}:${f.line} ${f.note} decodes and re-encodes byte for byte`, () => {
      const p = ok(decodeBfd(f.bytes));
      assert.equal(p.version, 1);
      assert.equal(p.length, 24);
      assert.deepEqual(encodeBfd(p), f.bytes);
      assert.ok(f.note.includes(p.state), `${f.note} vs ${describeBfd(p)}`);
    });
  }
  test('GTSM: keepalived IPv6 packets at hop limit 64 are dropped, everything else passes', () => {
    const low = all.filter((f) => f.ttl !== 255);
    assert.ok(low.length >= 3);
    for (const f of low) assert.equal(checkTtl(f.ttl)?.reason, 'ttl');
    for (const f of all.filter((x) => x.ttl === 255)) assert.equal(checkTtl(f.ttl), null);
    assert.equal(checkTtl(undefined)?.detail.value, 'unknown');
  });
});

describe('BFD decode fields', () => {
  test('BIRD Down: 1 s TX while not Up, 100 ms RX, no echo', () => {
    const p = ok(decodeBfd(hex(BIRD_DOWN)));
    assert.equal(p.state, 'Down');
    assert.equal(p.diag, 0);
    assert.equal(p.detectMult, 3);
    assert.equal(p.myDisc, 0xe53c124b);
    assert.equal(p.yourDisc, 0);
    assert.equal(p.desiredMinTx, 1_000_000);
    assert.equal(p.requiredMinRx, 100_000);
    assert.equal(p.requiredMinEchoRx, 0);
    assert.equal(p.poll || p.final || p.cpi || p.demand || p.multipoint, false);
  });
  test('Up with Poll, Up with Final, Down with diag 1', () => {
    const base = '03 18 e53c124b 0456a7d5 000186a0 000186a0 00000000';
    const poll = ok(decodeBfd(hex(`20 e0 ${base}`)));
    assert.deepEqual([poll.state, poll.poll, poll.final], ['Up', true, false]);
    const fin = ok(decodeBfd(hex(`20 d0 ${base}`)));
    assert.deepEqual([fin.state, fin.poll, fin.final], ['Up', false, true]);
    const d1 = ok(decodeBfd(hex(`21 40 03 18 e53c124b 00000000 000f4240 000186a0 00000000`)));
    assert.deepEqual([d1.state, d1.diag], ['Down', 1]);
  });
  test('FRR asks for echo at 50 ms: the field is read', () => {
    const p = ok(decodeBfd(hex('20 80 03 18 a4c2c6e7 22fa7487 000f4240 000f4240 0000c350')));
    assert.equal(p.requiredMinEchoRx, 50_000);
    assert.equal(p.state, 'Init');
  });
  test('trailing bytes beyond Length are ignored', () => {
    const p = ok(decodeBfd(Uint8Array.from([...hex(BIRD_DOWN), 1, 2, 3])));
    assert.equal(p.length, 24);
  });
  test('C and D bits decode', () => {
    const p = ok(decodeBfd(patched(BIRD_DOWN, (b) => (b[1] |= 0x0a))));
    assert.equal(p.cpi, true);
    assert.equal(p.demand, true);
  });
});

describe('BFD receive drops (RFC 5880 §6.8.6)', () => {
  test('too short', () => {
    assert.deepEqual(dropOf(hex(BIRD_DOWN).subarray(0, 23)), {
      reason: 'too-short',
      field: 'payload',
      value: 23,
    });
  });
  test('version 0 and 2', () => {
    for (const v of [0, 2, 7]) {
      const d = dropOf(patched(BIRD_DOWN, (b) => (b[0] = (v << 5) | (b[0] & 31))));
      assert.deepEqual(d, { reason: 'version', field: 'version', value: v });
    }
  });
  test('length below 24, or above the payload', () => {
    assert.equal(dropOf(patched(BIRD_DOWN, (b) => (b[3] = 23))).reason, 'length');
    assert.deepEqual(dropOf(patched(BIRD_DOWN, (b) => (b[3] = 25))), {
      reason: 'length',
      field: 'length',
      value: 25,
    });
  });
  test('length 24 with A set (needs 26)', () => {
    assert.equal(dropOf(patched(BIRD_DOWN, (b) => (b[1] |= 0x04))).reason, 'length');
  });
  test('detect multiplier 0', () => {
    assert.deepEqual(dropOf(patched(BIRD_DOWN, (b) => (b[2] = 0))), {
      reason: 'detect-mult',
      field: 'detectMult',
      value: 0,
    });
  });
  test('multipoint bit', () => {
    assert.equal(dropOf(patched(BIRD_DOWN, (b) => (b[1] |= 0x01))).reason, 'multipoint');
  });
  test('my discriminator 0', () => {
    assert.equal(dropOf(patched(BIRD_DOWN, (b) => b.fill(0, 4, 8))).reason, 'my-disc');
  });
  test('your discriminator 0 in Init or Up; allowed in Down and AdminDown', () => {
    for (const st of [2, 3]) {
      const d = dropOf(patched(BIRD_DOWN, (b) => (b[1] = st << 6)));
      assert.deepEqual(d, { reason: 'your-disc-zero', field: 'yourDisc', value: 0 });
    }
    assert.equal(ok(decodeBfd(patched(BIRD_DOWN, (b) => (b[1] = 0)))).state, 'AdminDown');
  });
  test('P and F together', () => {
    const up = '20 f0 03 18 e53c124b 0456a7d5 000186a0 000186a0 00000000';
    assert.equal(dropOf(hex(up)).reason, 'poll-and-final');
  });
  test('unassigned diagnostic (> 8), as keepalived', () => {
    assert.deepEqual(dropOf(patched(BIRD_DOWN, (b) => (b[0] = 0x20 | 9))), {
      reason: 'diag',
      field: 'diag',
      value: 9,
    });
    assert.equal(ok(decodeBfd(patched(BIRD_DOWN, (b) => (b[0] = 0x28)))).diag, 8);
  });
  test('authentication section is parsed and rejected as unsupported', () => {
    // Simple password (type 1), length 7, key id 1, "abcd" — as BIRD would send it.
    const b = Uint8Array.from([...hex(BIRD_DOWN), 1, 7, 1, 0x61, 0x62, 0x63, 0x64]);
    b[1] |= 0x04;
    b[3] = 31;
    const d = decodeBfd(b);
    assert.equal(d.ok, false);
    if (d.ok) return;
    assert.equal(d.reason, 'auth-unsupported');
    assert.equal(d.detail.field, 'authType');
    assert.equal(d.detail.value, 1);
    assert.match(d.detail.message, /len 7/);
  });
});

describe('BFD encode', () => {
  const base: BfdControl = {
    diag: 0,
    state: 'Up',
    poll: true,
    final: false,
    cpi: false,
    demand: false,
    detectMult: 3,
    myDisc: 0x021c0086,
    yourDisc: 0x01948f5e,
    desiredMinTx: 100_000,
    requiredMinRx: 100_000,
    requiredMinEchoRx: 0,
  };
  test('matches BIRD Up+P byte for byte', () => {
    assert.deepEqual(encodeBfd(base), hex('20e00318021c008601948f5e000186a0000186a000000000'));
  });
  test('rejects out-of-range fields with RangeError', () => {
    assert.throws(() => encodeBfd({ ...base, detectMult: 0 }), RangeError);
    assert.throws(() => encodeBfd({ ...base, detectMult: 256 }), RangeError);
    assert.throws(() => encodeBfd({ ...base, diag: 32 }), RangeError);
    assert.throws(() => encodeBfd({ ...base, final: true }), RangeError);
    assert.throws(() => encodeBfd({ ...base, myDisc: 2 ** 32 }), RangeError);
    assert.throws(() => encodeBfd({ ...base, desiredMinTx: -1 }), RangeError);
  });
});
