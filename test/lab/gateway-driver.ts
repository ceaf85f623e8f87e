// Child side of the gateway lab tests: runs the gateway subsystem (src/gateway) inside a lab
// host's namespace (`ip netns exec … node --import tsx gateway-driver.ts CONF`) and prints
// one JSON line per bus event ({ t: epoch ms, ev, … }) for the parent to read.
// SIGTERM stops the subsystem (routes and static objects removed) and exits 0; SIGKILL leaves
// the kernel as it is (a crash), which is how the re-adoption test "restarts" it.
//
// The config is read with the gateway, BFD and VRRP top-level keywords directly (no LB or checker
// code is loaded); interfaces are not checked (the lab creates them). A BFD subsystem runs too,
// for bfd_instance blocks and gateway_track `method bfd`.
import { readFileSync } from 'node:fs';
import { DiagnosticSink, formatDiagnostic } from '../../src/config/diagnostics.js';
import { bfdTopLevel, finalizeBfd } from '../../src/config/bfd/index.js';
import { finalizeGateway, gatewayTopLevel } from '../../src/config/gateway/index.js';
import { treeFromText } from '../../src/config/lexer.js';
import { emptyConfig } from '../../src/config/parse.js';
import { walkBlock } from '../../src/config/schema.js';
import { vrrpTopLevel } from '../../src/config/vrrp/index.js';
import { subscribeAll } from '../../src/core/bus.js';
import { createBfdSubsystem } from '../../src/bfd/subsystem.js';
import { createGatewaySubsystem } from '../../src/gateway/index.js';

const file = process.argv[2];
if (!file) throw new Error('usage: gateway-driver.ts CONF');
const host = { interfaces: null, hostname: 'lab' };
const diag = new DiagnosticSink();
const config = emptyConfig(file, host);
const ctx = { diag, config, host };
walkBlock(
  treeFromText(readFileSync(file, 'utf8'), file, diag),
  { name: 'top level', keywords: { ...vrrpTopLevel, ...bfdTopLevel, ...gatewayTopLevel } },
  config,
  ctx,
);
finalizeBfd(config, ctx);
finalizeGateway(config, ctx);
const now = (): number => performance.timeOrigin + performance.now();
const out = (o: object): void =>
  void process.stdout.write(JSON.stringify({ t: now(), ...o }) + '\n');
for (const d of diag.items) out({ ev: 'diagnostic', message: formatDiagnostic(d) });

subscribeAll(['log', 'gateway:state', 'gateway:route', 'gateway:static', 'bfd:state'], (ev, e) =>
  out({ ev, ...e }),
);

// The BFD subsystem (bfd_instance blocks, and the registry `method bfd` watches through) runs
// first, as in the daemon.
const bfd = createBfdSubsystem();
await bfd.start(config);
const sub = createGatewaySubsystem({ bfd: () => bfd.registry() });
await sub.start(config);
out({ ev: 'started', status: sub.status() });
const keepAlive = setInterval(() => undefined, 1 << 30);
process.once('SIGTERM', () => {
  void sub
    .stop('SIGTERM')
    .then(() => bfd.stop('SIGTERM'))
    .then(() => {
      out({ ev: 'stopped' });
      clearInterval(keepAlive);
    });
});
