// Names and cleanup for lab namespaces. Every namespace is called `sa-<pid>-…`, where <pid> is
// the test process that made it: a new run removes namespaces whose <pid> is no longer alive (left
// by a killed run), and process exit/SIGINT/SIGTERM hooks tear down the labs of this process
// synchronously. SIGKILL of the test process cannot be hooked; the next run cleans up after it.
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from './run.js';

export const PREFIX = 'sa-';
const STALE = /^sa-(\d+)-/;

/** What the exit hooks need to know about a live lab. */
export interface LabResources {
  namespaces(): string[];
  pids(): number[];
  dir: string;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function killPid(pid: number, sig: NodeJS.Signals = 'SIGKILL'): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** `ip netns list` prints "name" or "name (id: N)". */
export function parseNetnsList(text: string): string[] {
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0])
    .filter((n): n is string => Boolean(n));
}

export async function listNamespaces(): Promise<string[]> {
  return parseNetnsList((await run(['ip', 'netns', 'list'])).stdout);
}

/** Pids of processes inside `ns`; [] if the namespace is gone. */
export async function namespacePids(ns: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', ns], { check: false });
  return r.code === 0 ? parsePids(r.stdout) : [];
}

function parsePids(text: string): number[] {
  return text
    .split(/\s+/)
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

/**
 * Removes `sa-<pid>-…` namespaces (and /tmp/sa-lab-<pid>-… directories) whose pid is dead,
 * killing whatever still runs inside them. Returns the namespaces it removed.
 */
export async function removeStale(): Promise<string[]> {
  const removed: string[] = [];
  for (const ns of await listNamespaces()) {
    const m = STALE.exec(ns);
    if (!m || pidAlive(Number(m[1]))) continue;
    for (const pid of await namespacePids(ns)) killPid(pid);
    await run(['ip', 'netns', 'del', ns], { check: false });
    removed.push(ns);
  }
  for (const d of readdirSync(tmpdir())) {
    const m = /^sa-lab-(\d+)-/.exec(d);
    if (m && !pidAlive(Number(m[1]))) rmSync(join(tmpdir(), d), { recursive: true, force: true });
  }
  return removed;
}

// ---- exit hooks -------------------------------------------------------------------------------

const live = new Set<LabResources>();
let hooked = false;

export function registerLab(lab: LabResources): void {
  live.add(lab);
  if (!hooked) installHooks();
}

export function unregisterLab(lab: LabResources): void {
  live.delete(lab);
}

/** Synchronous, best-effort: the only kind of work an 'exit' listener can do. */
function teardownAllSync(): void {
  for (const lab of live) {
    for (const pid of lab.pids()) killPid(-pid);
    for (const ns of lab.namespaces()) {
      try {
        const out = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 2000 });
        for (const pid of parsePids(out)) killPid(pid);
      } catch {
        // namespace already gone
      }
      try {
        execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 2000 });
      } catch {
        // already gone
      }
    }
    if (!process.env.SA_LAB_KEEP) rmSync(lab.dir, { recursive: true, force: true });
  }
  live.clear();
}

function installHooks(): void {
  hooked = true;
  process.on('exit', teardownAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      teardownAllSync();
      // Our listener suppressed the default action; restore it unless someone else handles it.
      process.removeListener(sig, onSignal);
      if (process.listenerCount(sig) === 0) process.kill(process.pid, sig);
    };
    process.on(sig, onSignal);
  }
}
