import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse } from './helpers.js';

test('bfd_instance defaults (ms in the config, seconds in the model)', () => {
  const { config, msgs, rc } = parse('bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n}\n');
  assert.deepEqual(msgs, []);
  assert.equal(rc, 0);
  const b = config.bfd.instances.B1;
  assert.deepEqual(
    [
      b.usable,
      b.minRx,
      b.minTx,
      b.idleTx,
      b.multiplier,
      b.ttl,
      b.maxHops,
      b.passive,
      b.vrrp,
      b.checker,
    ],
    [true, 0.01, 0.01, 1, 5, 255, 0, false, true, true],
  );
});

test('every keyword, neighbour_ip spelling, IPv6 hop limit default', () => {
  const { config, msgs } = parse(
    'bfd_instance B6 {\n  neighbour_ip 2001:db8::2\n  source_ip 2001:db8::1\n  min_rx 50\n  min_tx 20.5\n  idle_tx 2000\n  multiplier 3\n  passive\n  max_hops 10\n  weight -20 reverse\n  checker\n}\n',
  );
  assert.deepEqual(msgs, []);
  const b = config.bfd.instances.B6;
  assert.deepEqual(
    [
      b.neighborIp,
      b.sourceIp,
      b.minRx,
      b.minTx,
      b.idleTx,
      b.multiplier,
      b.passive,
      b.ttl,
      b.maxHops,
      b.weight,
      b.weightReverse,
      b.vrrp,
      b.checker,
    ],
    ['2001:db8::2', '2001:db8::1', 0.05, 0.0205, 2, 3, true, 64, 10, -20, true, false, true],
  );
});

test('out-of-range values keep defaults with keepalived messages', () => {
  const { config, msgs, rc } = parse(
    'bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n  min_rx 0\n  multiplier 300\n  idle_tx 5\n  ttl 0\n}\n',
  );
  assert.ok(
    msgs.includes(
      'Configuration error: BFD instance B1 min_rx value 0 is not valid (must be in range [1-4294967]), ignoring',
    ),
  );
  assert.ok(
    msgs.includes(
      'Configuration error: BFD instance B1 multiplier value 300 not valid (must be in range [1-255]), ignoring',
    ),
  );
  assert.ok(
    msgs.includes(
      'Configuration error: BFD instance B1 idle_tx value 5 is not valid (must be in range [1000-4294967]), ignoring',
    ),
  );
  assert.ok(msgs.some((m) => m.includes('ttl/hoplimit value 0 not valid')));
  const b = config.bfd.instances.B1;
  assert.deepEqual([b.minRx, b.multiplier, b.idleTx, b.ttl], [0.01, 5, 1, 255]);
  assert.equal(rc, 5);
});

test('no neighbor → unusable, kept in the model', () => {
  const { config, msgs } = parse('bfd_instance B1 {\n  min_rx 100\n}\n');
  assert.equal(config.bfd.instances.B1.usable, false);
  assert.deepEqual(msgs, [
    'Configuration error: BFD instance B1 has no neighbor address set, disabling instance',
  ]);
});

test('malformed neighbor skips the rest of the block', () => {
  const { config, msgs } = parse('bfd_instance B1 {\n  neighbor_ip nope\n  min_rx 0\n}\n');
  assert.equal(config.bfd.instances.B1.usable, false);
  assert.deepEqual(msgs, [
    'Configuration error: BFD instance B1 has malformed neighbor address nope, ignoring instance',
  ]);
});

test('duplicate name and duplicate neighbor', () => {
  const { config, msgs } = parse(
    'bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n}\nbfd_instance B1 {\n  neighbor_ip 10.0.0.3\n}\nbfd_instance B2 {\n  neighbor_ip 10.0.0.2\n}\n',
  );
  assert.deepEqual(msgs, [
    'Configuration error: BFD instance B1 already configured - ignoring',
    'Configuration error: BFD instance B2 has duplicate neighbor address 10.0.0.2, ignoring instance',
  ]);
  assert.equal(config.bfd.instances.B1.neighborIp, '10.0.0.2');
  assert.equal(config.bfd.instances.B2.usable, false);
});

test('source/neighbor family mismatch and max_hops above ttl', () => {
  const a = parse('bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n  source_ip 2001:db8::1\n}\n');
  assert.equal(a.config.bfd.instances.B1.usable, false);
  const b = parse('bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n  ttl 5\n  max_hops 10\n}\n');
  assert.equal(b.config.bfd.instances.B1.maxHops, 5);
  assert.deepEqual(b.msgs, [
    'BFD instance B1: max_hops exceeds ttl/hoplimit - setting to ttl/hoplimit',
  ]);
});

test('a name of 32 characters or more is refused', () => {
  const long = 'x'.repeat(32);
  const { config, msgs } = parse(`bfd_instance ${long} {\n  neighbor_ip 10.0.0.2\n}\n`);
  assert.equal(config.bfd.instances[long], undefined);
  assert.equal(msgs.length, 1);
});

test('multihop (keepalived 2.2.8+) is accepted with an info line', () => {
  const { config, rc } = parse('bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n  multihop\n}\n');
  assert.equal(config.bfd.instances.B1.multihop, true);
  assert.equal(rc, 0);
});
