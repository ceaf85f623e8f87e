// InstanceTimer: a precise deadline never fires early (the machine would ignore it and the
// takeover would wait another round), a re-armed or cancelled one never fires at all.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InstanceTimer } from '../../../src/vrrp/instance-timer.js';

const nowUs = (): number => performance.now() * 1000;

function fired(): { at: number[]; timer: InstanceTimer } {
  const at: number[] = [];
  return { at, timer: new InstanceTimer(nowUs, () => at.push(nowUs())) };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

for (const precise of [true, false]) {
  test(`a ${precise ? 'precise' : 'plain'} deadline fires once, not before it is due`, async () => {
    const { at, timer } = fired();
    const deadline = nowUs() + 25_300;
    timer.arm(deadline, precise);
    await sleep(60);
    assert.equal(at.length, 1);
    assert.ok(at[0] >= deadline, `fired ${(deadline - at[0]).toFixed(0)} µs early`);
  });
}

test('re-arming supersedes the pending deadline', async () => {
  const { at, timer } = fired();
  const first = nowUs() + 3_000;
  timer.arm(first, true);
  const second = nowUs() + 20_000;
  timer.arm(second, true);
  await sleep(50);
  assert.equal(at.length, 1);
  assert.ok(at[0] >= second);
});

test('input drained at the deadline re-arms instead of losing to it', async () => {
  const events: string[] = [];
  let second = 0;
  const timer: InstanceTimer = new InstanceTimer(
    nowUs,
    () => events.push('fire'),
    undefined,
    () => {
      events.push('drain');
      // What an advert queued in the last milliseconds does: it re-arms the down timer.
      if (second === 0) timer.arm((second = nowUs() + 15_000), true);
    },
  );
  const first = nowUs() + 12_000;
  timer.arm(first, true);
  await sleep(45);
  assert.deepEqual(events, ['drain', 'drain', 'fire'], 'the first deadline never fired');
  assert.ok(second > first);
});

test('arm(null) cancels', async () => {
  const { at, timer } = fired();
  timer.arm(nowUs() + 5_000, true);
  timer.arm(null, true);
  await sleep(20);
  assert.deepEqual(at, []);
});

test('near: told once, with the deadline, before a precise deadline fires; never for a plain one', async () => {
  for (const precise of [true, false]) {
    const events: string[] = [];
    let told = -1;
    const timer = new InstanceTimer(
      nowUs,
      () => events.push('fire'),
      (deadline) => {
        told = deadline;
        events.push('near');
      },
    );
    const deadline = nowUs() + 15_000;
    timer.arm(deadline, precise);
    await sleep(40);
    assert.deepEqual(events, precise ? ['near', 'fire'] : ['fire']);
    if (precise) assert.equal(told, deadline);
  }
});
