// Child side of the checker lab tests (test/lab/check-*.test.ts): runs the checker runtime on
// a keepalived.conf inside a lab host (started with `ip netns exec`) and prints one JSON line
// per bus event ('rs:state', 'check:result', checker 'log' lines), each with `t` (ms since
// start). Stops cleanly on SIGTERM and exits by itself after SA_DRIVER_MAX_S seconds.
//
// Usage: node --import tsx test/lab/check-driver.ts CONFIG
import { subscribe } from '../../src/core/bus.js';
import '../../src/check/events.js';
import { CheckerRuntime } from '../../src/check/runtime.js';
import { loadConfig } from '../../src/config/load.js';
import { nodeConfigFs } from '../../src/os/config-fs.js';
import { readHostFacts } from '../../src/os/host.js';

const file = process.argv[2];
const t0 = performance.now();
const out = (ev: string, e: object): void => {
  process.stdout.write(`${JSON.stringify({ ev, t: Math.round(performance.now() - t0), ...e })}\n`);
};
subscribe('rs:state', (e) => out('rs:state', e));
subscribe('check:result', (e) => out('check:result', e));
subscribe('log', (e) => {
  if (e.subsystem === 'checkers') out('log', { message: e.message });
});

const host = readHostFacts();
const { config, diagnostics } = loadConfig(
  file,
  { fs: nodeConfigFs, configId: host.hostname },
  host,
);
for (const d of diagnostics) out('diag', { message: d.message });
const rt = new CheckerRuntime();
rt.start(config);
out('started', {});

const stop = async (): Promise<void> => {
  clearTimeout(limit);
  await rt.stop();
  out('stopped', { status: rt.status() });
};
const limit = setTimeout(() => void stop(), Number(process.env.SA_DRIVER_MAX_S ?? 120) * 1000);
process.once('SIGTERM', () => void stop());
