#!/usr/bin/env node
// The whole test suite: lint, typecheck, then unit + simulation tests, then
// lab tests (root; real kernel in network namespaces). node:test prints its
// summary for each phase; the last line sums them up for CI.
//
// Usage: node scripts/test.js [lint|unit|sim|lab|all]...  (default: all)
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const want = new Set(process.argv.slice(2));
const all = want.size === 0 || want.has('all');
const phase = (name) => all || want.has(name);

function findTests(dir) {
  const out = [];
  let entries;
  try {
    entries = readdirSync(join(root, dir));
  } catch {
    return out;
  }
  for (const e of entries.sort()) {
    const p = join(dir, e);
    if (statSync(join(root, p)).isDirectory()) out.push(...findTests(p));
    else if (/\.test\.ts$/.test(e)) out.push(p);
  }
  return out;
}

let passed = 0;
let failed = 0;
let broken = false;

function run(label, cmd, args, opts = {}) {
  console.log(
    `\n=== ${label}: ${cmd} ${args.length > 12 ? args.slice(0, 8).join(' ') + ' …' : args.join(' ')}`,
  );
  const r = spawnSync(cmd, args, {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    ...opts,
  });
  process.stdout.write(r.stdout ?? '');
  const p = /^ℹ pass (\d+)/m.exec(r.stdout ?? '');
  const f = /^ℹ fail (\d+)/m.exec(r.stdout ?? '');
  if (p) passed += Number(p[1]);
  if (f) failed += Number(f[1]);
  if (r.status !== 0) {
    broken = true;
    console.log(`=== ${label} failed (exit ${r.status ?? r.signal})`);
  }
}

const bin = (name) => join(root, 'node_modules', '.bin', name);

if (phase('lint')) {
  run('typecheck', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  run('lint', bin('eslint'), ['.']);
  run('format', bin('prettier'), ['--check', '.']);
}

const nodeTest = ['--import', 'tsx', '--test', '--test-reporter=spec'];
const fast = [
  ...(phase('unit') ? findTests('test/unit') : []),
  ...(phase('sim') ? findTests('test/sim') : []),
];
if (fast.length) run('unit+sim', process.execPath, [...nodeTest, ...fast]);

if (phase('lab')) {
  const lab = findTests('test/lab');
  if (process.getuid && process.getuid() !== 0) {
    console.log('=== lab: lab tests need root (network namespaces); run as root');
    broken = true;
  } else if (lab.length) {
    // Lab tests start the compiled daemon (fast start-up): build dist/ from the current sources.
    run('build', bin('tsc'), ['-p', 'tsconfig.build.json']);
    // One file at a time: lab tests build namespaces and run daemons.
    run('lab', process.execPath, [...nodeTest, '--test-concurrency=1', ...lab], {
      timeout: 18 * 60 * 1000,
    });
  }
}

console.log(`\n${passed} passed, ${failed} failed`);
process.exit(broken || failed > 0 ? 1 : 0);
