/**
 * The daemon's command line: keepalived's flags (same letters, same long
 * names, same optional-argument rules) plus a few of stayalive's own. Pure.
 */
import { getopt, type OptionSpec } from './getopt.js';

export interface DaemonOptions {
  configFile: string;
  /** -P / -C / -B / --all: which subsystems run (stayalive runs them in one process). */
  vrrp: boolean;
  check: boolean;
  bfd: boolean;
  logConsole: boolean;
  logDetail: boolean;
  logFacility: string;
  noSyslog: boolean;
  logFormat: 'text' | 'json';
  umask?: string;
  releaseVips: boolean;
  dontReleaseVrrp: boolean;
  dontReleaseIpvs: boolean;
  dontRespawn: boolean;
  dontFork: boolean;
  dumpConf: boolean;
  pidFile: string;
  vrrpPidFile?: string;
  checkersPidFile?: string;
  bfdPidFile?: string;
  addressMonitoring: boolean;
  namespace?: string;
  allConfig: boolean;
  configId?: string;
  /** -t: run the config test; a string is keepalived's optional log file. */
  configTest?: string | true;
  signum?: string;
  /** stayalive: print the normalised model as JSON and exit. */
  dumpConfig: boolean;
  /** stayalive: the control socket path (stayalivectl talks to it). */
  controlSocket: string;
  version: boolean;
  help: boolean;
  /** Flags keepalived has that stayalive accepts and ignores (named in the log). */
  ignored: string[];
}

export const DEFAULT_CONFIG = '/etc/keepalived/keepalived.conf';
export const DEFAULT_PID = '/run/stayalive.pid';
export const DEFAULT_CONTROL = '/run/stayalive/control.sock';

const SPECS: OptionSpec[] = [
  { name: 'use-file', short: 'f', long: 'use-file', arg: 'required' },
  { name: 'vrrp', short: 'P', long: 'vrrp', arg: 'none' },
  { name: 'check', short: 'C', long: 'check', arg: 'none' },
  { name: 'no-bfd', short: 'B', long: 'no_bfd', arg: 'none' },
  { name: 'all', long: 'all', arg: 'none' },
  { name: 'log-console', short: 'l', long: 'log-console', arg: 'none' },
  { name: 'log-detail', short: 'D', long: 'log-detail', arg: 'none' },
  { name: 'log-facility', short: 'S', long: 'log-facility', arg: 'required' },
  { name: 'log-file', short: 'g', long: 'log-file', arg: 'optional' },
  { name: 'all-config', short: 'e', long: 'all-config', arg: 'none' },
  { name: 'no-syslog', short: 'G', long: 'no-syslog', arg: 'none' },
  { name: 'umask', short: 'u', long: 'umask', arg: 'required' },
  { name: 'release-vips', short: 'X', long: 'release-vips', arg: 'none' },
  { name: 'dont-release-vrrp', short: 'V', long: 'dont-release-vrrp', arg: 'none' },
  { name: 'dont-release-ipvs', short: 'I', long: 'dont-release-ipvs', arg: 'none' },
  { name: 'dont-respawn', short: 'R', long: 'dont-respawn', arg: 'none' },
  { name: 'dont-fork', short: 'n', long: 'dont-fork', arg: 'none' },
  { name: 'dump-conf', short: 'd', long: 'dump-conf', arg: 'none' },
  { name: 'pid', short: 'p', long: 'pid', arg: 'required' },
  { name: 'vrrp_pid', short: 'r', long: 'vrrp_pid', arg: 'required' },
  { name: 'genhash', short: 'T', long: 'genhash', arg: 'none' },
  { name: 'checkers_pid', short: 'c', long: 'checkers_pid', arg: 'required' },
  { name: 'address-monitoring', short: 'a', long: 'address-monitoring', arg: 'none' },
  { name: 'bfd_pid', short: 'b', long: 'bfd_pid', arg: 'required' },
  { name: 'snmp', short: 'x', long: 'snmp', arg: 'none' },
  { name: 'snmp-agent-socket', short: 'A', long: 'snmp-agent-socket', arg: 'required' },
  { name: 'core-dump', short: 'm', long: 'core-dump', arg: 'none' },
  { name: 'core-dump-pattern', short: 'M', long: 'core-dump-pattern', arg: 'optional' },
  { name: 'namespace', short: 's', long: 'namespace', arg: 'required' },
  { name: 'config-id', short: 'i', long: 'config-id', arg: 'required' },
  { name: 'signum', long: 'signum', arg: 'required' },
  { name: 'config-test', short: 't', long: 'config-test', arg: 'optional' },
  { name: 'config-fd', long: 'config-fd', arg: 'required' },
  { name: 'perf', long: 'perf', arg: 'optional' },
  { name: 'debug', long: 'debug', arg: 'optional' },
  { name: 'version', short: 'v', long: 'version', arg: 'none' },
  { name: 'help', short: 'h', long: 'help', arg: 'none' },
  // stayalive's own
  { name: 'dump-config', long: 'dump-config', arg: 'none' },
  { name: 'log-format', long: 'log-format', arg: 'required' },
  { name: 'control-socket', long: 'control-socket', arg: 'required' },
];

/** Accepted for compatibility; stayalive has no use for them (see docs/cli.md). */
const IGNORED = new Set([
  'log-file',
  'snmp',
  'snmp-agent-socket',
  'core-dump',
  'core-dump-pattern',
  'perf',
  'debug',
  'config-fd',
  'address-monitoring',
]);

export type ParseResult = { ok: true; options: DaemonOptions } | { ok: false; error: string };

export function parseDaemonArgs(argv: readonly string[]): ParseResult {
  const r = getopt(argv, SPECS);
  if (!r.ok) return r;
  if (r.operands.length) return { ok: false, error: `Unexpected argument '${r.operands[0]}'` };
  const o: DaemonOptions = {
    configFile: DEFAULT_CONFIG,
    vrrp: false,
    check: false,
    bfd: true,
    logConsole: false,
    logDetail: false,
    logFacility: 'daemon',
    noSyslog: false,
    logFormat: 'text',
    releaseVips: false,
    dontReleaseVrrp: false,
    dontReleaseIpvs: false,
    dontRespawn: false,
    dontFork: false,
    dumpConf: false,
    pidFile: DEFAULT_PID,
    addressMonitoring: false,
    allConfig: false,
    dumpConfig: false,
    controlSocket: DEFAULT_CONTROL,
    version: false,
    help: false,
    ignored: [],
  };
  let all = false;
  for (const { name, value = '', spelled } of r.options) {
    if (IGNORED.has(name)) {
      o.ignored.push(spelled);
      continue;
    }
    switch (name) {
      case 'use-file':
        o.configFile = value;
        break;
      case 'vrrp':
        o.vrrp = true;
        break;
      case 'check':
        o.check = true;
        break;
      case 'no-bfd':
        o.bfd = false;
        break;
      case 'all':
        all = true;
        break;
      case 'log-console':
        o.logConsole = true;
        break;
      case 'log-detail':
        o.logDetail = true;
        break;
      case 'log-facility':
        o.logFacility = value;
        break;
      case 'all-config':
        o.allConfig = true;
        break;
      case 'no-syslog':
        o.noSyslog = true;
        break;
      case 'umask':
        o.umask = value;
        break;
      case 'release-vips':
        o.releaseVips = true;
        break;
      case 'dont-release-vrrp':
        o.dontReleaseVrrp = true;
        break;
      case 'dont-release-ipvs':
        o.dontReleaseIpvs = true;
        break;
      case 'dont-respawn':
        o.dontRespawn = true;
        break;
      case 'dont-fork':
        o.dontFork = true;
        break;
      case 'dump-conf':
        o.dumpConf = true;
        break;
      case 'pid':
        o.pidFile = value;
        break;
      case 'vrrp_pid':
        o.vrrpPidFile = value;
        break;
      case 'checkers_pid':
        o.checkersPidFile = value;
        break;
      case 'bfd_pid':
        o.bfdPidFile = value;
        break;
      case 'genhash':
        return { ok: false, error: 'genhash mode (-T) is not implemented in stayalive yet' };
      case 'namespace':
        o.namespace = value;
        break;
      case 'config-id':
        o.configId = value;
        break;
      case 'signum':
        o.signum = value;
        break;
      case 'config-test':
        o.configTest = value || true;
        break;
      case 'version':
        o.version = true;
        break;
      case 'help':
        o.help = true;
        break;
      case 'dump-config':
        o.dumpConfig = true;
        break;
      case 'log-format':
        if (value !== 'text' && value !== 'json') {
          return { ok: false, error: `--log-format takes text or json, not '${value}'` };
        }
        o.logFormat = value;
        break;
      case 'control-socket':
        o.controlSocket = value;
        break;
    }
  }
  // keepalived: with neither -P nor -C every subsystem runs; --all forces them all.
  if (all || (!o.vrrp && !o.check)) {
    o.vrrp = true;
    o.check = true;
  }
  return { ok: true, options: o };
}

/** keepalived's --signum names → the signal stayalive reacts to. */
export const SIGNUMS: Record<string, { signal: NodeJS.Signals; number: number }> = {
  STOP: { signal: 'SIGTERM', number: 15 },
  RELOAD: { signal: 'SIGHUP', number: 1 },
  DATA: { signal: 'SIGUSR1', number: 10 },
  STATS: { signal: 'SIGUSR2', number: 12 },
};

export const USAGE = `Usage: stayalive [OPTION...]
  -f, --use-file=FILE          Use the specified configuration file
                                 (default ${DEFAULT_CONFIG})
  -P, --vrrp                   Only run the VRRP subsystem
  -C, --check                  Only run the health-checker / load-balancer subsystem
  -B, --no_bfd                 Don't run the BFD subsystem
      --all                    Run all subsystems, even if they have no configuration
  -l, --log-console            Log messages to the local console
  -D, --log-detail             Detailed log messages
  -S, --log-facility=[0-7]     Set syslog facility to LOG_LOCAL[0-7] (or user, daemon)
  -G, --no-syslog              Don't log via syslog
      --log-format=text|json   Console log format (stayalive)
  -u, --umask=MASK             umask for file creation (in numeric form)
  -X, --release-vips           Drop VIPs and VIP routes when stopped by signal
  -V, --dont-release-vrrp      Don't remove VRRP VIPs and VROUTEs on daemon stop
  -I, --dont-release-ipvs      Don't remove load-balancer tables on daemon stop
  -R, --dont-respawn           Accepted; stayalive runs as one process
  -n, --dont-fork              Don't fork the daemon process
  -d, --dump-conf              Dump the configuration data (as JSON) at start
  -p, --pid=FILE               Use specified pidfile (default ${DEFAULT_PID})
  -r, --vrrp_pid=FILE          Also write the pid to this file (keepalived's VRRP child pidfile)
  -c, --checkers_pid=FILE      Also write the pid to this file (keepalived's checker pidfile)
  -b, --bfd_pid=FILE           Also write the pid to this file (keepalived's BFD pidfile)
  -s, --namespace=NAME         Run in network namespace NAME (not yet supported)
  -e, --all-config             Don't load if any part of the configuration is missing
  -i, --config-id=ID           Skip any configuration lines beginning '@' that don't match ID
      --signum=SIGFUNC         Print the signal number for STOP, RELOAD, DATA or STATS
  -t, --config-test[=FILE]     Check the configuration for obvious errors; exit 0 if clean,
                                 4 if it cannot run, 5 for other errors, 6 for script security
      --dump-config            Print the parsed configuration model as JSON and exit (stayalive)
      --control-socket=PATH    Control socket for stayalivectl (default ${DEFAULT_CONTROL})
  -v, --version                Display the version number
  -h, --help                   Display this help message
`;
