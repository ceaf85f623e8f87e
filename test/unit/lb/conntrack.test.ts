// ctnetlink decoding and the per-backend connection tracker (src/lb/conntrack-codec.ts): reply
// source = real server, TCP ESTABLISHED = active, other states and UDP = inactive, DNAT only,
// UPDATE moves a flow between columns, DESTROY removes it, a dump resets everything.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ConnTracker,
  ctMsgType,
  decodeCt,
  dumpRequest,
  IPCTNL_MSG_CT_DELETE,
  IPCTNL_MSG_CT_NEW,
  type CtEvent,
} from '../../../src/lb/conntrack-codec.js';
import { attr, attrBe16, parseIp } from '../../../src/os/netlink/index.js';

const nest = (type: number, kids: Buffer[]): Buffer => attr(type | 0x8000, Buffer.concat(kids));
const be32 = (type: number, v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return attr(type, b);
};

function tuple(
  type: number,
  src: string,
  dst: string,
  proto: number,
  sport: number,
  dport: number,
): Buffer {
  const s = parseIp(src)!;
  const d = parseIp(dst)!;
  const v6 = s.family === 6;
  return nest(type, [
    nest(1, [attr(v6 ? 3 : 1, Buffer.from(s.bytes)), attr(v6 ? 4 : 2, Buffer.from(d.bytes))]),
    nest(2, [attr(1, Buffer.from([proto])), attrBe16(2, sport), attrBe16(3, dport)]),
  ]);
}

interface Msg {
  op?: number;
  id: number;
  rs?: string;
  rsPort?: number;
  proto?: number;
  tcpState?: number;
  dnat?: boolean;
}

function msg(m: Msg): CtEvent {
  const proto = m.proto ?? 6;
  const rs = m.rs ?? '198.51.100.11';
  const client = rs.includes(':') ? '2001:db8:2::10' : '192.0.2.10';
  const attrs = [
    tuple(1, client, rs.includes(':') ? '2001:db8::100' : '203.0.113.100', proto, 40000, 80),
    tuple(2, rs, client, proto, m.rsPort ?? 80, 40000),
    be32(3, m.dnat === false ? 0x8 : 0x28),
    be32(12, m.id),
  ];
  if (m.tcpState !== undefined)
    attrs.push(nest(4, [nest(1, [attr(1, Buffer.from([m.tcpState]))])]));
  const payload = Buffer.concat([Buffer.from([2, 0, 0, 0]), ...attrs]);
  const ev = decodeCt({
    type: ctMsgType(m.op ?? IPCTNL_MSG_CT_NEW),
    flags: 0,
    seq: 0,
    pid: 0,
    payload,
  });
  assert.ok(ev);
  return ev;
}

test('decode: reply source is the backend; ESTABLISHED is active; IPv6 in brackets', () => {
  const e = msg({ id: 7, tcpState: 3 });
  assert.deepEqual(e, {
    kind: 'upsert',
    entry: {
      id: 7,
      backend: '198.51.100.11:80',
      proto: 6,
      active: true,
      stateKnown: true,
      dnat: true,
    },
  });
  assert.equal(msg({ id: 8, tcpState: 2 }).entry.active, false, 'SYN_RECV is inactive');
  assert.equal(msg({ id: 9, rs: '2001:db8::11', tcpState: 3 }).entry.backend, '[2001:db8::11]:80');
  assert.equal(msg({ id: 1, op: IPCTNL_MSG_CT_DELETE }).kind, 'destroy');
  assert.equal(msg({ id: 1, dnat: false }).entry.dnat, false);
  const d = dumpRequest(2);
  assert.equal(d.type, 0x101);
  assert.deepEqual([...d.payload], [2, 0, 0, 0]);
  assert.equal(decodeCt({ type: 0x10, flags: 0, seq: 0, pid: 0, payload: Buffer.alloc(8) }), null);
});

test('tracker: NEW, UPDATE to ESTABLISHED and to TIME_WAIT, DESTROY, UDP, non-DNAT', () => {
  const t = new ConnTracker();
  t.apply(msg({ id: 1, tcpState: 1 })); // SYN_SENT
  assert.deepEqual(t.get('198.51.100.11:80'), { active: 0, inactive: 1 });
  t.apply(msg({ id: 1, tcpState: 3 }));
  assert.deepEqual(t.get('198.51.100.11:80'), { active: 1, inactive: 0 });
  t.apply(msg({ id: 1 })); // an update without protoinfo keeps ESTABLISHED
  assert.deepEqual(t.get('198.51.100.11:80'), { active: 1, inactive: 0 });
  t.apply(msg({ id: 2, tcpState: 3, rs: '198.51.100.12' }));
  t.apply(msg({ id: 3, proto: 17, rs: '198.51.100.12', rsPort: 53 }));
  t.apply(msg({ id: 4, tcpState: 3, dnat: false, rs: '198.51.100.12' }));
  assert.deepEqual(t.get('198.51.100.12:80'), { active: 1, inactive: 0 }, 'non-DNAT not counted');
  assert.deepEqual(t.get('198.51.100.12:53'), { active: 0, inactive: 1 }, 'UDP is inactive');
  t.apply(msg({ id: 1, tcpState: 7 })); // TIME_WAIT
  assert.deepEqual(t.get('198.51.100.11:80'), { active: 0, inactive: 1 });
  t.apply(msg({ id: 1, op: IPCTNL_MSG_CT_DELETE }));
  t.apply(msg({ id: 99, op: IPCTNL_MSG_CT_DELETE })); // unknown: ignored
  assert.deepEqual(t.get('198.51.100.11:80'), { active: 0, inactive: 0 });
  t.reset([msg({ id: 5, tcpState: 3 }).entry]);
  assert.deepEqual([...t.all().keys()], ['198.51.100.11:80']);
});
