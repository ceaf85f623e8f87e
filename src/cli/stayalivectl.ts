#!/usr/bin/env node
/**
 * stayalivectl: ask the running daemon over its control socket.
 *   stayalivectl [--socket PATH] [--json] status|config|reload|dump
 */
import { parseArgs } from 'node:util';
import { controlRequest } from '../api/control.js';
import { DEFAULT_CONTROL } from './options.js';
import { formatCheckStatus } from '../check/format.js';
import type { CheckerStatus } from '../check/status-types.js';
import { formatLbRate, formatLbStats, formatLbStatus } from '../lb/format.js';
import type { LbStatsSample, LbStatus } from '../lb/subsystem.js';
import { formatStatus, formatVrrp } from './status-format.js';

const USAGE = `Usage: stayalivectl [--socket PATH] [--json] COMMAND
Commands:
  status   daemon and subsystem state
  vrrp     VRRP instances: state, priority, master, adverts in/out, faults
  lb       virtual and real servers like ipvsadm -Ln (--stats: packets/bytes, --rate: per second)
  check    health checks: each real server's verdict, last result and reason, latency, counts
  config   the running configuration model (JSON)
  reload   re-read the configuration (like SIGHUP) and report the outcome
  dump     write the state dump file (like SIGUSR1) and print its path
`;

/** `lb --stats` prints one counter sample; `lb --rate` two samples a second apart. */
async function lbCounters(socket: string, o: { json?: boolean; rate?: boolean }): Promise<number> {
  const sample = async (): Promise<LbStatsSample> => {
    const r = await controlRequest(socket, { cmd: 'lb-stats' });
    if (!r.ok) throw new Error(r.error);
    return r.result as LbStatsSample;
  };
  try {
    const first = await sample();
    if (!o.rate) {
      process.stdout.write(o.json ? JSON.stringify(first, null, 2) + '\n' : formatLbStats(first));
      return 0;
    }
    await new Promise((r) => setTimeout(r, 1000));
    const second = await sample();
    process.stdout.write(
      o.json ? JSON.stringify([first, second], null, 2) + '\n' : formatLbRate(first, second),
    );
    return 0;
  } catch (e) {
    process.stderr.write(`error: ${(e as Error).message}\n`);
    return 1;
  }
}

async function main(): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        socket: { type: 'string', short: 's', default: DEFAULT_CONTROL },
        json: { type: 'boolean', short: 'j', default: false },
        stats: { type: 'boolean', default: false },
        rate: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length !== 1) {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }
  const cmd = positionals[0];
  if (!['status', 'vrrp', 'lb', 'check', 'config', 'reload', 'dump'].includes(cmd)) {
    process.stderr.write(`unknown command '${cmd}'\n${USAGE}`);
    return 2;
  }
  if (cmd === 'lb' && (values.stats || values.rate)) return lbCounters(values.socket, values);
  let reply;
  try {
    reply = await controlRequest(values.socket, {
      cmd: ['vrrp', 'lb', 'check'].includes(cmd) ? 'status' : cmd,
    });
  } catch (e) {
    process.stderr.write(`cannot reach stayalive at ${values.socket}: ${(e as Error).message}\n`);
    return 1;
  }
  if (!reply.ok) {
    process.stderr.write(`error: ${reply.error}\n`);
    return 1;
  }
  if (values.json || cmd === 'config') {
    process.stdout.write(JSON.stringify(reply.result, null, 2) + '\n');
  } else if (cmd === 'reload') {
    const r = reply.result as { outcome: string; reason?: string } | null;
    process.stdout.write(`reload ${r?.outcome ?? 'done'}${r?.reason ? `: ${r.reason}` : ''}\n`);
    if (r?.outcome === 'rejected') return 1;
  } else if (cmd === 'lb') {
    const lb = (reply.result as { subsystems?: { lb?: LbStatus } }).subsystems?.lb;
    if (!lb) {
      process.stderr.write('the load-balancing subsystem is not running (started with -P?)\n');
      return 1;
    }
    process.stdout.write(formatLbStatus(lb));
  } else if (cmd === 'check') {
    const st = (reply.result as { subsystems?: { checkers?: CheckerStatus } }).subsystems?.checkers;
    if (!st) {
      process.stderr.write('the checker subsystem is not running (started with -P?)\n');
      return 1;
    }
    process.stdout.write(formatCheckStatus(st));
  } else if (cmd === 'vrrp') {
    process.stdout.write(formatVrrp(reply.result as Record<string, unknown>));
  } else if (cmd === 'status') {
    process.stdout.write(formatStatus(reply.result as Record<string, unknown>));
  } else {
    process.stdout.write(`${JSON.stringify(reply.result)}\n`);
  }
  return 0;
}

void main().then((code) => (process.exitCode = code));
