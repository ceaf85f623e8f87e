// IPVS generic netlink codec (src/os/ipvs): golden byte layouts for every command, built by
// hand from include/uapi/linux/ip_vs.h (numbers) and net/netfilter/ipvs/ip_vs_ctl.c (which
// attributes each command needs, byte order); request → decode round trips; decoding of
// hand-made kernel replies laid out as ip_vs_genl_fill_service/fill_dest write them; typed
// input errors; totality of the decoders. No kernel here has IPVS, so these are the evidence.
// Family id 0x1a and seq 1 are arbitrary (the real id is resolved at run time).
import * as assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ErrorCodes, StayaliveError } from '../../../src/core/errors.js';
import { frameGenl } from '../../../src/os/genl/messages.js';
import { IpvsUnavailableError } from '../../../src/os/ipvs/errors.js';
import {
  decodeConfig,
  decodeDest,
  decodeInfo,
  decodeService,
  encodeDelDest,
  encodeDelService,
  encodeFlush,
  encodeGetConfig,
  encodeGetDests,
  encodeGetInfo,
  encodeGetService,
  encodeGetServices,
  encodeNewDest,
  encodeNewService,
  encodeSetConfig,
  encodeSetDest,
  encodeSetService,
  encodeZero,
  type IpvsRequest,
} from '../../../src/os/ipvs/messages.js';
import type { DestSpec, ServiceKey, ServiceSpec } from '../../../src/os/ipvs/types.js';
import { flagBits } from '../../../src/os/ipvs/values.js';
import { formatIp, parseIp, parseMessages } from '../../../src/os/netlink/index.js';

const FAMILY = 0x1a;
const ACK = 0x05; // NLM_F_REQUEST | NLM_F_ACK
const DUMP = 0x305; // NLM_F_REQUEST | NLM_F_DUMP

const frame = (r: IpvsRequest): string =>
  frameGenl(FAMILY, r.dump ? DUMP : ACK, 1, r).toString('hex');
const hex = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');
const nlhdr = (len: number, flags: number): string =>
  hex(
    Buffer.from([len & 0xff, len >> 8, 0, 0]).toString('hex'), // nlmsg_len
    '1a00', // nlmsg_type: the IPVS family id
    Buffer.from([flags & 0xff, flags >> 8]).toString('hex'), // nlmsg_flags
    '01000000', // seq 1
    '00000000', // pid 0
  );

const tcp80: ServiceKey = { family: 4, protocol: 'TCP', address: '192.0.2.10', port: 80 };
// The identity of tcp80 inside IPVS_CMD_ATTR_SERVICE (44 bytes of members).
const TCP80_MEMBERS = hex(
  '0600 0100 0200 0000', // SVC_ATTR_AF (1) u16 AF_INET (2) + pad
  '0600 0200 0600 0000', // SVC_ATTR_PROTOCOL (2) u16 IPPROTO_TCP (6) + pad
  '1400 0300 c000020a 00000000 00000000 00000000', // SVC_ATTR_ADDR (3) nf_inet_addr 192.0.2.10
  '0600 0400 0050 0000', // SVC_ATTR_PORT (4) be16 80 + pad
);

function isMalformed(e: unknown): boolean {
  return e instanceof StayaliveError && e.code === ErrorCodes.PACKET_MALFORMED;
}
function isBadValue(e: unknown): boolean {
  return e instanceof StayaliveError && e.code === ErrorCodes.CONFIG_BAD_VALUE;
}

describe('IPVS requests: golden bytes', () => {
  test('NEW_SERVICE TCP 192.0.2.10:80 wlc, not persistent', () => {
    const want = hex(
      nlhdr(104, ACK),
      '01 01 0000', // genlmsghdr: IPVS_CMD_NEW_SERVICE (1), IPVS_GENL_VERSION 1
      '5400 0100', // IPVS_CMD_ATTR_SERVICE (1), len 84, no NLA_F_NESTED
      TCP80_MEMBERS,
      '0800 0600 776c6300', // SVC_ATTR_SCHED_NAME (6) "wlc\0"
      '0c00 0700 00000000 ffffffff', // SVC_ATTR_FLAGS (7) {flags 0, mask ~0}
      '0800 0800 00000000', // SVC_ATTR_TIMEOUT (8) 0 s
      '0800 0900 ffffffff', // SVC_ATTR_NETMASK (9) 255.255.255.255 (network order)
    );
    assert.equal(frame(encodeNewService({ ...tcp80, scheduler: 'wlc' })), want);
  });

  test('SET_SERVICE fwmark 7 IPv6, mh with mh-port, persistent 600 s per /64', () => {
    const spec: ServiceSpec = {
      family: 6,
      fwmark: 7,
      scheduler: 'mh',
      flags: ['mh-port'],
      persistenceTimeout: 600,
      netmask: 64,
    };
    const want = hex(
      nlhdr(76, ACK),
      '02 01 0000', // IPVS_CMD_SET_SERVICE (2)
      '3800 0100', // IPVS_CMD_ATTR_SERVICE, len 56
      '0600 0100 0a00 0000', // AF u16 AF_INET6 (10)
      '0800 0500 07000000', // SVC_ATTR_FWMARK (5) u32 7 (no protocol/addr/port)
      '0700 0600 6d6800 00', // SCHED_NAME "mh\0" (len 7) + pad
      '0c00 0700 11000000 ffffffff', // FLAGS: PERSISTENT 0x1 | SCHED_MH_PORT (SCHED2) 0x10
      '0800 0800 58020000', // TIMEOUT u32 600
      '0800 0900 40000000', // NETMASK: IPv6 prefix length 64 as a host-order u32
    );
    assert.equal(frame(encodeSetService(spec)), want);
  });

  test('persistence engine and IPv4 netmask /24 (NEW_SERVICE UDP, sh-fallback|ops)', () => {
    const got = frame(
      encodeNewService({
        family: 4,
        protocol: 'UDP',
        address: '192.0.2.53',
        port: 5060,
        scheduler: 'sh',
        flags: ['sh-fallback', 'ops'],
        persistenceTimeout: 30,
        netmask: 24,
        persistenceEngine: 'sip',
      }),
    );
    const want = hex(
      nlhdr(112, ACK),
      '01 01 0000',
      '5c00 0100', // SERVICE, len 92
      '0600 0100 0200 0000', // AF_INET
      '0600 0200 1100 0000', // PROTOCOL IPPROTO_UDP (17)
      '1400 0300 c0000235 00000000 00000000 00000000', // ADDR 192.0.2.53
      '0600 0400 13c4 0000', // PORT be16 5060
      '0700 0600 736800 00', // SCHED_NAME "sh\0"
      '0800 0b00 73697000', // SVC_ATTR_PE_NAME (11) "sip\0"
      '0c00 0700 0d000000 ffffffff', // FLAGS PERSISTENT|ONEPACKET|SH_FALLBACK = 0x1|0x4|0x8
      '0800 0800 1e000000', // TIMEOUT 30
      '0800 0900 ffffff00', // NETMASK 255.255.255.0
    );
    assert.equal(got, want);
  });

  test('DEL_SERVICE UDP [2001:db8::1]:53 sends the identity only', () => {
    const want = hex(
      nlhdr(68, ACK),
      '03 01 0000', // IPVS_CMD_DEL_SERVICE (3)
      '3000 0100', // SERVICE, len 48
      '0600 0100 0a00 0000', // AF_INET6
      '0600 0200 1100 0000', // IPPROTO_UDP
      '1400 0300 20010db8 00000000 00000000 00000001', // ADDR 2001:db8::1
      '0600 0400 0035 0000', // PORT 53
    );
    assert.equal(
      frame(encodeDelService({ family: 6, protocol: 'UDP', address: '2001:db8::1', port: 53 })),
      want,
    );
  });

  test('NEW_DEST NAT 10.0.0.2:8080 weight 3, thresholds 100/10', () => {
    const d: DestSpec = {
      address: '10.0.0.2',
      port: 8080,
      forward: 'NAT',
      weight: 3,
      upperThreshold: 100,
      lowerThreshold: 10,
    };
    const want = hex(
      nlhdr(140, ACK),
      '05 01 0000', // IPVS_CMD_NEW_DEST (5)
      '3000 0100', // IPVS_CMD_ATTR_SERVICE, len 48: identity of the service
      TCP80_MEMBERS,
      '4800 0200', // IPVS_CMD_ATTR_DEST (2), len 72
      '0600 0b00 0200 0000', // DEST_ATTR_ADDR_FAMILY (11) u16 AF_INET
      '1400 0100 0a000002 00000000 00000000 00000000', // DEST_ATTR_ADDR (1) 10.0.0.2
      '0600 0200 1f90 0000', // DEST_ATTR_PORT (2) be16 8080
      '0800 0300 00000000', // DEST_ATTR_FWD_METHOD (3) IP_VS_CONN_F_MASQ (0)
      '0800 0400 03000000', // DEST_ATTR_WEIGHT (4) 3
      '0800 0500 64000000', // DEST_ATTR_U_THRESH (5) 100
      '0800 0600 0a000000', // DEST_ATTR_L_THRESH (6) 10
    );
    assert.equal(frame(encodeNewDest(tcp80, d)), want);
  });

  test('SET_DEST TUN (GUE port 6080, csum) on fwmark 7', () => {
    const d: DestSpec = {
      address: '198.51.100.5',
      port: 0,
      forward: 'TUN',
      weight: 1,
      tunnel: { type: 'gue', port: 6080, checksum: 'csum' },
    };
    const want = hex(
      nlhdr(136, ACK),
      '06 01 0000', // IPVS_CMD_SET_DEST (6)
      '1400 0100', // SERVICE, len 20
      '0600 0100 0200 0000', // AF_INET
      '0800 0500 07000000', // FWMARK 7
      '6000 0200', // DEST, len 96
      '0600 0b00 0200 0000', // ADDR_FAMILY AF_INET
      '1400 0100 c6336405 00000000 00000000 00000000', // ADDR 198.51.100.5
      '0600 0200 0000 0000', // PORT 0
      '0800 0300 02000000', // FWD_METHOD IP_VS_CONN_F_TUNNEL (2)
      '0800 0400 01000000', // WEIGHT 1
      '0500 0d00 01 000000', // DEST_ATTR_TUN_TYPE (13) u8 GUE (1)
      '0600 0e00 17c0 0000', // DEST_ATTR_TUN_PORT (14) be16 6080
      '0600 0f00 0100 0000', // DEST_ATTR_TUN_FLAGS (15) u16 CSUM (1)
      '0800 0500 00000000', // U_THRESH 0
      '0800 0600 00000000', // L_THRESH 0
    );
    assert.equal(frame(encodeSetDest({ family: 4, fwmark: 7 }, d)), want);
  });

  test('TUN ipip sends only TUN_TYPE; DR sends no tunnel attributes', () => {
    const ipip = frame(
      encodeNewDest(tcp80, { address: '10.0.0.9', port: 80, forward: 'TUN', weight: 1 }),
    );
    assert.ok(ipip.includes(hex('0500 0d00 00 000000')), 'TUN_TYPE ipip (0)');
    assert.ok(!ipip.includes('0e00') && !ipip.includes(hex('0600 0f00')));
    const dr = frame(
      encodeNewDest(tcp80, { address: '10.0.0.9', port: 80, forward: 'DR', weight: 1 }),
    );
    assert.ok(dr.includes(hex('0800 0300 03000000')), 'FWD_METHOD DROUTE (3)');
    assert.ok(!dr.includes(hex('0d00')));
  });

  test('DEL_DEST sends the dest identity only', () => {
    const want = hex(
      nlhdr(108, ACK),
      '07 01 0000', // IPVS_CMD_DEL_DEST (7)
      '3000 0100',
      TCP80_MEMBERS,
      '2800 0200', // DEST, len 40
      '0600 0b00 0200 0000', // ADDR_FAMILY
      '1400 0100 0a000002 00000000 00000000 00000000', // ADDR 10.0.0.2
      '0600 0200 1f90 0000', // PORT 8080
    );
    assert.equal(frame(encodeDelDest(tcp80, { address: '10.0.0.2', port: 8080 })), want);
  });

  test('dumps: GET_SERVICE (no attributes) and GET_DEST (service identity), NLM_F_DUMP', () => {
    assert.equal(frame(encodeGetServices()), hex(nlhdr(20, DUMP), '04 01 0000'));
    assert.equal(
      frame(encodeGetDests(tcp80)),
      hex(nlhdr(68, DUMP), '08 01 0000', '3000 0100', TCP80_MEMBERS),
    );
    assert.equal(
      frame(encodeGetService(tcp80)),
      hex(nlhdr(68, ACK), '04 01 0000', '3000 0100', TCP80_MEMBERS),
    );
  });

  test('FLUSH, ZERO, GET_INFO, GET_CONFIG carry no attributes', () => {
    assert.equal(frame(encodeFlush()), hex(nlhdr(20, ACK), '11 01 0000')); // IPVS_CMD_FLUSH 17
    assert.equal(frame(encodeZero()), hex(nlhdr(20, ACK), '10 01 0000')); // IPVS_CMD_ZERO 16
    assert.equal(frame(encodeGetInfo()), hex(nlhdr(20, ACK), '0f 01 0000')); // GET_INFO 15
    assert.equal(frame(encodeGetConfig()), hex(nlhdr(20, ACK), '0d 01 0000')); // GET_CONFIG 13
    assert.equal(
      frame(encodeZero(tcp80)),
      hex(nlhdr(68, ACK), '10 01 0000', '3000 0100', TCP80_MEMBERS),
    );
  });

  test('SET_CONFIG timeouts tcp 900, tcpfin 120, udp 300; zero/absent ones are left out', () => {
    const want = hex(
      nlhdr(44, ACK),
      '0c 01 0000', // IPVS_CMD_SET_CONFIG (12)
      '0800 0400 84030000', // IPVS_CMD_ATTR_TIMEOUT_TCP (4) 900
      '0800 0500 78000000', // IPVS_CMD_ATTR_TIMEOUT_TCP_FIN (5) 120
      '0800 0600 2c010000', // IPVS_CMD_ATTR_TIMEOUT_UDP (6) 300
    );
    assert.equal(frame(encodeSetConfig({ tcp: 900, tcpFin: 120, udp: 300 })), want);
    assert.equal(
      frame(encodeSetConfig({ tcp: 0, udp: 60 })),
      hex(nlhdr(28, ACK), '0c 01 0000', '0800 0600 3c000000'),
    );
  });
});

describe('IPVS requests: typed input errors', () => {
  const bad: Array<[string, () => unknown]> = [
    ['scheduler of 16 bytes', () => encodeNewService({ ...tcp80, scheduler: 'a'.repeat(16) })],
    ['empty scheduler', () => encodeNewService({ ...tcp80, scheduler: '' })],
    ['port 65536', () => encodeDelService({ ...tcp80, port: 65536 })],
    [
      'IPv6 address in an IPv4 service',
      () => encodeDelService({ ...tcp80, address: '2001:db8::1' }),
    ],
    ['not an address', () => encodeDelService({ ...tcp80, address: 'example.com' })],
    ['fwmark 0', () => encodeDelService({ family: 4, fwmark: 0 })],
    [
      'IPv6 netmask 0',
      () => encodeNewService({ family: 6, fwmark: 1, scheduler: 'rr', netmask: 0 }),
    ],
    ['IPv4 netmask 33', () => encodeNewService({ ...tcp80, scheduler: 'rr', netmask: 33 })],
    [
      'negative weight',
      () => encodeNewDest(tcp80, { address: '10.0.0.1', port: 80, forward: 'NAT', weight: -1 }),
    ],
    [
      'weight above INT_MAX',
      () =>
        encodeNewDest(tcp80, { address: '10.0.0.1', port: 80, forward: 'NAT', weight: 2 ** 31 }),
    ],
    [
      'GUE without port',
      () =>
        encodeNewDest(tcp80, {
          address: '10.0.0.1',
          port: 80,
          forward: 'TUN',
          weight: 1,
          tunnel: { type: 'gue' },
        }),
    ],
    [
      'tunnel on NAT',
      () =>
        encodeNewDest(tcp80, {
          address: '10.0.0.1',
          port: 80,
          forward: 'NAT',
          weight: 1,
          tunnel: { type: 'gre' },
        }),
    ],
    [
      'dest family mismatch',
      () => encodeDelDest(tcp80, { address: '10.0.0.1', family: 6, port: 80 }),
    ],
  ];
  for (const [name, fn] of bad) {
    test(`${name} → SA_ERR_CONFIG_BAD_VALUE`, () => assert.throws(fn, isBadValue));
  }
});

// ---- replies, laid out as the kernel writes them ----

/** Test-local TLV builder (independent of the codec). */
function tlv(type: number, data: Buffer): Buffer {
  const len = 4 + data.length;
  const out = Buffer.alloc((len + 3) & ~3);
  out.writeUInt16LE(len, 0);
  out.writeUInt16LE(type, 2);
  data.copy(out, 4);
  return out;
}
const n16 = (v: number): Buffer => Buffer.from([v & 0xff, v >> 8]);
const b16 = (v: number): Buffer => Buffer.from([v >> 8, v & 0xff]);
const n32 = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b;
};
const n64 = (v: bigint): Buffer => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
};
const inet = (a: string): Buffer => {
  const b = Buffer.alloc(16);
  Buffer.from((parseIp(a) as { bytes: Uint8Array }).bytes).copy(b);
  return b;
};
/** A reply datagram: nlmsghdr (NLM_F_MULTI, seq 42, pid 4711) + genlmsghdr + attributes. */
function kernelMsg(cmd: number, attrs: Buffer[]): Buffer {
  const payload = Buffer.concat([Buffer.from([cmd, 1, 0, 0]), ...attrs]);
  const h = Buffer.alloc(16);
  h.writeUInt32LE(16 + payload.length, 0);
  h.writeUInt16LE(FAMILY, 4);
  h.writeUInt16LE(0x2, 6);
  h.writeUInt32LE(42, 8);
  h.writeUInt32LE(4711, 12);
  return Buffer.concat([h, payload]);
}
/** ip_vs_genl_fill_stats: u32 counters and rates, u64 bytes. */
const stats32 = (conns: number, inBytes: bigint): Buffer =>
  Buffer.concat([
    tlv(1, n32(conns)),
    tlv(2, n32(100)),
    tlv(3, n32(90)),
    tlv(4, n64(inBytes)),
    tlv(5, n64(12000n)),
    tlv(6, n32(1)),
    tlv(7, n32(2)),
    tlv(8, n32(3)),
    tlv(9, n32(4)),
    tlv(10, n32(5)),
  ]);
/** ip_vs_genl_fill_stats64: every member u64. */
const stats64 = (conns: bigint, inBytes: bigint): Buffer =>
  Buffer.concat(
    [conns, 100n, 90n, inBytes, 12000n, 1n, 2n, 3n, 4n, 5n].map((v, i) => tlv(i + 1, n64(v))),
  );

const serviceReply = kernelMsg(1 /* NEW_SERVICE */, [
  tlv(
    1, // IPVS_CMD_ATTR_SERVICE, nla_nest_start_noflag
    Buffer.concat([
      tlv(1, n16(2)), // AF_INET
      tlv(2, n16(6)), // TCP
      tlv(3, inet('192.0.2.10')), // 16-byte address
      tlv(4, b16(80)), // be16 port
      tlv(6, Buffer.from('rr\0')), // scheduler
      tlv(7, Buffer.concat([n32(0x2), n32(0xffffffff)])), // flags HASHED, mask ~0
      tlv(8, n32(0)), // timeout
      tlv(9, Buffer.from([255, 255, 255, 255])), // netmask
      tlv(10, stats32(5, 6000n)), // STATS
      tlv(12, stats64(5_000_000_000n, 2n ** 40n)), // STATS64 (exceeds u32)
    ]),
  ),
]);

const destReply = kernelMsg(5 /* NEW_DEST */, [
  tlv(
    2, // IPVS_CMD_ATTR_DEST
    Buffer.concat([
      tlv(1, inet('2001:db8::2')),
      tlv(2, b16(443)),
      tlv(3, n32(2)), // TUNNEL
      tlv(4, n32(7)), // weight
      tlv(13, Buffer.from([2])), // TUN_TYPE GRE
      tlv(14, b16(0)), // TUN_PORT
      tlv(15, n16(2)), // TUN_FLAGS REMCSUM
      tlv(5, n32(1000)),
      tlv(6, n32(800)),
      tlv(7, n32(11)), // active
      tlv(8, n32(22)), // inactive
      tlv(9, n32(33)), // persistent
      tlv(11, n16(10)), // ADDR_FAMILY AF_INET6
      tlv(10, stats32(9, 900n)),
    ]),
  ),
]);

describe('IPVS replies', () => {
  test('a service dump message decodes; STATS64 wins over STATS', () => {
    const [m] = parseMessages(serviceReply);
    assert.deepEqual(decodeService(m.payload), {
      family: 4,
      protocol: 'TCP',
      address: '192.0.2.10',
      port: 80,
      scheduler: 'rr',
      persistenceEngine: null,
      flagBits: 0x2,
      flags: [],
      persistenceTimeout: 0,
      netmask: 32,
      stats: {
        conns: 5_000_000_000,
        inPackets: 100,
        outPackets: 90,
        inBytes: 2 ** 40,
        outBytes: 12000,
        cps: 1,
        inPps: 2,
        outPps: 3,
        inBps: 4,
        outBps: 5,
      },
    });
  });

  test('a dest dump message decodes (IPv6, GRE tunnel, counters, 32-bit STATS only)', () => {
    const [m] = parseMessages(destReply);
    const d = decodeDest(m.payload);
    assert.deepEqual(
      { ...d, stats: d.stats && { conns: d.stats.conns, inBytes: d.stats.inBytes } },
      {
        address: '2001:db8::2',
        family: 6,
        port: 443,
        forward: 'TUN',
        weight: 7,
        upperThreshold: 1000,
        lowerThreshold: 800,
        activeConns: 11,
        inactiveConns: 22,
        persistentConns: 33,
        tunnel: { type: 'gre', port: 0, checksum: 'remcsum' },
        stats: { conns: 9, inBytes: 900 },
      },
    );
  });

  test('a dest without ADDR_FAMILY (Linux < 4.3) takes the service family', () => {
    const old = kernelMsg(5, [
      tlv(
        2,
        Buffer.concat([tlv(1, inet('10.1.1.1')), tlv(2, b16(80)), tlv(3, n32(3)), tlv(4, n32(1))]),
      ),
    ]);
    const d = decodeDest(parseMessages(old)[0].payload, 4);
    assert.equal(d.address, '10.1.1.1');
    assert.equal(d.forward, 'DR');
    assert.equal(d.tunnel, null);
    assert.equal(d.stats, null);
  });

  test('a fwmark service with a non-contiguous IPv4 persistence mask comes back dotted', () => {
    const m = kernelMsg(1, [
      tlv(
        1,
        Buffer.concat([
          tlv(1, n16(2)),
          tlv(5, n32(99)),
          tlv(6, Buffer.from('sh\0')),
          tlv(7, Buffer.concat([n32(0x1 | 0x2 | 0x8 | 0x10), n32(~0)])),
          tlv(8, n32(3600)),
          tlv(9, Buffer.from([255, 0, 255, 0])),
        ]),
      ),
    ]);
    const s = decodeService(parseMessages(m)[0].payload);
    assert.deepEqual(
      {
        fwmark: 'fwmark' in s && s.fwmark,
        flags: s.flags,
        netmask: s.netmask,
        t: s.persistenceTimeout,
      },
      {
        fwmark: 99,
        flags: ['persistent', 'sh-fallback', 'sh-port'],
        netmask: '255.0.255.0',
        t: 3600,
      },
    );
  });

  test('GET_CONFIG and GET_INFO replies', () => {
    const cfg = kernelMsg(12, [tlv(4, n32(900)), tlv(5, n32(120)), tlv(6, n32(300))]);
    assert.deepEqual(decodeConfig(parseMessages(cfg)[0].payload), {
      tcp: 900,
      tcpFin: 120,
      udp: 300,
    });
    const info = kernelMsg(14, [tlv(1, n32(0x010201)), tlv(2, n32(4096))]);
    assert.deepEqual(decodeInfo(parseMessages(info)[0].payload), {
      version: '1.2.1',
      connTableSize: 4096,
    });
  });

  test('wrong cmd, missing nest, unknown family or forward method are malformed', () => {
    assert.throws(() => decodeService(parseMessages(destReply)[0].payload), isMalformed);
    assert.throws(() => decodeDest(Buffer.from([5, 1, 0, 0])), isMalformed);
    const badAf = kernelMsg(1, [
      tlv(1, Buffer.concat([tlv(1, n16(7)), tlv(5, n32(1)), tlv(6, Buffer.from('rr\0'))])),
    ]);
    assert.throws(() => decodeService(parseMessages(badAf)[0].payload), isMalformed);
    const badFwd = kernelMsg(5, [
      tlv(2, Buffer.concat([tlv(1, inet('10.0.0.1')), tlv(2, b16(1)), tlv(3, n32(4))])),
    ]);
    assert.throws(() => decodeDest(parseMessages(badFwd)[0].payload), isMalformed);
  });

  test('IpvsUnavailableError says the kernel has no IPVS', () => {
    const e = new IpvsUnavailableError();
    assert.equal(e.message, 'kernel has no IPVS (generic netlink family IPVS not found)');
    assert.equal(e.code, 'ENOENT');
  });
});

// ---- properties ----

const norm = (a: string): string => formatIp((parseIp(a) as { bytes: Uint8Array }).bytes);
const arbFamilyAddr = fc.oneof(
  fc.ipV4().map((a) => ({ family: 4 as const, address: a })),
  fc.ipV6().map((a) => ({ family: 6 as const, address: a })),
);
const arbKey: fc.Arbitrary<ServiceKey> = fc.oneof(
  fc
    .record({
      fa: arbFamilyAddr,
      protocol: fc.constantFrom('TCP', 'UDP', 'SCTP' as const),
      port: fc.integer({ min: 0, max: 65535 }),
    })
    .map(({ fa, protocol, port }) => ({ ...fa, protocol, port })),
  fc.record({
    family: fc.constantFrom(4 as const, 6 as const),
    fwmark: fc.integer({ min: 1, max: 0xffffffff }),
  }),
);
const arbSpec: fc.Arbitrary<ServiceSpec> = fc
  .record({
    key: arbKey,
    scheduler: fc.constantFrom(
      'rr',
      'wrr',
      'lc',
      'wlc',
      'sh',
      'mh',
      'dh',
      'sed',
      'nq',
      'fo',
      'ovf',
      'lblc',
      'lblcr',
      'twos',
    ),
    flags: fc.subarray(['ops', 'flag-1', 'flag-2', 'flag-3'] as const),
    persistenceTimeout: fc.integer({ min: 0, max: 0xffffffff }),
    plen: fc.integer({ min: 1, max: 128 }),
    pe: fc.option(fc.constantFrom('sip'), { nil: undefined }),
  })
  .map(({ key, scheduler, flags, persistenceTimeout, plen, pe }) => ({
    ...key,
    scheduler,
    flags: [...flags],
    persistenceTimeout,
    netmask: key.family === 4 ? plen % 33 : plen,
    ...(pe ? { persistenceEngine: pe } : {}),
  }));

describe('IPVS codec properties', () => {
  test('round trip: NEW_SERVICE body decodes back to the spec', () => {
    fc.assert(
      fc.property(arbSpec, (spec) => {
        const s = decodeService(encodeNewService(spec));
        assert.equal(s.family, spec.family);
        assert.equal(s.scheduler, spec.scheduler);
        assert.equal(s.persistenceTimeout, spec.persistenceTimeout);
        assert.equal(s.netmask, spec.netmask);
        assert.equal(s.flagBits, flagBits(spec.flags ?? [], (spec.persistenceTimeout ?? 0) > 0));
        assert.equal(s.persistenceEngine, spec.persistenceEngine ?? null);
        if ('fwmark' in spec) assert.equal('fwmark' in s && s.fwmark, spec.fwmark);
        else {
          assert.ok('address' in s);
          assert.deepEqual(
            [s.protocol, s.address, s.port],
            [spec.protocol, norm(spec.address), spec.port],
          );
        }
      }),
      { numRuns: 500 },
    );
  });

  test('round trip: NEW_DEST body decodes back to the dest', () => {
    const arbDest = fc.record({
      fa: arbFamilyAddr,
      port: fc.integer({ min: 0, max: 65535 }),
      forward: fc.constantFrom('NAT', 'DR', 'TUN', 'LOCAL' as const),
      weight: fc.integer({ min: 0, max: 0x7fffffff }),
      u: fc.integer({ min: 0, max: 0xffffffff }),
      l: fc.integer({ min: 0, max: 0xffffffff }),
      tun: fc.constantFrom('ipip', 'gre', 'gue' as const),
      tport: fc.integer({ min: 1, max: 65535 }),
      csum: fc.constantFrom('nocsum', 'csum', 'remcsum' as const),
    });
    fc.assert(
      fc.property(arbKey, arbDest, (svc, x) => {
        const spec: DestSpec = {
          ...x.fa,
          port: x.port,
          forward: x.forward,
          weight: x.weight,
          upperThreshold: x.u,
          lowerThreshold: x.l,
          ...(x.forward === 'TUN'
            ? { tunnel: { type: x.tun, port: x.tport, checksum: x.csum } }
            : {}),
        };
        const d = decodeDest(encodeNewDest(svc, spec));
        assert.deepEqual(
          [d.family, d.address, d.port, d.forward, d.weight, d.upperThreshold, d.lowerThreshold],
          [x.fa.family, norm(x.fa.address), x.port, x.forward, x.weight, x.u, x.l],
        );
        if (x.forward === 'TUN') {
          assert.deepEqual(d.tunnel, {
            type: x.tun,
            port: x.tun === 'gue' ? x.tport : 0,
            checksum: x.tun === 'ipip' ? 'nocsum' : x.csum,
          });
        } else assert.equal(d.tunnel, null);
      }),
      { numRuns: 500 },
    );
  });

  const decoders: Array<[string, (b: Buffer) => unknown]> = [
    ['decodeService', decodeService],
    ['decodeDest', (b) => decodeDest(b, 6)],
    ['decodeConfig', decodeConfig],
    ['decodeInfo', decodeInfo],
  ];
  for (const [name, dec] of decoders) {
    test(`totality: ${name} gives a value or SA_ERR_PACKET_MALFORMED on any bytes`, () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => {
          try {
            dec(Buffer.from(bytes));
          } catch (e) {
            if (!isMalformed(e)) throw e;
          }
        }),
        { numRuns: 3000 },
      );
    });
  }

  test('totality under mutation: corrupted kernel replies never throw anything else', () => {
    const seeds = [serviceReply, destReply].map((d) => parseMessages(d)[0].payload);
    fc.assert(
      fc.property(
        fc.constantFrom(0, 1),
        fc.array(fc.record({ at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }), {
          minLength: 1,
          maxLength: 6,
        }),
        fc.nat(),
        (which, flips, cut) => {
          const b = Buffer.from(seeds[which]);
          for (const f of flips) b[f.at % b.length] = f.v;
          const input = b.subarray(0, b.length - (cut % 8));
          for (const [, dec] of decoders) {
            try {
              dec(input);
            } catch (e) {
              if (!isMalformed(e)) throw e;
            }
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});
