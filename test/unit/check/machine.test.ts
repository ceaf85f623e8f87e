// The checker machine (src/check/machine.ts) on a fake clock: keepalived's scheduling rules
// (warmup spread, delay_loop, delay_before_retry, retry, alpha, one probe in flight) and the
// real-server verdict with dynamic weights, plus fast-check invariants over random runs.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import {
  fileVerdict,
  initChecker,
  LAG_CAP_MS,
  miscVerdict,
  rsVerdict,
  step,
  WEIGHT_LIMIT,
  type CheckerEffect,
  type CheckerState,
  type CheckerTiming,
  type ProbeOutcome,
} from '../../../src/check/machine.js';

const T: CheckerTiming = { delayLoop: 6, retry: 2, delayBeforeRetry: 1, warmup: 4, alpha: false };
const OK: ProbeOutcome = { ok: true, reason: 'connected', latencyMs: 1 };
const FAIL: ProbeOutcome = { ok: false, reason: 'connection refused', latencyMs: 1 };

/** Drives one machine: ticks at its deadlines, answers each probe with the next outcome. */
class Sim {
  state: CheckerState;
  now = 0;
  deadline: number | null;
  log: Array<{ at: number; e: CheckerEffect }> = [];
  probesAt: number[] = [];

  constructor(timing: CheckerTiming, rng = 0.5) {
    this.state = initChecker(timing, 0, () => rng);
    this.deadline = this.state.nextAt;
  }

  private apply(r: ReturnType<typeof step>): void {
    this.state = r.state;
    this.deadline = r.deadline;
    for (const e of r.effects) {
      this.log.push({ at: this.now, e });
      if (e.kind === 'probe') this.probesAt.push(this.now);
    }
  }

  /** Advances to the deadline, ticks (starting a probe), then answers it after `latencyS`. */
  round(outcome: ProbeOutcome, latencyS = 0): void {
    assert.notEqual(this.deadline, null, 'a deadline is set between probes');
    this.now = this.deadline as number;
    this.apply(step(this.state, { kind: 'tick' }, this.now));
    assert.equal(this.state.inFlight, true);
    this.now += latencyS * 1000;
    this.apply(step(this.state, { kind: 'result', outcome }, this.now));
  }

  kinds(): string[] {
    return this.log.map((l) => l.e.kind).filter((k) => k !== 'probe');
  }
}

describe('checker scheduling (keepalived check_api.c rules)', () => {
  test('first probe at a random point of [0, warmup] from the injected RNG', () => {
    assert.equal(initChecker(T, 1000, () => 0).nextAt, 1000);
    assert.equal(initChecker(T, 1000, () => 0.5).nextAt, 3000);
    assert.equal(initChecker(T, 1000, () => 0.999).nextAt, 1000 + 0.999 * 4000);
    assert.equal(initChecker({ ...T, warmup: 0 }, 7, () => 0.9).nextAt, 7);
  });

  test('a tick before the deadline does nothing; at the deadline it starts one probe', () => {
    const s = initChecker(T, 0, () => 0.5);
    const early = step(s, { kind: 'tick' }, 1999);
    assert.deepEqual(early.effects, []);
    assert.equal(early.deadline, 2000);
    const on = step(s, { kind: 'tick' }, 2000);
    assert.deepEqual(on.effects, [{ kind: 'probe' }]);
    assert.equal(on.deadline, null, 'no deadline while in flight');
  });

  test('never two probes in flight: ticks while in flight are ignored', () => {
    const s = step(
      initChecker(T, 0, () => 0),
      { kind: 'tick' },
      0,
    ).state;
    const again = step(s, { kind: 'tick' }, 50_000);
    assert.deepEqual(again.effects, []);
    assert.equal(again.state.probes, 1);
  });

  test('success: next probe delay_loop after the result', () => {
    const sim = new Sim(T, 0);
    sim.round({ ...OK, latencyMs: 300 }, 0.3);
    assert.equal(sim.deadline, 300 + 6000);
    assert.deepEqual(sim.kinds(), [], 'already up: no up effect');
  });

  test('event-loop lag does not stretch the period: the end is start + the probe latency', () => {
    // The probe took 2 ms, but its result was handled 400 ms after it started.
    const sim = new Sim(T, 0);
    sim.round({ ...OK, latencyMs: 2 }, 0.4);
    assert.equal(sim.deadline, 2 + 6000);
    // A tick 100 ms late counts from the due time; the latency still comes first.
    const s = step(sim.state, { kind: 'tick' }, 6102).state;
    assert.equal(s.startedAt, 6002);
    const r = step(s, { kind: 'result', outcome: FAIL }, 6110);
    assert.equal(r.deadline, 6002 + 1 + 1000, 'retry measured from the due time');
    // A tick far behind (a parked checker) counts at most LAG_CAP_MS of lateness.
    const late = step(r.state, { kind: 'tick' }, 60_000).state;
    assert.equal(late.startedAt, 60_000 - LAG_CAP_MS);
    // Never in the past, even when the result arrives after the whole delay.
    const past = step(late, { kind: 'result', outcome: FAIL }, 70_000);
    assert.equal(past.deadline, 70_000);
  });

  test('failures retry after delay_before_retry, retry extra attempts, then down', () => {
    const sim = new Sim(T, 0);
    sim.round(FAIL);
    assert.equal(sim.deadline, 1000);
    sim.round(FAIL);
    assert.equal(sim.deadline, 2000);
    assert.equal(sim.state.up, true, 'still up after 2 of 3 attempts');
    sim.round(FAIL);
    assert.equal(sim.state.up, false);
    assert.equal(sim.deadline, 2000 + 6000, 'then back to delay_loop');
    assert.deepEqual(sim.kinds(), ['retry', 'retry', 'down']);
    const down = sim.log.find((l) => l.e.kind === 'down');
    assert.deepEqual(down?.e, { kind: 'down', reason: 'connection refused', attempts: 3 });
    assert.deepEqual(sim.probesAt, [0, 1000, 2000]);
  });

  test('retry 0: the first failure is down', () => {
    const sim = new Sim({ ...T, retry: 0 }, 0);
    sim.round(FAIL);
    assert.deepEqual(sim.kinds(), ['down']);
  });

  test('a success between failures resets the retry count', () => {
    const sim = new Sim(T, 0);
    sim.round(FAIL);
    sim.round(FAIL);
    sim.round(OK);
    assert.equal(sim.state.retriesUsed, 0);
    sim.round(FAIL);
    sim.round(FAIL);
    assert.equal(sim.state.up, true, 'the count started over');
    sim.round(FAIL);
    assert.equal(sim.state.up, false);
  });

  test('already down: a failure is not retried, one success brings it up', () => {
    const sim = new Sim({ ...T, retry: 0 }, 0);
    sim.round(FAIL);
    const t = sim.now;
    sim.round(FAIL);
    assert.equal(sim.deadline, t + 6000 + 6000, 'delay_loop, not delay_before_retry');
    sim.round(OK);
    assert.equal(sim.state.up, true);
    assert.deepEqual(sim.kinds(), ['down', 'still-down', 'up']);
  });

  test('alpha: starts down; first failures are still retried (has not run); a success is up', () => {
    const sim = new Sim({ ...T, alpha: true }, 0);
    assert.equal(sim.state.up, false);
    sim.round(FAIL);
    assert.deepEqual(sim.kinds(), ['retry']);
    sim.round(OK);
    assert.deepEqual(sim.kinds(), ['retry', 'up']);
  });

  test('a result with no probe in flight (late, after a reload) is dropped', () => {
    const s = initChecker(T, 0, () => 0);
    const r = step(s, { kind: 'result', outcome: FAIL }, 10);
    assert.equal(r.state, s);
    assert.deepEqual(r.effects, []);
  });

  test('reschedule: new timing, next probe now', () => {
    const s = initChecker(T, 0, () => 0.9);
    const r = step(s, { kind: 'reschedule', timing: { ...T, delayLoop: 2 } }, 500);
    assert.equal(r.deadline, 500);
    assert.equal(r.state.timing.delayLoop, 2);
  });

  test('dynamic weight: carried by a success, dropped on a failure verdict', () => {
    const sim = new Sim({ ...T, retry: 0 }, 0);
    sim.round({ ...OK, weight: { kind: 'absolute', value: 5 } });
    assert.deepEqual(sim.state.weight, { kind: 'absolute', value: 5 });
    sim.round({ ...OK, weight: { kind: 'absolute', value: 5 } });
    assert.equal(sim.log.filter((l) => l.e.kind === 'weight').length, 1, 'unchanged: no effect');
    sim.round(FAIL);
    assert.equal(sim.state.weight, null);
    assert.deepEqual(sim.kinds(), ['weight', 'weight', 'down']);
  });

  test('counts and last change', () => {
    const sim = new Sim({ ...T, retry: 0 }, 0);
    sim.round(FAIL, 0.25);
    assert.equal(sim.state.lastChange, 250);
    assert.equal(sim.state.probes, 1);
    assert.equal(sim.state.failures, 1);
    assert.equal(sim.state.last?.reason, 'connection refused');
  });
});

describe('real-server verdict and dynamic weights', () => {
  test('up only when every checker is up; no checker = up', () => {
    assert.deepEqual(rsVerdict(3, []), { up: true, weight: 3 });
    assert.equal(
      rsVerdict(3, [
        { up: true, weight: null },
        { up: false, weight: null },
      ]).up,
      false,
    );
    assert.equal(
      rsVerdict(3, [
        { up: true, weight: null },
        { up: true, weight: null },
      ]).up,
      true,
    );
  });

  test('misc_dynamic: exit 0 ok, 1 fail, 2..255 ok with weight exit − 2; without dynamic only 0', () => {
    assert.deepEqual(miscVerdict(0, true), { ok: true });
    assert.deepEqual(miscVerdict(1, true), { ok: false });
    assert.deepEqual(miscVerdict(2, true), { ok: true, weight: { kind: 'absolute', value: 0 } });
    assert.deepEqual(miscVerdict(12, true), { ok: true, weight: { kind: 'absolute', value: 10 } });
    assert.deepEqual(miscVerdict(255, true), {
      ok: true,
      weight: { kind: 'absolute', value: 253 },
    });
    assert.deepEqual(miscVerdict(12, false), { ok: false });
  });

  test('one misc_dynamic checker sets the weight; several add up relative to the configured one', () => {
    const abs = (v: number) => ({ up: true, weight: { kind: 'absolute' as const, value: v } });
    assert.equal(rsVerdict(1, [abs(10)]).weight, 10);
    // keepalived: iweight + Σ(w_i − iweight) = 1 + 9 + 4
    assert.equal(rsVerdict(1, [abs(10), abs(5)]).weight, 14);
  });

  test('FILE_CHECK: value × weight (reverse negates); weight 0: non-zero value is down', () => {
    assert.deepEqual(fileVerdict(0, 0, false), { ok: true });
    assert.deepEqual(fileVerdict(3, 0, false), { ok: false });
    assert.deepEqual(fileVerdict(3, 2, false), { ok: true, weight: { kind: 'delta', value: 6 } });
    assert.deepEqual(fileVerdict(3, 2, true), { ok: true, weight: { kind: 'delta', value: -6 } });
    const delta = (v: number) => ({ up: true, weight: { kind: 'delta' as const, value: v } });
    assert.equal(rsVerdict(5, [delta(6)]).weight, 11);
    assert.equal(rsVerdict(5, [delta(-60)]).weight, 0, 'clamped at 0');
    assert.equal(rsVerdict(5, [delta(2 ** 40)]).weight, WEIGHT_LIMIT, 'clamped at the limit');
  });
});

describe('machine invariants (fast-check)', () => {
  const timing = fc.record({
    delayLoop: fc.integer({ min: 1, max: 60 }),
    retry: fc.integer({ min: 0, max: 5 }),
    delayBeforeRetry: fc.integer({ min: 1, max: 10 }),
    warmup: fc.integer({ min: 0, max: 60 }),
    alpha: fc.boolean(),
  });
  const runOf = fc.array(fc.boolean(), { minLength: 1, maxLength: 60 });

  test('one probe in flight, deadlines never in the past, down only after retry+1 failures', () => {
    fc.assert(
      fc.property(timing, runOf, fc.double({ min: 0, max: 0.999, noNaN: true }), (t, oks, r) => {
        const sim = new Sim(t, r);
        assert.ok(sim.state.nextAt! >= 0 && sim.state.nextAt! <= t.warmup * 1000);
        let consecutiveFails = 0;
        for (const ok of oks) {
          const wasUp = sim.state.up;
          const before = sim.now;
          sim.round(ok ? OK : FAIL, 0.1);
          assert.equal(sim.state.inFlight, false);
          assert.ok(sim.deadline !== null && sim.deadline >= sim.now, 'deadline in the future');
          assert.ok(sim.now >= before);
          consecutiveFails = ok ? 0 : consecutiveFails + 1;
          if (ok) assert.equal(sim.state.up, true, 'a success is always up');
          if (wasUp && !sim.state.up) {
            assert.ok(consecutiveFails >= t.retry + 1, 'never down before retry+1 failures');
          }
          assert.ok(sim.state.retriesUsed <= t.retry);
        }
        // Exactly one probe effect per round: never two in flight.
        assert.equal(sim.probesAt.length, oks.length);
      }),
      { numRuns: 300 },
    );
  });

  test('the RS verdict is up iff every checker is up, weight always within [0, limit]', () => {
    const ck = fc.record({
      up: fc.boolean(),
      weight: fc.option(
        fc.record({
          kind: fc.constantFrom('absolute' as const, 'delta' as const),
          value: fc.integer({ min: -1e6, max: 1e6 }),
        }),
        { nil: null },
      ),
    });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 65535 }), fc.array(ck, { maxLength: 6 }), (w, cs) => {
        const v = rsVerdict(w, cs);
        assert.equal(
          v.up,
          cs.every((c) => c.up),
        );
        assert.ok(v.weight >= 0 && v.weight <= WEIGHT_LIMIT && Number.isInteger(v.weight));
      }),
    );
  });
});
