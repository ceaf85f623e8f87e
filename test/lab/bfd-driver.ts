// Child side of the BFD lab tests (test/lab/bfd-*.test.ts): runs stayalive's BFD session
// registry inside a lab host (started with `ip netns exec`) and prints one JSON line per
// event: 'state' (bfd:state), 'log' (the bfd log lines) and, on SIGUSR2 or at the end,
// 'status'. `t` is wall-clock epoch milliseconds (sub-millisecond) so the parent can time
// detection against its own kill/cut. Stops on SIGTERM (sending AdminDown) and exits by itself
// after SA_DRIVER_MAX_S seconds.
//
// Usage: node --import tsx test/lab/bfd-driver.ts TX_MS RX_MS MULT NEIGHBOUR...
import { subscribe } from '../../src/core/bus.js';
import '../../src/bfd/events.js';
import { BfdSessions } from '../../src/bfd/sessions.js';

const [txMs, rxMs, mult, ...neighbours] = process.argv.slice(2);
const wall = (): number => Math.round((performance.timeOrigin + performance.now()) * 1000) / 1000;
const out = (ev: string, e: object): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: wall(), ...e })}\n`);
};
subscribe('bfd:state', (e) => out('state', e));
subscribe('log', (e) => {
  if (e.subsystem === 'bfd') out('log', { level: e.level, message: e.message });
});

const reg = new BfdSessions();
const offs = neighbours.map((n) =>
  reg.watch(
    n,
    {
      name: n,
      desiredMinTx: Number(txMs) * 1000,
      requiredMinRx: Number(rxMs) * 1000,
      detectMult: Number(mult),
    },
    () => undefined,
  ),
);
out('started', { neighbours });

const stop = (): void => {
  clearTimeout(limit);
  out('status', { sessions: reg.status(), unmatched: reg.unmatched });
  for (const off of offs) off();
  reg.close();
  out('stopped', {});
};
const limit = setTimeout(stop, Number(process.env.SA_DRIVER_MAX_S ?? 60) * 1000);
process.once('SIGTERM', stop);
process.on('SIGUSR2', () => out('status', { sessions: reg.status(), unmatched: reg.unmatched }));
