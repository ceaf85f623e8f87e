// Config-test parity: for every case in test/fixtures/configs/expected.json, run
// `keepalived -t` and `stayalive -t` on the same file inside one fresh network namespace
// (lo + a veth pair named eth0/eth1 with TEST-NET addresses, nothing else) and check that
// keepalived still gives the recorded exit code and that stayalive gives the same one.
//
// The fixtures are copied to a temp dir first: `@FIXTURES@` in any file becomes that dir,
// and modes are set explicitly (scripts 0755, `*.exec.conf` 0755, dirs named
// `world-writable` 0777) because keepalived's verdict depends on them and git keeps none.
// Needs root and keepalived 2.2.7; fails with the reason otherwise. PARITY_CASES=<regex> runs a subset;
// PARITY_TIMEOUT_MS overrides the 10 s bound per run (for very loaded machines).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stayaliveArgv } from './lib/stayalive.js';

interface ParityCase {
  name: string;
  file: string;
  configId?: string;
  keepalivedExit: number;
  note: string;
}

interface RunResult {
  /** Exit code, or `signal SIGSEGV` / `timeout` when the process did not exit normally. */
  verdict: number | string;
  output: string;
}

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = resolve(here, '..', '..');
const fixtures = join(repoRoot, 'test', 'fixtures', 'configs');

const RUN_TIMEOUT_MS = Number(process.env.PARITY_TIMEOUT_MS) || 10_000;
const PARALLEL = 4;
const NS_PREFIX = 'sa-parity-';
const ns = `${NS_PREFIX}${process.pid}`;

const allCases = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')) as ParityCase[];
const filter = process.env.PARITY_CASES ? new RegExp(process.env.PARITY_CASES) : undefined;
const cases = filter ? allCases.filter((c) => filter.test(c.name)) : allCases;

function which(cmd: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

// Lab tests fail (never skip) when they cannot run, with a one-line reason.
const missing =
  process.getuid?.() !== 0
    ? 'lab tests need root (network namespaces)'
    : !which('keepalived')
      ? 'keepalived is not installed (npm test installs it: scripts/setup-host.sh)'
      : undefined;

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Namespaces left by earlier runs that were killed before their `after` ran. */
function removeStaleNamespaces(): void {
  const list = execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  for (const line of list.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const m = /^sa-parity-(\d+)$/.exec(name);
    if (m && !pidAlive(Number(m[1]))) ip('netns', 'del', name);
  }
}

function createNamespace(): void {
  ip('netns', 'add', ns);
  ip('-n', ns, 'link', 'set', 'lo', 'up');
  ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', 'eth1');
  ip('-n', ns, 'addr', 'add', '192.0.2.1/24', 'dev', 'eth0');
  ip('-n', ns, 'addr', 'add', '198.51.100.1/24', 'dev', 'eth1');
  ip('-n', ns, '-6', 'addr', 'add', '2001:db8:1::1/64', 'dev', 'eth0', 'nodad');
  ip('-n', ns, 'link', 'set', 'eth0', 'up');
  ip('-n', ns, 'link', 'set', 'eth1', 'up');
}

/** Copy the fixtures, substitute @FIXTURES@ and pin every mode keepalived looks at. */
function prepareFixtures(dir: string): void {
  cpSync(fixtures, dir, { recursive: true });
  const walk = (d: string): void => {
    for (const entry of readdirSync(d)) {
      const p = join(d, entry);
      if (statSync(p).isDirectory()) {
        chmodSync(p, entry === 'world-writable' ? 0o777 : 0o755);
        walk(p);
        continue;
      }
      const text = readFileSync(p, 'utf8');
      if (text.includes('@FIXTURES@')) writeFileSync(p, text.replaceAll('@FIXTURES@', dir));
      chmodSync(p, entry.endsWith('.sh') || entry.endsWith('.exec.conf') ? 0o755 : 0o644);
    }
  };
  chmodSync(dir, 0o700);
  walk(dir);
}

function runInNs(argv: string[], cwd: string): Promise<RunResult> {
  return new Promise((done) => {
    const child = spawn('ip', ['netns', 'exec', ns, ...argv], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUN_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const started = Date.now();
    child.on('error', (err) => done({ verdict: `spawn error ${err.message}`, output }));
    child.on('close', (code, signal) => {
      if (code !== null) return done({ verdict: code, output });
      const timedOut = signal === 'SIGKILL' && Date.now() - started >= RUN_TIMEOUT_MS;
      done({ verdict: timedOut ? 'timeout' : `signal ${signal}`, output });
    });
  });
}

function testArgs(c: ParityCase, dir: string): string[] {
  return ['-t', '-f', join(dir, c.file), ...(c.configId ? ['-i', c.configId] : [])];
}

/** Runs `jobs` at most `limit` at a time; each promise settles when its own job does. */
function pooled<T>(jobs: (() => Promise<T>)[], limit: number): Promise<T>[] {
  const settle: ((v: T) => void)[] = [];
  const promises = jobs.map((_, i) => new Promise<T>((res) => (settle[i] = res)));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < jobs.length) {
      const i = next++;
      settle[i]!(await jobs[i]!());
    }
  };
  for (let w = 0; w < Math.min(limit, jobs.length); w++) void worker();
  return promises;
}

let workDir = '';
const results = new Map<string, Promise<{ keepalived: RunResult; stayalive: RunResult }>>();

before(() => {
  if (missing) throw new Error(missing);
  removeStaleNamespaces();
  createNamespace();
  workDir = mkdtempSync(join(tmpdir(), 'sa-parity-'));
  prepareFixtures(workDir);
  const jobs = cases.map((c) => async () => {
    const keepalived = await runInNs(['keepalived', ...testArgs(c, workDir)], workDir);
    const stayalive = await runInNs([...stayaliveArgv(), ...testArgs(c, workDir)], workDir);
    return { keepalived, stayalive };
  });
  const promises = pooled(jobs, PARALLEL);
  cases.forEach((c, i) => results.set(c.name, promises[i]!));
});

after(() => {
  if (missing) return;
  try {
    ip('netns', 'del', ns);
  } catch {
    // never created
  }
  if (workDir && existsSync(workDir)) rmSync(workDir, { recursive: true, force: true });
});

test('the corpus is well formed', { skip: filter ? 'PARITY_CASES is set' : false }, () => {
  const names = new Set(allCases.map((c) => c.name));
  assert.equal(names.size, allCases.length, 'case names are unique');
  assert.ok(allCases.length >= 45, `at least 45 cases (have ${allCases.length})`);
  for (const code of [0, 4, 5, 6]) {
    assert.ok(
      allCases.some((c) => c.keepalivedExit === code),
      `some case expects exit ${code}`,
    );
  }
  for (const c of allCases) {
    if (c.name === 'missing-main-file') continue;
    assert.ok(existsSync(join(fixtures, c.file)), `${c.name}: ${c.file} exists`);
  }
});

for (const c of cases) {
  const label = c.configId ? `${c.file} -i ${c.configId}` : c.file;
  test(c.name, { timeout: 120_000 }, async (t) => {
    const r = await results.get(c.name)!;
    await t.test(`keepalived -t ${label} exits ${c.keepalivedExit}`, () => {
      assert.equal(
        r.keepalived.verdict,
        c.keepalivedExit,
        `keepalived changed (${c.note}); its output:\n${r.keepalived.output}`,
      );
    });
    await t.test('stayalive -t gives the same exit code', () => {
      assert.equal(
        r.stayalive.verdict,
        r.keepalived.verdict,
        `keepalived said:\n${r.keepalived.output}\nstayalive said:\n${r.stayalive.output}`,
      );
    });
  });
}
