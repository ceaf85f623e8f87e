// Generic netlink codec (src/os/genl): genlmsghdr framing, the nlctrl GETFAMILY request as
// golden bytes (numbers from linux/genetlink.h), decoding of a hand-made nlctrl reply, the
// family-not-found error, and totality of the decoders on arbitrary bytes.
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ErrorCodes, StayaliveError } from '../../../src/core/errors.js';
import { GenlError, GenlFamilyNotFoundError } from '../../../src/os/genl/errors.js';
import {
  decodeFamily,
  decodeGenl,
  encodeGetFamily,
  frameGenl,
} from '../../../src/os/genl/messages.js';

const hex = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');

/** Test-local TLV builder (independent of the codec): len, type, data, pad to 4. */
function tlv(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, 4);
  return out;
}
const le16 = (v: number): Buffer => Buffer.from([v & 0xff, v >> 8]);
const le32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v);
  return b;
};
const cstr = (s: string): Buffer => Buffer.from(`${s}\0`);

function isMalformed(e: unknown): boolean {
  return e instanceof StayaliveError && e.code === ErrorCodes.PACKET_MALFORMED;
}

describe('generic netlink framing', () => {
  test('CTRL_CMD_GETFAMILY "nlctrl": golden bytes', () => {
    const got = frameGenl(0x10, 0x05, 7, encodeGetFamily('nlctrl'));
    const want = hex(
      '20000000', // nlmsg_len 32
      '1000', // nlmsg_type GENL_ID_CTRL (0x10)
      '0500', // NLM_F_REQUEST | NLM_F_ACK
      '07000000', // seq 7
      '00000000', // pid 0
      '03 02 0000', // genlmsghdr: cmd CTRL_CMD_GETFAMILY (3), version 2, reserved
      '0b00 0200', // CTRL_ATTR_FAMILY_NAME (2), len 11
      '6e6c6374726c00 00', // "nlctrl\0" + 1 pad byte
    );
    assert.equal(got.toString('hex'), want);
  });

  test('family names must be 1–15 bytes', () => {
    assert.throws(() => encodeGetFamily(''), StayaliveError);
    assert.throws(() => encodeGetFamily('a'.repeat(16)), StayaliveError);
    assert.doesNotThrow(() => encodeGetFamily('a'.repeat(15)));
  });

  test('decodeGenl splits cmd, version and attributes; short payload is malformed', () => {
    const b = decodeGenl(Buffer.from([5, 1, 0, 0, 0xaa]));
    assert.deepEqual(
      { cmd: b.cmd, version: b.version, attrs: [...b.attrs] },
      { cmd: 5, version: 1, attrs: [0xaa] },
    );
    assert.throws(() => decodeGenl(Buffer.from([1, 2, 3])), isMalformed);
  });

  test('a hand-made CTRL_CMD_NEWFAMILY reply decodes (nested ops and groups, NLA_F_NESTED set)', () => {
    const op = (id: number, flags: number): Buffer =>
      Buffer.concat([tlv(1, le32(id)), tlv(2, le32(flags))]);
    const payload = Buffer.concat([
      Buffer.from([1, 2, 0, 0]), // CTRL_CMD_NEWFAMILY, version 2
      tlv(1, le16(0x1a)), // FAMILY_ID
      tlv(2, cstr('IPVS')), // FAMILY_NAME
      tlv(3, le32(1)), // VERSION
      tlv(4, le32(0)), // HDRSIZE
      tlv(5, le32(6)), // MAXATTR
      tlv(6 | 0x8000, Buffer.concat([tlv(1 | 0x8000, op(1, 0x03)), tlv(2 | 0x8000, op(8, 0x05))])), // OPS
      tlv(7 | 0x8000, tlv(1 | 0x8000, Buffer.concat([tlv(1, cstr('events')), tlv(2, le32(9))]))), // MCAST_GROUPS
    ]);
    assert.deepEqual(decodeFamily(payload), {
      id: 0x1a,
      name: 'IPVS',
      version: 1,
      hdrSize: 0,
      maxAttr: 6,
      ops: [
        { id: 1, flags: 3 },
        { id: 8, flags: 5 },
      ],
      groups: { events: 9 },
    });
  });

  test('a reply without id or name, or with another cmd, is malformed', () => {
    const noId = Buffer.concat([Buffer.from([1, 2, 0, 0]), tlv(2, cstr('x'))]);
    assert.throws(() => decodeFamily(noId), isMalformed);
    const wrongCmd = Buffer.concat([Buffer.from([3, 2, 0, 0]), tlv(1, le16(5)), tlv(2, cstr('x'))]);
    assert.throws(() => decodeFamily(wrongCmd), isMalformed);
  });

  test('GenlFamilyNotFoundError is a GenlError with code ENOENT', () => {
    const e = new GenlFamilyNotFoundError('foo');
    assert.ok(e instanceof GenlError);
    assert.equal(e.code, 'ENOENT');
    assert.equal(e.errno, -2);
    assert.equal(e.syscall, 'genetlink');
    assert.equal(
      e.message,
      'resolve generic netlink family foo: ENOENT (generic netlink family foo not found)',
    );
  });

  test('totality: any bytes into decodeFamily give a family or SA_ERR_PACKET_MALFORMED', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        try {
          decodeFamily(Buffer.from(bytes));
        } catch (e) {
          if (!isMalformed(e)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });
});
