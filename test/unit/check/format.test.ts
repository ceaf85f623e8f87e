// formatCheckStatus (src/check/format.ts) against a golden file: every field `stayalivectl
// check` shows (state, weights, last change, last result with latency and reason, counts,
// retries, dynamic weights, ha_suspend, checker-less servers, skipped checkers). Set
// UPDATE_GOLDEN=1 to rewrite the golden file after an intended change.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { formatCheckStatus } from '../../../src/check/format.js';
import type { CheckerStatus } from '../../../src/check/status-types.js';

const status: CheckerStatus = {
  realServers: [
    {
      vs: '[192.0.2.100]:tcp:80',
      rs: '[192.0.2.11]:tcp:80',
      state: 'up',
      weight: 3,
      configuredWeight: 3,
      lastChange: null,
      changes: 0,
      checkers: [
        {
          id: 'TCP_CHECK#0',
          target: '[192.0.2.11]:tcp:80',
          state: 'up',
          inFlight: false,
          retriesUsed: 0,
          probes: 12,
          failures: 0,
          last: { ok: true, reason: 'connected', latencyMs: 0.412, at: '2026-11-23T16:00:05.000Z' },
          dynamicWeight: null,
        },
      ],
    },
    {
      vs: '[192.0.2.100]:tcp:80',
      rs: '[192.0.2.12]:tcp:80',
      state: 'down',
      weight: 1,
      configuredWeight: 1,
      lastChange: '2026-11-23T16:00:03.000Z',
      changes: 2,
      checkers: [
        {
          id: 'HTTP_GET#0',
          target: '[192.0.2.12]:tcp:80',
          state: 'down',
          inFlight: true,
          retriesUsed: 2,
          probes: 7,
          failures: 4,
          last: {
            ok: false,
            reason: 'HTTP status 503',
            latencyMs: 1520,
            at: '2026-11-23T16:00:04.500Z',
          },
          dynamicWeight: null,
        },
        {
          id: 'MISC_CHECK#1',
          target: '[192.0.2.12]:tcp:80',
          state: 'up',
          inFlight: false,
          retriesUsed: 0,
          probes: 3,
          failures: 0,
          last: { ok: true, reason: 'exit code 5', latencyMs: 3.2, at: null },
          dynamicWeight: { kind: 'absolute', value: 3 },
        },
      ],
    },
    {
      vs: '[192.0.2.200]:tcp:443',
      rs: '[192.0.2.21]:tcp:443',
      state: 'up',
      weight: 1,
      configuredWeight: 1,
      lastChange: null,
      changes: 0,
      suspended: true,
      checkers: [
        {
          id: 'FILE_CHECK#0',
          target: '[192.0.2.21]:tcp:443',
          state: 'up',
          inFlight: false,
          retriesUsed: 0,
          probes: 0,
          failures: 0,
          last: null,
          dynamicWeight: { kind: 'delta', value: -2 },
        },
      ],
    },
    {
      vs: '[192.0.2.200]:tcp:443',
      rs: '[192.0.2.22]:tcp:443',
      state: 'up',
      weight: 1,
      configuredWeight: 1,
      lastChange: null,
      changes: 0,
      checkers: [],
    },
  ],
  skipped: [{ what: 'HTTP_GET#0 of RS [192.0.2.13]:tcp:80', why: 'no url' }],
};

const golden = new URL('./golden/check-status.txt', import.meta.url);

test('formatCheckStatus matches the golden text', () => {
  const text = formatCheckStatus(status);
  if (process.env.UPDATE_GOLDEN) writeFileSync(golden, text);
  assert.equal(text, readFileSync(golden, 'utf8'));
});

test('an empty status says nothing is checked', () => {
  assert.equal(
    formatCheckStatus({ realServers: [], skipped: [] }),
    'no real servers are checked\n',
  );
});

test('the up count per VS follows the states', () => {
  const down = structuredClone(status);
  for (const r of down.realServers) r.state = 'down';
  const text = formatCheckStatus(down);
  assert.match(text, /VS \[192\.0\.2\.100\]:tcp:80 {2}0\/2 real servers up/);
  assert.match(text, /VS \[192\.0\.2\.200\]:tcp:443 {2}0\/2 real servers up/);
});
