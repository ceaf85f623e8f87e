// `ipvsadm -Ln`-style listing of the subsystem's status, against a golden file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatLbStatus } from '../../../src/lb/format.js';
import type { LbStatus } from '../../../src/lb/subsystem.js';

const status: LbStatus = {
  dataplane: 'nftables',
  services: [
    {
      id: '[203.0.113.100]:tcp:80',
      scheduler: 'wrr',
      method: 'NAT',
      persistence: 0,
      quorumUp: true,
      sorryActive: false,
      backends: [
        {
          id: '[198.51.100.11]:tcp:80',
          addr: '198.51.100.11',
          port: 80,
          weight: 3,
          up: true,
          sorry: false,
        },
        {
          id: '[198.51.100.12]:tcp:80',
          addr: '198.51.100.12',
          port: 80,
          weight: 0,
          up: false,
          sorry: false,
        },
      ],
    },
    {
      id: '[2001:db8::100]:udp:53',
      scheduler: 'wlc',
      approximate: 'wlc approximated by wrr (static weights)',
      method: 'DR',
      persistence: 300,
      quorumUp: true,
      sorryActive: false,
      backends: [
        {
          id: '[2001:db8:1::11]:udp:53',
          addr: '2001:db8:1::11',
          port: 53,
          weight: 1,
          up: true,
          sorry: false,
        },
      ],
    },
    {
      id: 'FWM 7',
      scheduler: 'rr',
      method: 'NAT',
      persistence: 0,
      quorumUp: false,
      sorryActive: true,
      backends: [],
    },
  ],
  refused: [{ id: '[203.0.113.1]:tcp:80', why: 'lb_kind TUN needs IP-in-IP tunnels' }],
  lastApply: null,
};

test('formatLbStatus matches the golden listing', () => {
  const text = formatLbStatus(status);
  const file = new URL('../../fixtures/lb/status.txt', import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, 'utf8'));
  assert.match(text, /^TCP {2}203\.0\.113\.100:80 wrr$/m);
  assert.match(text, /^UDP {2}\[2001:db8::100\]:53 wlc~ persistent 300$/m);
  assert.match(text, /^ {2}-> 198\.51\.100\.12:80 +Masq +0 /m);
});
