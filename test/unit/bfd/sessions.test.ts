// The session registry (shell around the reducer) in virtual time: two registries joined by
// an in-memory link come Up, share one session between watchers, drop packets below TTL 255,
// detect a cut, and tell the peer AdminDown when the last watcher leaves.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { subscribe } from '../../../src/core/bus.js';
import '../../../src/bfd/events.js';
import { decodeBfd } from '../../../src/bfd/packet.js';
import type { BfdDatagram, BfdTransport } from '../../../src/bfd/runtime.js';
import { BfdSessions, type BfdWatchEvent } from '../../../src/bfd/sessions.js';

/** A virtual clock with timers; run(until) fires them in order. */
class VirtualTime {
  now = 0;
  private q: { at: number; fn: () => void; live: boolean }[] = [];
  setTimer = (fn: () => void, delayMs: number): { cancel(): void } => {
    const t = { at: this.now + delayMs * 1000, fn, live: true };
    this.q.push(t);
    return { cancel: () => void (t.live = false) };
  };
  run(until: number): void {
    for (;;) {
      this.q = this.q.filter((t) => t.live);
      this.q.sort((a, b) => a.at - b.at);
      const t = this.q[0];
      if (!t || t.at > until) break;
      this.q.shift();
      this.now = t.at;
      t.fn();
    }
    this.now = until;
  }
}

/** Two hosts: A 192.0.2.1, B 192.0.2.2. `ttl` and `cut` are mutable by the test. */
function link(vt: VirtualTime) {
  const rx: Record<string, (d: BfdDatagram) => void> = {};
  const ctl = { ttl: 255, cut: false, sent: [] as { from: string; bytes: Uint8Array }[] };
  const transport = (me: string): BfdTransport => ({
    listen: (_f, on) => void (rx[me] = on),
    openSender: (neighbour) =>
      Promise.resolve({
        port: 49152,
        send: (bytes: Uint8Array) => {
          ctl.sent.push({ from: me, bytes });
          if (ctl.cut) return;
          const deliver = rx[neighbour];
          vt.setTimer(() => {
            deliver?.({
              family: 4,
              source: me,
              sourcePort: 49152,
              ttl: ctl.ttl,
              ifindex: 2,
              payload: bytes,
            });
          }, 0);
        },
        close: () => undefined,
      }),
    close: () => undefined,
  });
  return { ctl, transport };
}

const params = { desiredMinTx: 50_000, requiredMinRx: 50_000, detectMult: 3 };

test('registry: Up, shared session, GTSM, detection, AdminDown on last unwatch', async () => {
  const vt = new VirtualTime();
  const { ctl, transport } = link(vt);
  const now = (): number => vt.now;
  const a = new BfdSessions({ transport: transport('192.0.2.1'), now, setTimer: vt.setTimer });
  const b = new BfdSessions({ transport: transport('192.0.2.2'), now, setTimer: vt.setTimer });
  const seen: BfdWatchEvent[] = [];
  const logs: string[] = [];
  const offLog = subscribe('log', (e) => void (e.subsystem === 'bfd' && logs.push(e.message)));
  const states: string[] = [];
  const offState = subscribe('bfd:state', (e) => void states.push(`${e.name}:${e.to}`));
  try {
    const offA1 = a.watch('192.0.2.2', { ...params, name: 'B4' }, (e) => seen.push(e));
    const offA2 = a.watch('192.0.2.2', { name: 'other' }, () => undefined);
    const offB = b.watch('192.0.2.1', params, () => undefined);
    assert.equal(a.status().length, 1, 'one session per neighbour');
    assert.equal(a.status()[0].watchers, 2);
    assert.deepEqual(
      seen.map((e) => e.state),
      ['Down'],
    );
    await Promise.resolve(); // senders open
    vt.run(2_000_000);
    assert.equal(a.status()[0].state, 'Up');
    assert.equal(b.status()[0].state, 'Up');
    assert.ok(logs.includes('(B4) Entering Up state'), logs.join('\n'));
    assert.ok(states.includes('B4:Up'));
    const st = a.status()[0];
    assert.equal(st.txInterval, 50_000);
    assert.equal(st.detectionTime, 150_000);
    assert.equal(st.remoteDiscriminator, b.status()[0].localDiscriminator);
    assert.ok(st.counters.sent > 5 && st.counters.received > 5);

    // Hop limit 64 (keepalived's IPv6 default) is dropped: the session times out.
    ctl.ttl = 64;
    const t0 = vt.now;
    vt.run(t0 + 400_000);
    assert.equal(a.status()[0].state, 'Down');
    assert.ok(a.status()[0].counters.dropped > 0);
    const down = seen.find((e) => e.state === 'Down' && e.diag === 1);
    assert.ok(down, JSON.stringify(seen));
    ctl.ttl = 255;
    vt.run(vt.now + 3_000_000);
    assert.equal(a.status()[0].state, 'Up');

    // A cut: detected after 150 ms of silence (plus the last TX gap before the cut).
    ctl.cut = true;
    const cutAt = vt.now;
    let downAt = 0;
    for (let t = cutAt; t < cutAt + 400_000 && !downAt; t += 1000) {
      vt.run(t);
      if (a.status()[0].state === 'Down') downAt = t;
    }
    assert.ok(downAt - cutAt <= 151_000 && downAt - cutAt >= 100_000, `${downAt - cutAt}`);
    ctl.cut = false;
    vt.run(vt.now + 3_000_000);
    assert.equal(a.status()[0].state, 'Up');

    offA1();
    assert.equal(a.status().length, 1, 'still watched by the second watcher');
    const before = ctl.sent.length;
    offA2();
    assert.equal(a.status().length, 0);
    const last = ctl.sent.slice(before).find((s) => s.from === '192.0.2.1');
    assert.ok(last);
    const p = decodeBfd(last.bytes);
    assert.ok(p.ok && p.packet.state === 'AdminDown' && p.packet.diag === 7);
    vt.run(vt.now + 100_000);
    assert.equal(b.status()[0].state, 'Down');
    offB();
    a.close();
    b.close();
  } finally {
    offLog();
    offState();
  }
});

test('registry: packets from an unknown source count as unmatched drops', async () => {
  const vt = new VirtualTime();
  let deliver: ((d: BfdDatagram) => void) | undefined;
  const reg = new BfdSessions({
    now: () => vt.now,
    setTimer: vt.setTimer,
    transport: {
      listen: (_f, on) => void (deliver = on),
      openSender: () =>
        Promise.resolve({ port: 50000, send: () => undefined, close: () => undefined }),
      close: () => undefined,
    },
  });
  const off = reg.watch('2001:db8::2', {}, () => undefined);
  await Promise.resolve();
  const down = Uint8Array.from(
    Buffer.from('20400318e53c124b00000000000f4240000186a000000000', 'hex'),
  );
  deliver?.({
    family: 6,
    source: '2001:db8::9',
    sourcePort: 1,
    ttl: 255,
    ifindex: 1,
    payload: down,
  });
  deliver?.({
    family: 6,
    source: '2001:db8::9',
    sourcePort: 1,
    ttl: 255,
    ifindex: 1,
    payload: down.subarray(0, 10),
  });
  assert.deepEqual(reg.unmatched, { 'no-session': 1, 'too-short': 1 });
  // The configured neighbour spelled differently still matches.
  deliver?.({
    family: 6,
    source: '2001:0db8:0::2',
    sourcePort: 1,
    ttl: 255,
    ifindex: 1,
    payload: down,
  });
  assert.equal(reg.status()[0].state, 'Init');
  off();
  reg.close();
});

test('registry: a bfd_instance names a session gateway tracking opened first; anySource joins', async () => {
  const vt = new VirtualTime();
  const { ctl, transport } = link(vt);
  const now = (): number => vt.now;
  const a = new BfdSessions({ transport: transport('192.0.2.1'), now, setTimer: vt.setTimer });
  try {
    const names: string[] = [];
    const offGw = a.watch('192.0.2.2', { name: 'gateway_track G', anySource: true }, (e) =>
      names.push(e.name),
    );
    assert.equal(a.status()[0].name, 'gateway_track G');
    const offInst = a.watch('192.0.2.2', { ...params, name: 'B4', owner: true }, () => undefined);
    await Promise.resolve();
    const st = a.status();
    assert.equal(st.length, 1, 'one session');
    assert.equal(st[0].name, 'B4', 'the instance names it');
    assert.equal(st[0].watchers, 2);
    assert.equal(st[0].desiredMinTx, 1_000_000, 'idle TX until Up');
    vt.run(3_000_000);
    const last = decodeBfd(ctl.sent[ctl.sent.length - 1].bytes);
    assert.ok(last.ok);
    assert.equal(last.packet.detectMult, 3, "the instance's multiplier, not the default 5");
    assert.deepEqual(names, ['gateway_track G'], 'the gateway heard the state once (Down)');
    offInst();
    offGw();
    assert.equal(a.status().length, 0);

    // The other order, with a source address on the instance: the gateway joins it.
    const offI = a.watch(
      '192.0.2.2',
      { ...params, name: 'B5', owner: true, source: '192.0.2.1' },
      () => undefined,
    );
    const offG = a.watch(
      '192.0.2.2',
      { name: 'gateway_track G', anySource: true },
      () => undefined,
    );
    assert.equal(a.status().length, 1, 'anySource joined the sourced session');
    assert.equal(a.status()[0].name, 'B5');
    const offPlain = a.watch('192.0.2.2', { name: 'other' }, () => undefined);
    assert.equal(a.status().length, 2, 'without anySource the source is part of the key');
    offPlain();
    offG();
    offI();
  } finally {
    a.close();
  }
});
