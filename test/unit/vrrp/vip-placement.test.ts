// Where each VIP goes (keepalived's rules): the instance's VMAC, an address VMAC (per base
// interface and family) with use_vmac_addr or a VIP's own use_vmac, or a plain interface.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressVmacs, garpExtraIfPlan, placeVip } from '../../../src/vrrp/vip-placement.js';
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
    same.msgs.includes('(V) use_vmac specified for VIP/eVIP 192.0.2.158/24 and vrrp instance'),
  );
  assert.deepEqual(places(same), [{ on: 'vmac' }]);
  const both = instance(' use_vmac_addr', '  192.0.2.158/24\n  10.9.0.1/24 dev eth1 use_vmac');
  assert.ok(
    both.msgs.includes(
      '(V) use_vmac_addr specified and use_vmac specified for VIP/eVIP 10.9.0.1/24',
    ),
  );
  assert.deepEqual(places(both)[1], { on: 'address-vmac', base: 'eth1', family: 4 });
});

test('a use_vmac VIP without dev gets an address VMAC on the instance interface', () => {
  const r = instance(
    '',
    '  192.0.2.158/24',
    '  2001:db8::158/64 use_vmac\n  192.0.2.159/24 use_vmac',
  );
  assert.equal(r.diags.length, 0, r.msgs.join('\n'));
  assert.deepEqual(places(r), [
    { on: 'interface', ifname: 'eth0' },
    { on: 'address-vmac', base: 'eth0', family: 6 },
    { on: 'address-vmac', base: 'eth0', family: 4 },
  ]);
});

test('garp_extra_if: address VMACs (first VIP each), other interfaces with `all`; off without them', () => {
  const plan = (extra: string, vips: string, evips = '') => {
    const r = instance(extra, vips, evips);
    const v = r.config.vrrp.instances.V;
    return garpExtraIfPlan(v, r.config.global.vrrpGarpExtraIf);
  };
  // The instance's own interface never counts; VIPs on another dev count only with `all`.
  assert.equal(plan(' garp_extra_if 60', '  192.0.2.158/24', '  10.9.0.1/24 dev eth1'), null);
  assert.deepEqual(plan(' garp_extra_if all 60', '  192.0.2.158/24', '  10.9.0.1/24 dev eth1'), {
    intervalS: 60,
    vips: [1],
  });
  // Address VMACs: one frame per VMAC, from its first VIP.
  assert.deepEqual(
    plan(
      ' garp_extra_if 30',
      '  192.0.2.158/24',
      '  10.9.0.1/24 dev eth1 use_vmac\n  10.9.0.2/24 dev eth1 use_vmac\n  2001:db8::9/64 use_vmac',
    ),
    { intervalS: 30, vips: [1, 3] },
  );
  // With use_vmac the instance's VMAC is its own interface: included only with vmac_xmit_base,
  // and only when some other interface turns the option on.
  assert.equal(plan(' use_vmac\n vmac_xmit_base\n garp_extra_if 10', '  192.0.2.158/24'), null);
  assert.deepEqual(
    plan(
      ' use_vmac\n vmac_xmit_base\n garp_extra_if all 10',
      '  192.0.2.158/24',
      '  2001:db8::9/64',
    ),
    { intervalS: 10, vips: [0, 1] },
  );
  // The global keyword applies when the instance has none.
  const r = load(
    'global_defs {\n vrrp_garp_extra_if 45\n}\nvrrp_instance V {\n interface eth0\n virtual_router_id 58\n virtual_ipaddress {\n  192.0.2.1/24\n  10.9.0.1/24 dev eth1 use_vmac\n }\n}',
  );
  assert.deepEqual(garpExtraIfPlan(r.config.vrrp.instances.V, r.config.global.vrrpGarpExtraIf), {
    intervalS: 45,
    vips: [1],
  });
});
