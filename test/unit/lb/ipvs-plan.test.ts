// The IPVS planner (src/lb/ipvs-plan.ts): desired table → IPVS services/dests; old × new → the
// ordered command list (one NEW_DEST for an added server, one SET_DEST for a weight change, one
// DEL_SERVICE for a removed service, nothing for equal tables); scheduler names incl. mh/fo/ovf;
// the generic netlink bytes of each command, written by hand from linux/ip_vs.h numbers; and,
// as a property, that folding the plan into the old table gives the new one.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { encodeGenl } from '../../../src/os/genl/messages.js';
import {
  applyCommand,
  describeCommand,
  encodeCommand,
  fromKernel,
  ipvsScheduler,
  planIpvs,
  toIpvsTable,
  type IpvsCommand,
  type IpvsTable,
} from '../../../src/lb/ipvs-plan.js';
import { buildDesired, initialStates } from '../../../src/lb/desired.js';
import type { DesiredService, DesiredTable } from '../../../src/lb/types.js';
import { lvsOf } from './helpers.js';

const VIP = '203.0.113.100';
const rs = (i: number, weight = 1, port = 80) => ({
  id: `[198.51.100.${10 + i}]:tcp:${port}`,
  addr: `198.51.100.${10 + i}`,
  port,
  weight,
  sorry: false,
  up: true,
});

function svc(over: Partial<DesiredService> = {}): DesiredService {
  const backends = over.backends ?? [rs(1), rs(2), rs(3)];
  return {
    id: `[${VIP}]:tcp:80`,
    family: 4,
    matches: [{ kind: 'addr', family: 4, addr: VIP, proto: 'tcp', port: 80 }],
    scheduler: 'rr',
    hashPort: false,
    method: 'NAT',
    persistence: null,
    configured: backends.map((b) => ({ id: b.id, weight: b.weight, addr: b.addr, port: b.port })),
    quorumUp: true,
    sorryActive: false,
    ...over,
    backends,
  };
}
const table = (...services: DesiredService[]): DesiredTable => ({ services, refused: [] });
const ipvs = (d: DesiredTable): IpvsTable => toIpvsTable(d).table;
const plan = (a: DesiredTable, b: DesiredTable): IpvsCommand[] => planIpvs(ipvs(a), ipvs(b));
const ops = (cs: IpvsCommand[]) => cs.map((c) => c.op);
const body = (c: IpvsCommand): string => encodeGenl(encodeCommand(c)).toString('hex');
const hex = (...parts: string[]): string => parts.join('').replace(/\s+/g, '');

describe('IPVS planner: commands', () => {
  test('from nothing: NEW_SERVICE, then one NEW_DEST per real server, in order', () => {
    const cs = plan(table(), table(svc()));
    assert.deepEqual(ops(cs), ['newService', 'newDest', 'newDest', 'newDest']);
    assert.deepEqual(cs.map(describeCommand), [
      `add service TCP ${VIP}:80 rr`,
      `add dest 198.51.100.11:80 to TCP ${VIP}:80 weight 1`,
      `add dest 198.51.100.12:80 to TCP ${VIP}:80 weight 1`,
      `add dest 198.51.100.13:80 to TCP ${VIP}:80 weight 1`,
    ]);
  });

  test('same table: no command', () => {
    assert.deepEqual(plan(table(svc()), table(svc())), []);
  });

  test('a server added: exactly one NEW_DEST', () => {
    const cs = plan(table(svc()), table(svc({ backends: [rs(1), rs(2), rs(3), rs(4, 3)] })));
    assert.equal(cs.length, 1);
    assert.deepEqual(cs[0], {
      op: 'newDest',
      svc: { family: 4, protocol: 'TCP', address: VIP, port: 80 },
      dest: { address: '198.51.100.14', port: 80, forward: 'NAT', weight: 3 },
    });
  });

  test('a weight change (incl. drain to 0): exactly one SET_DEST', () => {
    const cs = plan(table(svc()), table(svc({ backends: [rs(1), rs(2, 0), rs(3)] })));
    assert.deepEqual(ops(cs), ['setDest']);
    assert.equal(cs[0].op === 'setDest' && cs[0].dest.weight, 0);
  });

  test('a server removed: one DEL_DEST with the identity only', () => {
    const cs = plan(table(svc()), table(svc({ backends: [rs(1), rs(3)] })));
    assert.deepEqual(cs, [
      {
        op: 'delDest',
        svc: { family: 4, protocol: 'TCP', address: VIP, port: 80 },
        dest: { address: '198.51.100.12', port: 80 },
      },
    ]);
  });

  test('a service removed: one DEL_SERVICE (its dests go with it), first', () => {
    const other = svc({
      id: `[${VIP}]:udp:53`,
      matches: [{ kind: 'addr', family: 4, addr: VIP, proto: 'udp', port: 53 }],
    });
    const cs = plan(table(svc(), other), table(other));
    assert.deepEqual(cs, [
      { op: 'delService', key: { family: 4, protocol: 'TCP', address: VIP, port: 80 } },
    ]);
  });

  test('scheduler or persistence change: one SET_SERVICE, dests untouched', () => {
    const a = plan(table(svc()), table(svc({ scheduler: 'wlc' })));
    assert.deepEqual(ops(a), ['setService']);
    const b = plan(table(svc()), table(svc({ persistence: { timeout: 300, prefix: 24 } })));
    assert.deepEqual(ops(b), ['setService']);
    assert.equal(b[0].op === 'setService' && b[0].spec.persistenceTimeout, 300);
    assert.equal(b[0].op === 'setService' && b[0].spec.netmask, 24);
  });

  test('mixed change: add before update before remove, so the service never stands empty', () => {
    const cs = plan(table(svc()), table(svc({ backends: [rs(4), rs(2, 5)] })));
    assert.deepEqual(ops(cs), ['newDest', 'setDest', 'delDest', 'delDest']);
  });

  test('DR real servers are route (DROUTE); TUN passes through as TUNNEL', () => {
    const [, d] = plan(table(), table(svc({ method: 'DR' })));
    assert.equal(d.op === 'newDest' && d.dest.forward, 'DR');
    const tun = svc({ method: 'TUN' as DesiredService['method'] });
    const [, t] = plan(table(), table(tun));
    assert.equal(t.op === 'newDest' && t.dest.forward, 'TUN');
    // NAT → DR on reload is a SET_DEST per dest, not a delete.
    assert.deepEqual(ops(plan(table(svc()), table(svc({ method: 'DR' })))), [
      'setDest',
      'setDest',
      'setDest',
    ]);
  });

  test('a virtual_server_group: one IPVS service per address or fwmark, same dests', () => {
    const s = svc({
      matches: [
        { kind: 'addr', family: 4, addr: '203.0.113.1', proto: 'tcp', port: 80 },
        { kind: 'addr', family: 4, addr: '203.0.113.2', proto: 'tcp', port: 80 },
        { kind: 'fwmark', family: 4, mark: 9 },
      ],
    });
    const t = ipvs(table(s));
    assert.deepEqual([...t.keys()], ['4 TCP 203.0.113.1 80', '4 TCP 203.0.113.2 80', '4 fwmark 9']);
    for (const v of t.values()) assert.equal(v.dests.size, 3);
  });

  test('IPv6 service and dests', () => {
    const s = svc({
      id: '[2001:db8::100]:tcp:443',
      family: 6,
      matches: [{ kind: 'addr', family: 6, addr: '2001:db8::100', proto: 'tcp', port: 443 }],
      backends: [{ ...rs(1), addr: '2001:db8::11', port: 443 }],
    });
    const cs = plan(table(), table(s));
    assert.deepEqual(cs.map(describeCommand), [
      'add service TCP [2001:db8::100]:443 rr',
      'add dest [2001:db8::11]:443 to TCP [2001:db8::100]:443 weight 1',
    ]);
    assert.equal(cs[0].op === 'newService' && cs[0].spec.netmask, 128);
  });

  test('the same real server twice (sorry server = a real server): kept once, warned', () => {
    const r = toIpvsTable(table(svc({ backends: [rs(1), { ...rs(1), sorry: true }] })));
    assert.equal([...r.table.values()][0].dests.size, 1);
    assert.equal(r.warnings.length, 1);
  });
});

describe('IPVS planner: schedulers and flags', () => {
  test('every lb_algo keepalived knows maps to the IPVS module of the same name', () => {
    for (const a of ['rr', 'wrr', 'lc', 'wlc', 'lblc', 'lblcr', 'dh', 'sh', 'sed', 'nq'])
      assert.equal(ipvsScheduler(a), a);
    assert.equal(ipvsScheduler('mh'), 'mh');
    assert.equal(ipvsScheduler('fo'), 'fo');
    assert.equal(ipvsScheduler('ovf'), 'ovf');
    assert.equal(ipvsScheduler('WRR'), 'wrr');
    assert.equal(ipvsScheduler('maglev'), null);
  });

  test('an unknown scheduler refuses that service only', () => {
    const r = toIpvsTable(table(svc({ scheduler: 'bogus' }), svc({ id: 'x', matches: [] })));
    assert.deepEqual(r.refused, [{ id: `[${VIP}]:tcp:80`, why: "IPVS has no scheduler 'bogus'" }]);
  });

  test('hashPort becomes sh-port / mh-port, only for sh and mh', () => {
    const flags = (scheduler: string) =>
      [...ipvs(table(svc({ scheduler, hashPort: true }))).values()][0].spec.flags;
    assert.deepEqual(flags('sh'), ['sh-port']);
    assert.deepEqual(flags('mh'), ['mh-port']);
    assert.deepEqual(flags('rr'), []);
  });

  test('lc-family slot weights (nftables only) do not reach IPVS', () => {
    const a = svc({ scheduler: 'wlc' });
    const b = svc({ scheduler: 'wlc', slotWeights: new Map([[rs(1).id, 4]]) });
    assert.deepEqual(plan(table(a), table(b)), []);
  });
});

// Service identity of TCP 203.0.113.100:80 inside IPVS_CMD_ATTR_SERVICE (44 bytes).
const SVC_ID = hex(
  '0600 0100 0200 0000', // SVC_ATTR_AF (1): AF_INET 2
  '0600 0200 0600 0000', // SVC_ATTR_PROTOCOL (2): IPPROTO_TCP 6
  '1400 0300 cb007164 00000000 00000000 00000000', // SVC_ATTR_ADDR (3): 203.0.113.100
  '0600 0400 0050 0000', // SVC_ATTR_PORT (4): be16 80
);
// Dest identity of 198.51.100.12:80 inside IPVS_CMD_ATTR_DEST (36 bytes).
const DEST_ID = hex(
  '0600 0b00 0200 0000', // DEST_ATTR_ADDR_FAMILY (11): AF_INET
  '1400 0100 c633640c 00000000 00000000 00000000', // DEST_ATTR_ADDR (1): 198.51.100.12
  '0600 0200 0050 0000', // DEST_ATTR_PORT (2): be16 80
);

describe('IPVS planner: bytes of each command (linux/ip_vs.h layouts)', () => {
  test('NEW_SERVICE rr', () => {
    const [c] = plan(table(), table(svc()));
    assert.equal(
      body(c),
      hex(
        '01 01 0000', // genlmsghdr: IPVS_CMD_NEW_SERVICE 1, version 1
        '5400 0100', // IPVS_CMD_ATTR_SERVICE (1), 84 bytes
        SVC_ID,
        '0700 0600 727200 00', // SCHED_NAME (6) "rr\0" + pad
        '0c00 0700 00000000 ffffffff', // FLAGS (7) {0, mask ~0}
        '0800 0800 00000000', // TIMEOUT (8) 0
        '0800 0900 ffffffff', // NETMASK (9) /32
      ),
    );
  });

  test('SET_SERVICE wlc, persistent 300 s per /24', () => {
    const [c] = plan(
      table(svc()),
      table(svc({ scheduler: 'wlc', persistence: { timeout: 300, prefix: 24 } })),
    );
    assert.equal(
      body(c),
      hex(
        '02 01 0000', // IPVS_CMD_SET_SERVICE 2
        '5400 0100',
        SVC_ID,
        '0800 0600 776c6300', // SCHED_NAME "wlc\0"
        '0c00 0700 01000000 ffffffff', // FLAGS: IP_VS_SVC_F_PERSISTENT
        '0800 0800 2c010000', // TIMEOUT 300
        '0800 0900 ffffff00', // NETMASK 255.255.255.0, network order
      ),
    );
  });

  test('SET_SERVICE mh with mh-port on a fwmark service', () => {
    const fw = (scheduler: string, hashPort: boolean) =>
      table(svc({ scheduler, hashPort, matches: [{ kind: 'fwmark', family: 4, mark: 7 }] }));
    const [c] = plan(fw('rr', false), fw('mh', true));
    assert.equal(
      body(c),
      hex(
        '02 01 0000',
        '3800 0100', // SERVICE, 56 bytes
        '0600 0100 0200 0000', // AF_INET
        '0800 0500 07000000', // SVC_ATTR_FWMARK (5) 7
        '0700 0600 6d6800 00', // "mh\0"
        '0c00 0700 10000000 ffffffff', // SCHED2 = mh-port
        '0800 0800 00000000',
        '0800 0900 ffffffff',
      ),
    );
  });

  test('DEL_SERVICE carries the identity only', () => {
    const [c] = plan(table(svc()), table());
    assert.equal(body(c), hex('03 01 0000', '3000 0100', SVC_ID));
  });

  test('NEW_DEST NAT weight 3, SET_DEST DR weight 5, DEL_DEST', () => {
    const [add] = plan(
      table(svc({ backends: [rs(1)] })),
      table(svc({ backends: [rs(1), rs(2, 3)] })),
    );
    const full = (cmd: string, fwd: string, weight: string) =>
      hex(
        cmd,
        '3000 0100',
        SVC_ID,
        '4800 0200', // IPVS_CMD_ATTR_DEST (2), 72 bytes
        DEST_ID,
        `0800 0300 ${fwd}`, // DEST_ATTR_FWD_METHOD (3)
        `0800 0400 ${weight}`, // DEST_ATTR_WEIGHT (4)
        '0800 0500 00000000', // U_THRESH (5)
        '0800 0600 00000000', // L_THRESH (6)
      );
    assert.equal(body(add), full('05 01 0000', '00000000', '03000000')); // MASQ 0
    const [set] = plan(
      table(svc({ backends: [rs(2, 3)] })),
      table(svc({ method: 'DR', backends: [rs(2, 5)] })),
    );
    assert.equal(body(set), full('06 01 0000', '03000000', '05000000')); // DROUTE 3
    const [del] = plan(table(svc({ backends: [rs(2)] })), table(svc({ backends: [] })));
    assert.equal(body(del), hex('07 01 0000', '3000 0100', SVC_ID, '2800 0200', DEST_ID));
  });
});

describe('IPVS planner: properties', () => {
  const backend = fc.record({
    i: fc.integer({ min: 1, max: 6 }),
    weight: fc.integer({ min: 0, max: 5 }),
  });
  const service = fc.record({
    port: fc.constantFrom(80, 443, 8080),
    scheduler: fc.constantFrom('rr', 'wrr', 'sh', 'mh', 'wlc'),
    method: fc.constantFrom('NAT' as const, 'DR' as const),
    persist: fc.constantFrom(0, 60),
    backends: fc.uniqueArray(backend, { selector: (b) => b.i, maxLength: 5 }),
  });
  const desired = fc.uniqueArray(service, { selector: (s) => s.port, maxLength: 3 }).map((ss) =>
    table(
      ...ss.map((s) =>
        svc({
          id: `[${VIP}]:tcp:${s.port}`,
          matches: [{ kind: 'addr', family: 4, addr: VIP, proto: 'tcp', port: s.port }],
          scheduler: s.scheduler,
          method: s.method,
          persistence: s.persist ? { timeout: s.persist, prefix: 32 } : null,
          backends: s.backends.map((b) => rs(b.i, b.weight)),
        }),
      ),
    ),
  );
  const norm = (t: IpvsTable) => [...t].map(([k, s]) => [k, s.spec, [...s.dests].sort()]).sort();

  test('old + plan(old, new) = new; plan(new, new) is empty; every command encodes', () => {
    fc.assert(
      fc.property(desired, desired, (a, b) => {
        const cs = plan(a, b);
        const got = cs.reduce((t, c) => applyCommand(t, c), ipvs(a));
        assert.deepEqual(norm(got), norm(ipvs(b)));
        assert.deepEqual(plan(b, b), []);
        for (const c of cs) assert.ok(encodeCommand(c).attrs.length > 0);
      }),
      { numRuns: 300 },
    );
  });

  test('a service read back from the kernel plans to nothing (restart with -I)', () => {
    fc.assert(
      fc.property(desired, (d) => {
        const t = ipvs(d);
        const back: IpvsTable = new Map();
        for (const [k, s] of t) {
          const info = {
            ...s.spec,
            persistenceEngine: null,
            flagBits: 0,
            flags: [
              ...(s.spec.persistenceTimeout ? (['persistent'] as const) : []),
              ...(s.spec.flags ?? []),
            ],
            persistenceTimeout: s.spec.persistenceTimeout ?? 0,
            netmask: s.spec.netmask ?? 32,
            stats: null,
          };
          const dests = [...s.dests.values()].map((x) => ({
            address: x.address,
            family: 4 as const,
            port: x.port,
            forward: x.forward,
            weight: x.weight,
            upperThreshold: 0,
            lowerThreshold: 0,
            activeConns: 0,
            inactiveConns: 0,
            persistentConns: 0,
            tunnel: null,
            stats: null,
          }));
          back.set(k, fromKernel(info, dests, s.owner));
        }
        assert.deepEqual(planIpvs(back, t), []);
      }),
      { numRuns: 100 },
    );
  });
});

test('from keepalived.conf: VSG and fwmark services; the idle sorry server stays out', () => {
  const lvs = lvsOf(`virtual_server_group G {
  203.0.113.1 80
  203.0.113.2 80
}
virtual_server group G {
  lb_algo wrr
  lb_kind DR
  protocol TCP
  real_server 198.51.100.11 80 {
    weight 2
  }
}
virtual_server fwmark 5 {
  lb_algo sh
  lb_kind NAT
  persistence_timeout 120
  persistence_granularity 255.255.255.0
  sorry_server 198.51.100.99 80
  real_server 198.51.100.12 80 {
  }
}
`);
  const { table: d } = buildDesired(lvs, initialStates(lvs));
  const cs = planIpvs(new Map(), toIpvsTable(d).table);
  assert.deepEqual(cs.map(describeCommand), [
    'add service TCP 203.0.113.1:80 wrr',
    'add dest 198.51.100.11:80 to TCP 203.0.113.1:80 weight 2',
    'add service TCP 203.0.113.2:80 wrr',
    'add dest 198.51.100.11:80 to TCP 203.0.113.2:80 weight 2',
    'add service FWM 5 sh',
    'add dest 198.51.100.12:80 to FWM 5 weight 1',
  ]);
  const fw = cs[4];
  assert.equal(fw.op === 'newService' && fw.spec.netmask, 24);
  assert.equal(fw.op === 'newService' && fw.spec.persistenceTimeout, 120);
});
