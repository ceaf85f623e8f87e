// The checkers' one-timer deadline heap (src/check/deadline-queue.ts) on a virtual clock:
// items fire in deadline order, each once; cancel and reschedule drop the old slot; only
// one clock timer is ever armed; items scheduled while firing wait for their own deadline.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { DeadlineQueue } from '../../../src/check/deadline-queue.js';
import { VirtualClock } from '../../helpers/virtual-clock.js';

interface Item {
  name: string;
  qGen: number;
}

/** A VirtualClock that counts the timers it holds. */
class CountingClock extends VirtualClock {
  live = 0;
  maxLive = 0;
  override setTimer(fn: () => void, ms: number): () => void {
    this.live++;
    this.maxLive = Math.max(this.maxLive, this.live);
    let done = false;
    const cancel = super.setTimer(() => {
      done = true;
      this.live--;
      fn();
    }, ms);
    return () => {
      if (!done) {
        done = true;
        this.live--;
      }
      cancel();
    };
  }
}

describe('DeadlineQueue', () => {
  test('fires in deadline order, each item once, on one clock timer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 60 }),
        async (ats) => {
          const clock = new CountingClock();
          const fired: Array<[string, number]> = [];
          const q = new DeadlineQueue<Item>(clock, (it) => fired.push([it.name, clock.now()]));
          ats.forEach((at, i) => q.schedule({ name: `i${i}`, qGen: 0 }, at));
          await clock.advance(6000);
          assert.equal(fired.length, ats.length);
          for (const [name, t] of fired) assert.equal(t, ats[Number(name.slice(1))]);
          const times = fired.map(([, t]) => t);
          assert.deepEqual(
            times,
            [...times].sort((a, b) => a - b),
          );
          assert.ok(clock.maxLive <= 1, `at most one clock timer (${clock.maxLive})`);
        },
      ),
      { numRuns: 50 },
    );
  });

  test('cancel and reschedule drop the old deadline', async () => {
    const clock = new VirtualClock();
    const fired: string[] = [];
    const q = new DeadlineQueue<Item>(clock, (it) => fired.push(`${it.name}@${clock.now()}`));
    const a = { name: 'a', qGen: 0 };
    const b = { name: 'b', qGen: 0 };
    const c = { name: 'c', qGen: 0 };
    q.schedule(a, 100);
    q.schedule(b, 200);
    q.schedule(c, 300);
    q.cancel(b);
    q.schedule(a, 250); // moved later: the 100 slot is stale
    q.schedule(c, 50); // moved earlier: the timer is re-armed
    await clock.advance(1000);
    assert.deepEqual(fired, ['c@50', 'a@250']);
  });

  test('an item rescheduled from its own callback fires at its new deadline', async () => {
    const clock = new VirtualClock();
    const fired: number[] = [];
    const q: DeadlineQueue<Item> = new DeadlineQueue<Item>(clock, (it) => {
      fired.push(clock.now());
      if (fired.length < 3) q.schedule(it, clock.now() + 1000);
    });
    q.schedule({ name: 'x', qGen: 0 }, 10);
    await clock.advance(5000);
    assert.deepEqual(fired, [10, 1010, 2010]);
    q.clear();
    assert.equal(q.size, 0);
  });
});
