// InstanceAddresses.addAll: the VIP requests go out together and `onVipsSent` runs once they are
// all with the kernel (rtnetlink applies a request inside sendmsg), before any ack; when the
// client's window held some back, it waits for the acks instead. The rtnetlink stand-in below
// only records call order: the kernel side is proven by the VRRP lab tests and bench/failover.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AddressSpec as VipSpec } from '../../../src/config/vrrp/types.js';
import type { AddressSpec, Rtnl } from '../../../src/os/rtnl/index.js';
import { InstanceAddresses } from '../../../src/vrrp/addresses.js';

function vip(address: string): VipSpec {
  return { address, prefixLength: 32, family: 4, dev: 'lo' } as VipSpec;
}

function fakeRtnl(events: string[], unsent: number, failing = new Set<string>()) {
  const acks: (() => void)[] = [];
  const rtnl = {
    unsent,
    addAddress(spec: AddressSpec): Promise<void> {
      events.push(`send ${spec.address}`);
      return new Promise<void>((resolve, reject) =>
        acks.push(() => {
          events.push(`ack ${spec.address}`);
          if (failing.has(spec.address))
            reject(Object.assign(new Error('File exists'), { code: 'EPERM' }));
          else resolve();
        }),
      );
    },
  };
  return { rtnl: rtnl as unknown as Rtnl, ackAll: () => acks.splice(0).forEach((a) => a()) };
}

test('onVipsSent runs after every VIP request is sent and before the acks', async () => {
  const events: string[] = [];
  const { rtnl, ackAll } = fakeRtnl(events, 0);
  const logs: string[] = [];
  const addrs = new InstanceAddresses(
    rtnl,
    'lo',
    { vips: [vip('192.0.2.10'), vip('192.0.2.11')], routes: [], rules: [] },
    (_l, m) => logs.push(m),
  );
  const done = addrs.addAll(() => events.push('garp'));
  assert.deepEqual(events, ['send 192.0.2.10', 'send 192.0.2.11', 'garp']);
  ackAll();
  await done;
  assert.deepEqual(events.slice(3), ['ack 192.0.2.10', 'ack 192.0.2.11']);
  assert.equal(addrs.holding, true);
  assert.deepEqual(logs, []);
});

test('with requests held back by the window, onVipsSent waits for the acks', async () => {
  const events: string[] = [];
  const { rtnl, ackAll } = fakeRtnl(events, 3);
  const addrs = new InstanceAddresses(
    rtnl,
    'lo',
    { vips: [vip('192.0.2.10')], routes: [], rules: [] },
    () => undefined,
  );
  const done = addrs.addAll(() => events.push('garp'));
  assert.deepEqual(events, ['send 192.0.2.10']);
  ackAll();
  await done;
  assert.deepEqual(events, ['send 192.0.2.10', 'ack 192.0.2.10', 'garp']);
});

test('a refused VIP is logged, not held, and the others are kept', async () => {
  const events: string[] = [];
  const { rtnl, ackAll } = fakeRtnl(events, 0, new Set(['192.0.2.11']));
  const logs: string[] = [];
  const addrs = new InstanceAddresses(
    rtnl,
    'lo',
    { vips: [vip('192.0.2.10'), vip('192.0.2.11')], routes: [], rules: [] },
    (_l, m) => logs.push(m),
  );
  const done = addrs.addAll();
  ackAll();
  await done;
  assert.equal(logs.length, 1);
  assert.match(logs[0], /cannot add VIP 192\.0\.2\.11: File exists/);
  assert.equal(addrs.holding, true);
});

test('a VIP on a missing `dev` is logged and skipped; the others are added', async () => {
  const events: string[] = [];
  const { rtnl, ackAll } = fakeRtnl(events, 0);
  const logs: string[] = [];
  const missing = { ...vip('192.0.2.12'), dev: 'sa-nodev0' } as VipSpec;
  const addrs = new InstanceAddresses(
    rtnl,
    'lo',
    { vips: [vip('192.0.2.10'), missing], routes: [], rules: [] },
    (_l, m) => logs.push(m),
  );
  const done = addrs.addAll();
  ackAll();
  await done;
  assert.deepEqual(events, ['send 192.0.2.10', 'ack 192.0.2.10']);
  assert.equal(logs.length, 1);
  assert.match(logs[0], /cannot add VIP 192\.0\.2\.12/);
});
