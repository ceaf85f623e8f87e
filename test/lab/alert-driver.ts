// Child side of test/lab/alert-smtp.test.ts: runs the real smtp_alert subscriber on a
// keepalived.conf inside a lab host (started with `ip netns exec`), publishes one VRRP
// transition and one real server going DOWN on the bus, waits until the mails have been tried,
// and prints the subscriber's 'log' lines as JSON, then {"ev":"done"}. Exits by itself.
//
// Usage: node --import tsx test/lab/alert-driver.ts CONFIG
import { startSmtpAlerts } from '../../src/alert/index.js';
import { publish, subscribe } from '../../src/core/bus.js';
import '../../src/check/events.js';
import { loadConfig } from '../../src/config/load.js';
import { nodeConfigFs } from '../../src/os/config-fs.js';
import { readHostFacts } from '../../src/os/host.js';

const out = (ev: string, e: object): void => {
  process.stdout.write(`${JSON.stringify({ ev, ...e })}\n`);
};
const limit = setTimeout(() => {
  out('timeout', {});
  process.exit(2);
}, 30_000);

const host = readHostFacts();
const { config, diagnostics } = loadConfig(
  process.argv[2] ?? 'keepalived.conf',
  { fs: nodeConfigFs, configId: host.hostname },
  host,
);
for (const d of diagnostics) out('diag', { message: d.message });
subscribe('log', (e) => {
  if (e.subsystem === 'smtp') out('log', { level: e.level, message: e.message });
});

const alerts = startSmtpAlerts(() => config);
const vs = '[203.0.113.100]:tcp:80';
const rs = '[192.0.2.11]:tcp:80';
publish('rs:state', { vs, rs, up: true, weight: 1, reason: 'start', cause: 'start' });
publish('vrrp:notify', { kind: 'INSTANCE', name: 'VI_1', state: 'MASTER', priority: 100 });
publish('check:result', {
  vs,
  rs,
  checker: 'TCP_CHECK#0',
  ok: false,
  reason: 'connection refused',
  latencyMs: 1,
  up: false,
  retrying: false,
});
publish('rs:state', {
  vs,
  rs,
  up: false,
  weight: 0,
  reason: 'connection refused',
  cause: 'change',
});
await new Promise((r) => setImmediate(r));
await alerts.idle();
alerts();
clearTimeout(limit);
out('done', {});
