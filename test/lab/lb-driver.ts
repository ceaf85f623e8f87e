// Child side of the LB lab tests: runs the load-balancing subsystem inside the director's network
// namespace (started by `ip netns exec … node --import tsx lb-driver.ts`), reads one JSON command
// per line on stdin and answers one JSON line on stdout (log events are printed as {"log": …}).
//
// Commands: {"cmd":"start"|"reload","conf":PATH,"masquerade"?:bool}
//           {"cmd":"state","vs":ID,"rs":ID,"up":bool,"weight":N}   (publishes 'rs:state')
//           {"cmd":"status"} {"cmd":"stats"} (the counters sample) {"cmd":"stop"}
//           {"cmd":"nft","script":TEXT,"mode":"session"|"file"}  (one raw transaction)
// Each answer carries `script`: the nft transaction the command caused ('' = none).
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { DiagnosticSink } from '../../src/config/diagnostics.js';
import { treeFromText } from '../../src/config/lexer.js';
import type { Config } from '../../src/config/model.js';
import { parseConfig } from '../../src/config/parse.js';
import { publish, subscribe } from '../../src/core/bus.js';
import { NftDataplane, NftSession, nftApply } from '../../src/lb/nft.js';
import { createLbSubsystem, type LbSubsystem } from '../../src/lb/subsystem.js';

interface Command {
  cmd: string;
  conf?: string;
  masquerade?: boolean;
  vs?: string;
  rs?: string;
  up?: boolean;
  weight?: number;
  script?: string;
  mode?: string;
}

const session = new NftSession();

const say = (o: unknown): void => void process.stdout.write(JSON.stringify(o) + '\n');
subscribe('log', (e) => say({ log: e }));

function load(path: string): Config {
  const diag = new DiagnosticSink();
  const tree = treeFromText(readFileSync(path, 'utf8'), path, diag);
  return parseConfig(tree, path, { interfaces: null, hostname: 'director' }, diag).config;
}

let dp: NftDataplane | null = null;
let lb: LbSubsystem | null = null;

/** Resolves with the next 'lb:apply', or null after `ms`. */
function nextApply(ms: number): Promise<unknown> {
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      off();
      resolve(null);
    }, ms);
    const off = subscribe('lb:apply', (e) => {
      clearTimeout(t);
      off();
      resolve(e);
    });
  });
}

async function handle(c: Command): Promise<unknown> {
  if (c.cmd === 'start') {
    dp = new NftDataplane({ masquerade: c.masquerade });
    lb = createLbSubsystem({ dataplane: dp });
    await lb.start(load(c.conf!));
  } else if (c.cmd === 'reload') {
    dp!.lastScript = '';
    await lb!.reload(load(c.conf!), { changes: [] } as never);
  } else if (c.cmd === 'state') {
    dp!.lastScript = '';
    const applied = nextApply(1000);
    publish('rs:state', {
      vs: c.vs!,
      rs: c.rs!,
      up: !!c.up,
      weight: c.weight ?? 1,
      reason: 'lab',
      cause: 'change',
    });
    return { ok: true, apply: await applied, script: dp!.lastScript };
  } else if (c.cmd === 'stop') {
    dp!.lastScript = '';
    await lb!.stop('lab');
  } else if (c.cmd === 'nft') {
    await (c.mode === 'file' ? nftApply(c.script!) : session.run(c.script!));
  } else if (c.cmd === 'stats') {
    return { ok: true, script: '', status: await lb!.stats() };
  } else if (c.cmd !== 'status') throw new Error(`unknown command ${c.cmd}`);
  return { ok: true, script: dp?.lastScript ?? '', status: lb?.status() };
}

const rl = createInterface({ input: process.stdin });
rl.on('close', () => session.close());
rl.on('line', (line) => {
  handle(JSON.parse(line) as Command).then(say, (e: unknown) =>
    say({ ok: false, error: e instanceof Error ? e.message : String(e) }),
  );
});
