// rtnetlink codec (src/os/rtnl): framing, attribute alignment, request encode → decode round
// trips, replies captured from the kernel (test/fixtures/rtnl) checked against `ip -j` output
// for the same state, error/ack decoding, and totality of the decoders on arbitrary bytes.
import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { ErrorCodes, StayaliveError } from '../../../src/core/errors.js';
import { decodeAddress, encodeAddress } from '../../../src/os/rtnl/address-codec.js';
import { RTM } from '../../../src/os/rtnl/constants.js';
import { RtnlError } from '../../../src/os/rtnl/errors.js';
import { decodeEvent } from '../../../src/os/rtnl/event-codec.js';
import { formatIp, parseCidr, parseIp } from '../../../src/os/rtnl/ip.js';
import {
  decodeLink,
  encodeAddrGenModeNone,
  encodeMacvlan,
  encodeSetUp,
} from '../../../src/os/rtnl/link-codec.js';
import {
  attr,
  attrMap,
  attrNested,
  attrStr,
  attrU32,
  decodeAck,
  decodeIfInfo,
  decodeRtMsg,
  encodeMessage,
  errnoName,
  parseAttrs,
  parseMessages,
  type NlMessage,
} from '../../../src/os/rtnl/messages.js';
import { monitorGroups } from '../../../src/os/rtnl/monitor.js';
import { decodeRoute, encodeRoute } from '../../../src/os/rtnl/route-codec.js';
import { decodeRule, encodeRule } from '../../../src/os/rtnl/rule-codec.js';

const fixture = (name: string): string =>
  readFileSync(new URL(`../../fixtures/rtnl/${name}`, import.meta.url), 'utf8');
const datagrams = (name: string): NlMessage[] =>
  fixture(`${name}.hex`)
    .trim()
    .split('\n')
    .flatMap((line) => parseMessages(Buffer.from(line, 'hex')));
// ip -j output is untyped JSON; the asserts check its fields.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const ipJson = (name: string): any[] => JSON.parse(fixture(`${name}.json`));

describe('netlink framing', () => {
  test('nlmsghdr round trip; nlmsg_len excludes padding, the buffer is padded to 4', () => {
    const payload = Buffer.from([1, 2, 3, 4, 5]);
    const buf = encodeMessage({ type: 20, flags: 0x605, seq: 0xfffffffe, pid: 77, payload });
    assert.equal(buf.length, 24);
    assert.equal(buf.readUInt32LE(0), 21);
    const [m] = parseMessages(buf);
    assert.deepEqual(
      { ...m, payload: [...m.payload] },
      {
        type: 20,
        flags: 0x605,
        seq: 0xfffffffe,
        pid: 77,
        payload: [1, 2, 3, 4, 5],
      },
    );
  });

  test('several messages in one datagram split at aligned boundaries', () => {
    const a = encodeMessage({ type: 16, flags: 2, seq: 1, payload: Buffer.alloc(3, 7) });
    const b = encodeMessage({ type: 3, flags: 2, seq: 1, payload: Buffer.alloc(4) });
    const msgs = parseMessages(Buffer.concat([a, b]));
    assert.deepEqual(
      msgs.map((m) => [m.type, m.payload.length]),
      [
        [16, 3],
        [3, 4],
      ],
    );
  });

  test('truncated or lying lengths throw SA_ERR_PACKET_MALFORMED', () => {
    const good = encodeMessage({ type: 16, flags: 0, seq: 1, payload: Buffer.alloc(8) });
    for (const bad of [
      good.subarray(0, 10),
      good.subarray(0, 20),
      Buffer.concat([good, Buffer.alloc(3)]),
    ]) {
      assert.throws(() => parseMessages(bad), { code: ErrorCodes.PACKET_MALFORMED });
    }
    const short = Buffer.from(good);
    short.writeUInt32LE(8, 0);
    assert.throws(() => parseMessages(short), /bad nlmsg_len 8/);
  });

  test('attributes: padded to 4, lengths unpadded, nested flag masked, last one wins', () => {
    const name = attrStr(3, 'eth0'); // 4 + 5 bytes
    assert.equal(name.length, 12);
    assert.equal(name.readUInt16LE(0), 9);
    const nested = attrNested(18, [attrStr(1, 'macvlan'), attrU32(2, 4)]);
    assert.equal(nested.readUInt16LE(2), 18 | 0x8000);
    const all = Buffer.concat([
      name,
      attr(9, Buffer.from([1])),
      nested,
      attrU32(4, 1500),
      attrU32(4, 9000),
    ]);
    const list = parseAttrs(all);
    assert.deepEqual(
      list.map((a) => [a.type, a.data.length]),
      [
        [3, 5],
        [9, 1],
        [18, 20],
        [4, 4],
        [4, 4],
      ],
    );
    assert.equal(attrMap(all).get(4)?.readUInt32LE(0), 9000);
    const inner = attrMap(attrMap(all).get(18) as Buffer);
    assert.equal(inner.get(2)?.readUInt32LE(0), 4);
  });
});

describe('request encode → decode round trips', () => {
  test('IPv4 address with label and broadcast; IPv6 with nodad and noprefixroute', () => {
    const v4 = decodeAddress(
      encodeAddress({
        ifindex: 3,
        address: '192.0.2.100',
        prefixLength: 24,
        label: 'eth0:vip',
        broadcast: '192.0.2.255',
        scope: 'link',
      }),
    );
    assert.deepEqual(v4, {
      family: 4,
      ifindex: 3,
      address: '192.0.2.100',
      prefixLength: 24,
      scope: 253,
      flags: [],
      label: 'eth0:vip',
      broadcast: '192.0.2.255',
    });
    const v6 = decodeAddress(
      encodeAddress({
        ifindex: 9,
        address: '2001:DB8::0:100',
        prefixLength: 64,
        flags: ['nodad', 'noprefixroute', 'home'],
      }),
    );
    assert.deepEqual(v6?.flags, ['nodad', 'home', 'noprefixroute']);
    assert.equal(v6?.address, '2001:db8::100');
    assert.throws(() => encodeAddress({ ifindex: 1, address: '192.0.2.1', prefixLength: 33 }), {
      code: 'ERR_OUT_OF_RANGE',
    });
    assert.throws(
      () => encodeAddress({ ifindex: 1, address: '192.0.2.1', prefixLength: 24, family: 6 }),
      {
        code: 'ERR_INVALID_IP_ADDRESS',
      },
    );
  });

  test('address with a peer, a preferred lifetime (IFA_CACHEINFO), mngtmpaddr and autojoin', () => {
    const p2p = encodeAddress({
      ifindex: 3,
      address: '10.9.9.1',
      prefixLength: 32,
      peer: '10.9.9.2',
    });
    assert.deepEqual(
      [decodeAddress(p2p)?.address, decodeAddress(p2p)?.peer],
      ['10.9.9.1', '10.9.9.2'],
    );
    // The delete carries the peer too: the kernel matches IFA_ADDRESS against it.
    const del = encodeAddress(
      { ifindex: 3, address: '10.9.9.1', prefixLength: 32, peer: '10.9.9.2' },
      true,
    );
    assert.equal(decodeAddress(del)?.peer, '10.9.9.2');
    const v6 = encodeAddress({
      ifindex: 3,
      address: '2001:db8::1',
      prefixLength: 128,
      preferredLft: 0,
      flags: ['nodad', 'mngtmpaddr', 'autojoin'],
    });
    const ci = attrMap(v6.subarray(8)).get(6) as Buffer;
    assert.deepEqual([ci.readUInt32LE(0), ci.readUInt32LE(4)], [0, 0xffffffff]);
    assert.deepEqual(decodeAddress(v6)?.flags, ['nodad', 'managetempaddr', 'mcautojoin']);
    // IPv4 has no lifetimes here (keepalived sets them on IPv6 only).
    const v4 = encodeAddress({
      ifindex: 3,
      address: '192.0.2.1',
      prefixLength: 24,
      preferredLft: 0,
    });
    assert.equal(attrMap(v4.subarray(8)).get(6), undefined);
  });

  test('route in a table above 255 with metric and src: RTA_TABLE carries it, rtm_table is 0', () => {
    const buf = encodeRoute({
      dst: '203.0.113.0',
      prefixLength: 24,
      gateway: '192.0.2.1',
      ifindex: 2,
      table: 1000,
      metric: 7,
      src: '192.0.2.9',
    });
    assert.equal(decodeRtMsg(buf).table, 0);
    assert.deepEqual(decodeRoute(buf), {
      family: 4,
      dst: '203.0.113.0',
      prefixLength: 24,
      table: 1000,
      protocol: 3,
      scope: 0,
      type: 'unicast',
      gateway: '192.0.2.1',
      ifindex: 2,
      metric: 7,
      src: '192.0.2.9',
    });
  });

  test('route defaults: scope link without gateway; delete leaves type/protocol/scope wild', () => {
    const onLink = decodeRoute(encodeRoute({ dst: '198.51.100.0', prefixLength: 24, ifindex: 2 }));
    assert.equal(onLink?.scope, 253);
    const del = decodeRtMsg(encodeRoute({ dst: '198.51.100.0', prefixLength: 24 }, true));
    assert.deepEqual([del.type, del.protocol, del.scope, del.table], [0, 0, 255, 254]);
    const bh = decodeRoute(
      encodeRoute({ dst: '::', prefixLength: 0, type: 'blackhole', protocol: 'keepalived' }),
    );
    assert.deepEqual([bh?.type, bh?.dst, bh?.protocol, bh?.family], ['blackhole', '::', 18, 6]);
  });

  test('multipath next hops keep gateway, ifindex and weight', () => {
    const spec = {
      dst: '2001:db8:5::',
      prefixLength: 48,
      multipath: [
        { gateway: 'fe80::1', ifindex: 2, weight: 256 },
        { gateway: 'fe80::2', ifindex: 3 },
        { ifindex: 4, weight: 5 },
      ],
    };
    assert.deepEqual(decodeRoute(encodeRoute(spec))?.multipath, [
      { flags: 0, weight: 256, ifindex: 2, gateway: 'fe80::1' },
      { flags: 0, weight: 1, ifindex: 3, gateway: 'fe80::2' },
      { flags: 0, weight: 5, ifindex: 4 },
    ]);
    assert.throws(() => encodeRoute({ ...spec, multipath: [{ ifindex: 1, weight: 0 }] }), {
      code: 'ERR_OUT_OF_RANGE',
    });
  });

  test('rule with priority, from/to, fwmark/mask, iif/oif, table > 255, invert', () => {
    const spec = {
      family: 6 as const,
      priority: 100,
      table: 5000,
      from: '2001:db8::/32',
      to: '2001:db8:1::1',
      fwmark: 0x10,
      fwmask: 0xff,
      iif: 'eth0',
      oif: 'eth1',
      invert: true,
    };
    assert.deepEqual(decodeRule(encodeRule(spec)), {
      family: 6,
      priority: 100,
      table: 5000,
      action: 'table',
      invert: true,
      from: '2001:db8::/32',
      to: '2001:db8:1::1/128',
      fwmark: 16,
      fwmask: 255,
      iif: 'eth0',
      oif: 'eth1',
    });
    // A delete without action or table leaves both as wildcards.
    const del = decodeRule(encodeRule({ family: 4, priority: 7 }, true));
    assert.deepEqual([del?.action, del?.table, del?.priority], ['unspec', 0, 7]);
  });

  test('macvlan creation and link up/down', () => {
    const link = decodeLink(
      encodeMacvlan({ name: 'mv0', link: 4, mode: 'private', mac: '02:00:5E:00:01:01' }),
    );
    assert.deepEqual(
      [link.name, link.link, link.mac, link.kind, link.macvlanMode],
      ['mv0', 4, '02:00:5e:00:01:01', 'macvlan', 'private'],
    );
    assert.throws(
      () => encodeMacvlan({ name: 'a-name-that-is-too-long', link: 1, mode: 'vepa' }),
      TypeError,
    );
    assert.throws(
      () => encodeMacvlan({ name: 'mv1', link: 1, mode: 'vepa', mac: '02:00' }),
      TypeError,
    );
    const up = decodeIfInfo(encodeSetUp(5, true));
    const down = decodeIfInfo(encodeSetUp(5, false));
    assert.deepEqual([up.index, up.flags, up.change, down.flags, down.change], [5, 1, 1, 0, 1]);
  });

  test('addr_gen_mode none: ifinfomsg then IFLA_AF_SPEC { AF_INET6 { ADDR_GEN_MODE = 1 } }', () => {
    const b = encodeAddrGenModeNone(7);
    assert.equal(decodeIfInfo(b).index, 7);
    // The bytes `ip link set dev X addrgenmode none` sends (strace), after the 16-byte header.
    assert.equal(
      b.subarray(16).toString('hex'),
      '1000' + '1a00' + '0c00' + '0a00' + '0500' + '0800' + '01000000',
    );
  });
});

describe('replies captured from the kernel', () => {
  test('address dump matches ip -j addr', () => {
    const mine = datagrams('getaddr')
      .filter((m) => m.type === RTM.NEWADDR)
      .map((m) => decodeAddress(m.payload));
    const fromIp = ipJson('addr').flatMap((l) =>
      l.addr_info.map((a: { local: string; prefixlen: number; label?: string }) =>
        [l.ifindex, `${a.local}/${a.prefixlen}`, a.label ?? null].join(' '),
      ),
    );
    const decoded = mine.map((a) =>
      [a?.ifindex, `${a?.address}/${a?.prefixLength}`, a?.label ?? null].join(' '),
    );
    assert.deepEqual(decoded.sort(), fromIp.sort());
    const vip = mine.find((a) => a?.address === '192.0.2.100');
    assert.deepEqual([vip?.label, vip?.flags], ['eth0:vip', ['secondary', 'permanent']]);
  });

  test('link dump matches ip -j link (names, MACs, MTU, veth kind, operstate)', () => {
    const mine = datagrams('getlink')
      .filter((m) => m.type === RTM.NEWLINK)
      .map((m) => decodeLink(m.payload));
    const fromIp = ipJson('link');
    assert.equal(mine.length, fromIp.length);
    for (const l of fromIp) {
      const d = mine.find((x) => x.index === l.ifindex);
      assert.deepEqual(
        [d?.name, d?.mac, d?.mtu, d?.operstate.toUpperCase()],
        [l.ifname, l.address, l.mtu, l.operstate],
      );
      assert.equal(d?.up, l.flags.includes('UP'));
    }
    assert.equal(mine.find((x) => x.name === 'eth0')?.kind, 'veth');
    assert.equal(mine.find((x) => x.name === 'lo')?.kind, undefined);
  });

  test('route dump matches ip -j route show table all, multipath included', () => {
    const mine = datagrams('getroute')
      .filter((m) => m.type === RTM.NEWROUTE)
      .map((m) => decodeRoute(m.payload));
    const ipCount = ipJson('route').length; // `table all` lists both families
    assert.equal(mine.length, ipCount);
    const t100 = mine.find((r) => r?.table === 100);
    assert.deepEqual(
      [t100?.dst, t100?.prefixLength, t100?.gateway, t100?.metric, t100?.src],
      ['203.0.113.0', 24, '192.0.2.2', 50, '192.0.2.1'],
    );
    const mp = mine.find((r) => r?.dst === '198.51.100.0');
    const ipMp = ipJson('route').find((r) => r.dst === '198.51.100.0/25');
    assert.deepEqual(
      mp?.multipath?.map((h) => [h.gateway, h.weight]),
      ipMp.nexthops.map((h: { gateway: string; weight: number }) => [h.gateway, h.weight]),
    );
    assert.equal(mine.find((r) => r?.dst === '198.51.100.128')?.type, 'blackhole');
  });

  test('rule dump matches ip -j rule for both families', () => {
    const mine = datagrams('getrule')
      .filter((m) => m.type === RTM.NEWRULE)
      .map((m) => decodeRule(m.payload))
      .filter((r) => r !== null); // IPMR/IP6MR rules (families 128/129) are not ours
    const fromIp = [...ipJson('rule4'), ...ipJson('rule6')];
    assert.deepEqual(
      mine.map((r) => r?.priority),
      fromIp.map((r) => r.priority),
    );
    const r = mine.find((x) => x?.priority === 1000);
    assert.deepEqual([r?.from, r?.fwmark, r?.table], ['192.0.2.0/24', 0x10, 100]);
  });

  test('EEXIST error with extended ack: errno, echoed request header, kernel message', () => {
    const [m] = datagrams('eexist');
    assert.equal(m.type, 2);
    const ack = decodeAck(m);
    assert.equal(ack.error, -17);
    assert.equal(errnoName(ack.error), 'EEXIST');
    assert.deepEqual([ack.request?.type, ack.request?.seq], [RTM.NEWADDR, 5]);
    assert.equal(ack.extackMessage, 'ipv4: Address already assigned');
    const err = new RtnlError('add address 192.0.2.1/24 dev eth0', ack.error, ack.extackMessage);
    assert.equal(
      err.message,
      'add address 192.0.2.1/24 dev eth0: EEXIST (ipv4: Address already assigned)',
    );
    assert.deepEqual(
      [err.code, err.errno, err.syscall, err.saCode],
      ['EEXIST', -17, 'rtnetlink', 'SA_ERR_OS'],
    );
  });

  test('errno names as Node reports them; unknown numbers stay recognisable', () => {
    assert.deepEqual([-3, -19, -99, 2, -95, 250].map(errnoName), [
      'ESRCH',
      'ENODEV',
      'EADDRNOTAVAIL',
      'ENOENT',
      'ENOTSUP',
      'E250',
    ]);
  });
});

describe('events, groups and addresses', () => {
  test('NEW and DEL keep their action', () => {
    const payload = encodeAddress({ ifindex: 2, address: '192.0.2.7', prefixLength: 32 });
    for (const [type, action] of [
      [RTM.NEWADDR, 'new'],
      [RTM.DELADDR, 'del'],
    ] as const) {
      const ev = decodeEvent({ type, flags: 0, seq: 0, pid: 0, payload });
      assert.deepEqual([ev?.type, ev?.action], ['address', action]);
    }
    assert.equal(
      decodeEvent({ type: 3, flags: 0, seq: 0, pid: 0, payload: Buffer.alloc(4) }),
      null,
    );
  });

  test('monitor groups', () => {
    assert.deepEqual(monitorGroups(), [1, 5, 7, 8, 9, 11, 19]);
    assert.deepEqual(monitorGroups({ groups: ['address'], families: [6] }), [9]);
  });

  test('IP text formatting follows inet_ntop', () => {
    const cases: [string, string][] = [
      ['0:0:0:0:0:0:0:0', '::'],
      ['0:0:0:0:0:0:0:1', '::1'],
      ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
      ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
      ['fe80:0:0:0:0:0:0:0', 'fe80::'],
      ['::ffff:192.0.2.1', '::ffff:192.0.2.1'],
      ['1:0:0:2:0:0:0:3', '1:0:0:2::3'],
    ];
    for (const [input, out] of cases)
      assert.equal(formatIp(parseIp(input)?.bytes as Uint8Array), out, input);
    for (const bad of [
      '1.2.3',
      '256.1.1.1',
      '01.2.3.4',
      '1::2::3',
      '1:2:3:4:5:6:7:8:9',
      ':::',
      'g::1',
    ]) {
      assert.equal(parseIp(bad), null, bad);
    }
    assert.deepEqual(parseCidr('192.0.2.0/24').len, 24);
    assert.throws(() => parseCidr('192.0.2.0/40'), { code: 'ERR_OUT_OF_RANGE' });
  });

  test('property: formatted addresses parse back to the same bytes', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ minLength: 4, maxLength: 4 }),
          fc.uint8Array({ minLength: 16, maxLength: 16 }),
        ),
        (bytes) => {
          assert.deepEqual(parseIp(formatIp(bytes))?.bytes, bytes);
        },
      ),
    );
  });
});

describe('totality', () => {
  const onlyMalformed = (fn: () => unknown): void => {
    try {
      fn();
    } catch (e) {
      assert.ok(e instanceof StayaliveError && e.code === ErrorCodes.PACKET_MALFORMED, String(e));
    }
  };

  test('property: any bytes give messages and events or a typed parse error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) =>
        onlyMalformed(() => parseMessages(Buffer.from(bytes)).map(decodeEvent)),
      ),
      { numRuns: 2000 },
    );
  });

  test('property: well-framed messages of every rtnetlink type with random payloads', () => {
    const types = [2, 3, ...Object.values(RTM)];
    fc.assert(
      fc.property(
        fc.constantFrom(...types),
        fc.integer({ min: 0, max: 0xffff }),
        fc.uint8Array({ maxLength: 200 }),
        (type, flags, payload) => {
          const [m] = parseMessages(
            encodeMessage({ type, flags, seq: 1, payload: Buffer.from(payload) }),
          );
          onlyMalformed(() => decodeEvent(m));
          if (type === 2) onlyMalformed(() => decodeAck(m));
        },
      ),
      { numRuns: 3000 },
    );
  });

  test('property: valid headers followed by random attribute bytes', () => {
    const heads: [number, number][] = [
      [RTM.NEWLINK, 16],
      [RTM.NEWADDR, 8],
      [RTM.NEWROUTE, 12],
      [RTM.NEWRULE, 12],
    ];
    fc.assert(
      fc.property(
        fc.constantFrom(...heads),
        fc.constantFrom(2, 10),
        fc.uint8Array({ maxLength: 200 }),
        ([type, len], af, tail) => {
          const head = Buffer.alloc(len);
          head[0] = af;
          onlyMalformed(() =>
            decodeEvent({
              type,
              flags: 0,
              seq: 0,
              pid: 0,
              payload: Buffer.concat([head, Buffer.from(tail)]),
            }),
          );
        },
      ),
      { numRuns: 3000 },
    );
  });
});
