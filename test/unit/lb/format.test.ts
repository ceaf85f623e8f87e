// `ipvsadm -Ln`-style listing of the subsystem's status, against a golden file.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatLbRate, formatLbStats, formatLbStatus } from '../../../src/lb/format.js';
import type { LbStatsSample, LbStatus } from '../../../src/lb/subsystem.js';

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
          activeConn: 12,
          inactConn: 3,
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
  assert.match(text, /^ {2}-> 198\.51\.100\.11:80 +Masq +3 +12 +3$/m, 'conntrack counts shown');
  assert.match(text, /^ {2}-> 198\.51\.100\.12:80 +Masq +0 +- +-$/m, 'uncounted: -');
});

const s1 = (at: number, k: number): LbStatsSample => ({
  dataplane: 'nftables',
  at,
  services: [
    {
      id: '[203.0.113.100]:tcp:80',
      backends: [
        {
          id: '[198.51.100.11]:tcp:80',
          inPkts: 10 * k,
          outPkts: 8 * k,
          inBytes: 1000 * k,
          outBytes: 250_000 * k,
        },
        {
          id: '[198.51.100.12]:tcp:80',
          inPkts: 5 * k,
          outPkts: 4 * k,
          inBytes: 500 * k,
          outBytes: 20_000 * k,
        },
      ],
    },
    {
      id: '[2001:db8::100]:udp:53',
      backends: [
        { id: '[2001:db8:1::11]:udp:53', inPkts: k, outPkts: k, inBytes: 60 * k, outBytes: 90 * k },
      ],
    },
  ],
});

function golden(name: string, text: string): void {
  const file = new URL(`../../fixtures/lb/${name}`, import.meta.url);
  if (process.env.UPDATE_GOLDEN) writeFileSync(file, text);
  assert.equal(text, readFileSync(file, 'utf8'));
}

test('formatLbStats: per real server, the service line sums them; big numbers shortened', () => {
  const text = formatLbStats(s1(0, 1));
  golden('stats.txt', text);
  // 250000 + 20000 out bytes on the service line, shortened as ipvsadm does.
  assert.match(text, /^TCP {2}203\.0\.113\.100:80 +15 +12 +1500 +270K$/m);
  assert.match(text, /^ {2}-> 198\.51\.100\.12:80 +5 +4 +500 +20000$/m);
});

test('formatLbRate: differences over the time between the samples', () => {
  const text = formatLbRate(s1(1000, 1), s1(3000, 3)); // 2 s apart, counters tripled
  golden('rate.txt', text);
  assert.match(text, /^ {2}-> 198\.51\.100\.11:80 +10 +8 +1000 +250K$/m);
  assert.match(text, /^TCP {2}203\.0\.113\.100:80 +15 +12 +1500 +270K$/m);
  // A counter that went down (table reinstalled) counts from zero.
  const reset = formatLbRate(s1(0, 5), s1(1000, 1));
  assert.match(reset, /^ {2}-> 198\.51\.100\.11:80 +10 +8 +1000 +250K$/m);
});
