/**
 * global_defs `startup_script` / `shutdown_script`: run once, as its user, to its end or to its
 * timeout (`startup_script_timeout` / `shutdown_script_timeout`, 10 s), before anything starts
 * and after everything has stopped — keepalived's parent process does the same. A failure is
 * logged and does not stop the daemon. The config pass (config/global/start-stop-scripts.ts)
 * has dropped scripts that may not run.
 */
import type { Config } from '../config/model.js';
import { ownUser } from '../config/script-user.js';
import { runScript } from '../os/run-script.js';
import { ScriptUsers } from '../os/script-users.js';
import { publish } from './bus.js';

export async function runStartStopScript(
  config: Config,
  which: 'startup' | 'shutdown',
  signal?: AbortSignal,
): Promise<void> {
  const g = config.global;
  const s = which === 'startup' ? g.startupScript : g.shutdownScript;
  if (!s?.argv.length) return;
  const timeoutS = which === 'startup' ? g.startupScriptTimeout : g.shutdownScriptTimeout;
  const as = ScriptUsers.of(g).userFor(ownUser(s));
  const log = (level: 'info' | 'warning', message: string): void =>
    publish('log', { level, subsystem: 'daemon', message });
  log('info', `Running ${which} script ${s.argv[0]}`);
  const o = await runScript(
    s.argv,
    { timeoutS, user: as?.user ?? null, group: as?.group ?? null },
    signal,
  );
  if (signal?.aborted) return log('warning', `${which} script ${s.argv[0]} ended by the stop`);
  if (o.error) log('warning', `${which} script ${s.argv[0]} could not run: ${o.error}`);
  else if (o.timedOut) log('warning', `${which} script ${s.argv[0]} timed out after ${timeoutS} s`);
  else if (o.code !== 0)
    log(
      'warning',
      `${which} script ${s.argv[0]} failed: ${o.code === null ? `killed by ${o.signal ?? 'a signal'}` : `exit code ${o.code}`}`,
    );
}
