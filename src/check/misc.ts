/**
 * MISC_CHECK: runs misc_path through os/run-script.ts (argv, own process group, as its user,
 * killed on misc_timeout) and turns the exit code into a verdict through machine.ts's
 * miscVerdict (misc_dynamic weights).
 */
import { runScript, type RunOptions } from '../os/run-script.js';
import { miscVerdict } from './machine.js';
import { result, secs, type ProbeResult } from './probe-util.js';

export async function probeMisc(
  argv: readonly string[],
  opts: RunOptions & { dynamic: boolean },
  signal: AbortSignal,
): Promise<ProbeResult> {
  const started = performance.now();
  const r = await runScript(argv, opts, signal);
  if (r.error) return result(false, `cannot run ${argv[0]}: ${r.error}`, started);
  if (r.timedOut) return result(false, `timeout after ${secs(opts.timeoutS)} (killed)`, started);
  if (r.code === null) return result(false, `killed by ${r.signal ?? 'a signal'}`, started);
  const v = miscVerdict(r.code, opts.dynamic);
  return {
    ...result(v.ok, `exit code ${r.code}`, started),
    ...(v.weight ? { weight: v.weight } : {}),
  };
}
