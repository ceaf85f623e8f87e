#!/usr/bin/env node
/**
 * stayalive: the daemon's entry point. keepalived's command line; runs in the
 * foreground with -n, otherwise detaches once the daemon reports it is ready.
 */
import './v8-flags.js';
import { spawn } from 'node:child_process';
import { publish } from '../core/bus.js';
import { Daemon } from '../core/daemon.js';
import { parseFacility } from '../core/log-format.js';
import { startLogger } from '../core/logger.js';
import { VERSION } from '../core/version.js';
import { openSyslog } from '../os/syslog.js';
import { systemdNotifier } from '../os/sd-notify.js';
import { runConfigTest, runDumpConfig } from './config-test.js';
import { parseDaemonArgs, SIGNUMS, USAGE, type DaemonOptions } from './options.js';
import { createBfdSubsystem } from '../bfd/subsystem.js';
import { createCheckerSubsystem } from '../check/subsystem.js';
import type { Subsystem } from '../core/subsystem.js';
import { createGatewaySubsystem } from '../gateway/index.js';
import { createLbSubsystem } from '../lb/subsystem.js';
import { createVrrpSubsystem } from '../vrrp/subsystem.js';

const DETACHED_ENV = 'STAYALIVE_DETACHED_CHILD';

function fail(message: string, code = 1): never {
  process.stderr.write(`${message}\n`);
  process.exit(code);
}

/** Without -n: start a detached copy with -n and wait until it says it is ready. */
function detach(): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1), '-n'], {
      detached: true,
      // Like keepalived, the detached daemon has no terminal: its words go to the log.
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
      env: { ...process.env, [DETACHED_ENV]: '1' },
    });
    let settled = false;
    child.once('message', () => {
      settled = true;
      child.disconnect();
      child.unref();
      resolve(0);
    });
    child.once('exit', (code) => {
      if (settled) return;
      process.stderr.write(
        `stayalive: the daemon exited during start-up (code ${code}); see its log\n`,
      );
      resolve(code || 1);
    });
  });
}

/**
 * keepalived's -P / -C choose its children; here they choose subsystems. Order matters: the
 * data plane must listen before the checkers publish their first verdicts.
 */
function subsystemsFor(o: DaemonOptions): Subsystem[] {
  const list: Subsystem[] = [];
  const bfd = o.bfd ? createBfdSubsystem() : null;
  if (bfd) list.push(bfd);
  // Static addresses, routes and rules and gateway tracking: keepalived's VRRP process owns statics.
  if (o.vrrp) list.push(createGatewaySubsystem({ bfd: () => bfd?.registry() ?? null }));
  if (o.vrrp) list.push(createVrrpSubsystem());
  if (o.check) {
    const lb = createLbSubsystem({ dontRelease: o.dontReleaseIpvs });
    list.push(Object.assign(lb, { commands: () => ({ 'lb-stats': () => lb.stats() }) }));
    list.push(createCheckerSubsystem());
  }
  return list;
}

async function runDaemon(o: DaemonOptions): Promise<void> {
  if (o.umask) process.umask(parseInt(o.umask, o.umask.startsWith('0') ? 8 : 10));
  const facility = parseFacility(o.logFacility);
  if (facility === undefined) fail(`Invalid log facility '${o.logFacility}'`);
  startLogger({
    console: o.logConsole,
    format: o.logFormat,
    syslog: o.noSyslog ? null : openSyslog(),
    facility,
    ident: 'Stayalive',
    detail: o.logDetail,
  });
  for (const flag of o.ignored) {
    publish('log', {
      level: 'notice',
      subsystem: 'daemon',
      message: `Option ${flag} is accepted for keepalived compatibility and has no effect`,
    });
  }
  if (o.namespace) fail('--namespace is not supported yet; run stayalive under `ip netns exec`');
  const notifier = systemdNotifier();
  const daemon = new Daemon(o, {
    notify: (s) => notifier.notify(s),
    subsystems: subsystemsFor(o),
  });
  try {
    await daemon.start();
  } catch (e) {
    publish('log', { level: 'error', subsystem: 'daemon', message: (e as Error).message });
    notifier.notify('ERRNO=1');
    process.exitCode = 1;
    return;
  }
  if (process.env[DETACHED_ENV] && process.send) process.send({ ready: true });
  // Exit as soon as the teardown is done. Leaving it to the event loop to drain costs ~20 ms
  // more of CPU (Node's environment and heap teardown) at the moment the peer that got the
  // priority-0 advert takes over: on a shared host, that is its CPU. Logs are written
  // synchronously (files, pipes and TTYs on Linux; syslog datagrams), so nothing is lost.
  void daemon.stopped.then(() => process.exit());
}

async function main(): Promise<void> {
  const parsed = parseDaemonArgs(process.argv.slice(2));
  if (!parsed.ok) fail(`${parsed.error}\nTry 'stayalive --help' for more information.`);
  const o = parsed.options;
  if (o.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (o.version) {
    process.stdout.write(`stayalive v${VERSION} (keepalived 2.2 configuration compatible)\n`);
    return;
  }
  if (o.signum) {
    const s = SIGNUMS[o.signum.toUpperCase()];
    if (!s) fail(`Unknown sigfunc ${o.signum}`);
    process.stdout.write(`${s.number}\n`);
    return;
  }
  if (o.configTest) {
    process.exitCode = runConfigTest(o);
    return;
  }
  if (o.dumpConfig) {
    process.exitCode = runDumpConfig(o);
    return;
  }
  if (!o.dontFork && !process.env[DETACHED_ENV]) {
    process.exitCode = await detach();
    return;
  }
  await runDaemon(o);
}

void main();
