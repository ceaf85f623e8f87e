// Where each VIP goes (keepalived's rules): the instance's VMAC, an address VMAC (per base
// interface and family) with use_vmac_addr or a VIP's own use_vmac, or a plain interface.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressVmacs, placeVip } from '../../../src/vrrp/vip-placement.js';
import { load } from '../config/helpers.js';

function instance(extra: string, vips: string, evips = ''): ReturnType<typeof load> {
  return load(
    `vrrp_instance V {\n interface eth0\n virtual_router_id 58\n${extra}\n virtual_ipaddress {\n${vips}\n }\n` +
      (evips ? ` virtual_ipaddress_excluded {\n${evips}\n }\n` : '') +
      '}',
  );
}

function places(r: ReturnType<typeof load>): unknown[] {
  const v = r.config.vrrp.instances.V;
  return [...v.virtualIpaddress, ...v.virtualIpaddressExcluded].map((a) => placeVip(v, a));
}

test('use_vmac: same-family VIPs on the VMAC; the other family on the base unless use_vmac_addr', () => {
  const plain = instance(
    ' use_vmac',
    '  192.0.2.158/24',
    '  2001:db8::158/64\n  10.9.0.1/24 dev eth1',
  );
  assert.deepEqual(places(plain), [
    { on: 'vmac' },
    { on: 'interface', ifname: 'eth0' },
    { on: 'interface', ifname: 'eth1' },
  ]);
  assert.deepEqual(addressVmacs(plain.config.vrrp.instances.V), []);
  const addr = instance(
    ' use_vmac\n use_vmac_addr',
    '  192.0.2.158/24',
    '  2001:db8::158/64\n  10.9.0.1/24 dev eth1\n  10.9.0.2/24 dev eth1',
  );
  assert.deepEqual(places(addr), [
    { on: 'vmac' },
    { on: 'address-vmac', base: 'eth0', family: 6 },
    { on: 'address-vmac', base: 'eth1', family: 4 },
    { on: 'address-vmac', base: 'eth1', family: 4 },
  ]);
  assert.deepEqual(addressVmacs(addr.config.vrrp.instances.V), [
    { base: 'eth0', family: 6 },
    { base: 'eth1', family: 4 },
  ]);
});

test("a VIP's own use_vmac: an address VMAC on its dev; redundant cases warn, as keepalived", () => {
  const own = instance('', '  192.0.2.158/24\n  10.9.0.1/24 dev eth1 use_vmac');
  assert.deepEqual(places(own), [
    { on: 'interface', ifname: 'eth0' },
    { on: 'address-vmac', base: 'eth1', family: 4 },
  ]);
  const same = instance(' use_vmac', '  192.0.2.158/24 dev eth0 use_vmac');
  assert.ok(
    same.msgs.includes('(V) use_vmac specified for VIP/eVIP 192.0.2.158 and vrrp instance'),
  );
  assert.deepEqual(places(same), [{ on: 'vmac' }]);
  const both = instance(' use_vmac_addr', '  192.0.2.158/24\n  10.9.0.1/24 dev eth1 use_vmac');
  assert.ok(
    both.msgs.includes('(V) use_vmac_addr specified and use_vmac specified for VIP/eVIP 10.9.0.1'),
  );
  assert.deepEqual(places(both)[1], { on: 'address-vmac', base: 'eth1', family: 4 });
});
