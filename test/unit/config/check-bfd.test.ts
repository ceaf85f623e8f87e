import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse, vs } from './helpers.js';

const BFD = 'bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n}\n';
const rsBfd = (inner: string) =>
  vs(`  real_server 10.0.0.2 80 {\n    BFD_CHECK {\n${inner}\n    }\n  }`);

test('BFD_CHECK resolves a bfd_instance defined above it', () => {
  const { config, msgs, rc } = parse(BFD + rsBfd('      name B1\n      alpha'));
  const c = config.lvs.virtualServers[0].realServers[0].checkers[0];
  assert.deepEqual(msgs, []);
  assert.equal(rc, 0);
  assert.ok(c.type === 'BFD_CHECK' && c.bfd === 'B1' && c.alpha === true && c.usable);
});

test('BFD_CHECK naming a bfd_instance defined below is not configured (top-down)', () => {
  const { config, msgs, rc } = parse(rsBfd('      name B1') + BFD);
  const c = config.lvs.virtualServers[0].realServers[0].checkers[0];
  assert.equal(c.usable, false);
  assert.deepEqual(msgs, ['([10.0.0.2]:tcp:80) BFD_CHECK - BFD B1 not configured']);
  assert.equal(rc, 5);
});

test('BFD_CHECK without a name, or monitoring the same BFD twice', () => {
  const a = parse(BFD + rsBfd('      alpha'));
  assert.deepEqual(a.msgs, [
    '([10.0.0.2]:tcp:80) No name has been specified for BFD_CHECKER - skipping',
  ]);
  const b = parse(
    BFD +
      vs(
        '  real_server 10.0.0.2 80 {\n    BFD_CHECK {\n      name B1\n    }\n    BFD_CHECK {\n      name B1\n    }\n  }',
      ),
  );
  assert.deepEqual(b.msgs, ['([10.0.0.2]:tcp:80) BFD_CHECK - RS already monitoring B1']);
  const cs = b.config.lvs.virtualServers[0].realServers[0].checkers;
  assert.deepEqual(
    cs.map((c) => c.usable),
    [true, false],
  );
});

test('a bfd_instance restricted to vrrp is not visible to BFD_CHECK', () => {
  const { msgs } = parse(
    'bfd_instance B1 {\n  neighbor_ip 10.0.0.2\n  vrrp\n}\n' + rsBfd('      name B1'),
  );
  assert.deepEqual(msgs, ['([10.0.0.2]:tcp:80) BFD_CHECK - BFD B1 not configured']);
});
