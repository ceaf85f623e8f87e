// track_src_ip's bookkeeping: which local addresses exist, reported only when a watched one
// comes or goes (the FAULT it means: track-eval.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AddressInfo } from '../../../src/os/rtnl/types.js';
import { AddressPresence } from '../../../src/os/rtnl/address-presence.js';

const addr = (address: string, ifindex = 2): AddressInfo => ({
  family: address.includes(':') ? 6 : 4,
  ifindex,
  address,
  prefixLength: 24,
  scope: 0,
  flags: [],
});

test('only watched addresses report; one address on two interfaces; a repeated "new" is no second copy', () => {
  const p = new AddressPresence();
  assert.equal(p.apply(addr('192.0.2.170'), 'new'), false, 'a VIP nobody watches: no change');
  const unwatch = p.watch('2001:DB8::0:1');
  assert.equal(p.has('2001:db8::1'), false);
  assert.equal(p.apply(addr('2001:db8::1'), 'new'), true, 'watched, in any spelling');
  assert.equal(p.apply(addr('2001:db8::1', 3), 'new'), false, 'still there: no change');
  // A change to an existing address comes as another "new" (DAD done, lifetimes renewed).
  assert.equal(p.apply(addr('2001:db8::1', 3), 'new'), false);
  assert.equal(p.apply(addr('2001:db8::1'), 'del'), false);
  assert.equal(p.has('2001:db8::1'), true);
  assert.equal(p.apply(addr('2001:db8::1', 3), 'del'), true, 'gone from the last interface');
  assert.equal(p.reset([addr('2001:db8::1')]), true, 'a dump that brings it back');
  assert.equal(p.reset([addr('2001:db8::1'), addr('10.0.0.1')]), false);
  unwatch();
  assert.equal(p.apply(addr('2001:db8::1'), 'del'), false, 'no longer watched');
});
