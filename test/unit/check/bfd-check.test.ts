// BFD_CHECK follows its bfd_instance's session state (Up → up, anything else → down), looked up
// on the BFD state board every second, through the real probe factory in virtual time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { forgetBfdState, recordBfdState } from '../../../src/bfd/state-board.js';
import '../../../src/check/events.js';
import { planChecks } from '../../../src/check/plan.js';
import { probeBfd } from '../../../src/check/probes.js';
import { CheckerRuntime } from '../../../src/check/runtime.js';
import { subscribe } from '../../../src/core/bus.js';
import { parse } from '../config/helpers.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

const CONF = `bfd_instance BC1 {
  neighbor_ip 192.0.2.11
}
virtual_server 192.0.2.100 80 {
  delay_loop 10
  lb_algo rr
  lb_kind NAT
  protocol TCP
  real_server 192.0.2.11 80 {
    BFD_CHECK {
      name BC1
    }
  }
}
`;

test('probeBfd: Up is up, every other state (or no session) is down', () => {
  try {
    assert.deepEqual(probeBfd('BC0'), { ok: false, reason: 'BFD BC0 Down', latencyMs: 0 });
    recordBfdState('BC0', 'Init');
    assert.equal(probeBfd('BC0').ok, false);
    recordBfdState('BC0', 'Up');
    assert.deepEqual(probeBfd('BC0'), { ok: true, reason: 'BFD BC0 Up', latencyMs: 0 });
  } finally {
    forgetBfdState('BC0');
  }
});

test('BFD_CHECK is polled each second without retries', () => {
  const { config } = parse(CONF);
  const cp = planChecks(config).realServers[0].checkers[0];
  assert.equal(cp.timing.delayLoop, 1);
  assert.equal(cp.timing.retry, 0);
});

test('the real server follows the BFD session', async () => {
  const { config } = parse(CONF);
  const clock = new VirtualClock();
  const states: boolean[] = [];
  const off = subscribe('rs:state', (e) => states.push(e.up));
  const rt = new CheckerRuntime({ clock, rng: () => 0 });
  try {
    rt.start(config);
    await clock.advance(3000);
    assert.equal(states.at(-1), false, 'down while the session is not Up');
    recordBfdState('BC1', 'Up');
    await clock.advance(1500);
    assert.equal(states.at(-1), true);
    recordBfdState('BC1', 'Down');
    await clock.advance(1500);
    assert.equal(states.at(-1), false);
  } finally {
    off();
    await rt.stop();
    forgetBfdState('BC1');
  }
});
