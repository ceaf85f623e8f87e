/**
 * Binds a checker plan to its probe function (one per checker type). I/O: each probe opens
 * sockets or spawns processes when called.
 */
import { ownUser } from '../config/script-user.js';
import { bfdStateOf } from '../bfd/state-board.js';
import type { Config } from '../config/model.js';
import { probeDns } from './dns.js';
import { probeFile } from './file.js';
import { probeHttp } from './http.js';
import { probeMisc } from './misc.js';
import { ScriptUsers } from '../os/script-users.js';
import { probePing } from './ping.js';
import type { CheckerPlan, RsPlan } from './plan.js';
import type { ProbeResult } from './probe-util.js';
import { probeSmtp } from './smtp.js';
import { directTcp, probeTcp, targetOf } from './tcp.js';
import { probeUdp } from './udp.js';
import { sharedTcpProber } from '../os/tcp-prober.js';

/** A probe result with what the log line needs (HTTP url and status). */
export type DetailedResult = ProbeResult & { url?: string; status?: number };

export type ProbeFactory = (
  p: CheckerPlan,
  rs: RsPlan,
  config: Config,
) => (signal: AbortSignal) => Promise<DetailedResult>;

/** BFD_CHECK: the bfd_instance's session state as the registry last published it. */
export function probeBfd(name: string): DetailedResult {
  const state = bfdStateOf(name);
  return { ok: state === 'Up', reason: `BFD ${name} ${state}`, latencyMs: 0 };
}

export const makeProbe: ProbeFactory = (p, rsp, config) => {
  const c = p.checker;
  switch (c.type) {
    case 'TCP_CHECK': {
      const prober = sharedTcpProber();
      const target = targetOf(c.conn);
      const run = (signal: AbortSignal): Promise<DetailedResult> =>
        probeTcp(target, signal, prober);
      if (prober) direct.set(run, (done) => directTcp(prober, target, done));
      return run;
    }
    case 'HTTP_GET':
    case 'SSL_GET': {
      const inheritedVhost = rsp.rs.virtualhost ?? rsp.vs.virtualhost;
      return (signal) => probeHttp(c, { inheritedVhost, ssl: config.lvs.ssl }, signal);
    }
    case 'SMTP_CHECK':
      return (signal) => probeSmtp(targetOf(p.conn ?? c.conn), c.heloName, signal);
    case 'DNS_CHECK':
      return (signal) => probeDns(targetOf(c.conn), c.queryType, c.name, signal);
    case 'UDP_CHECK':
      return (signal) => probeUdp(targetOf(c.conn), c, signal);
    case 'PING_CHECK':
      return (signal) => probePing(targetOf(c.conn), signal);
    case 'MISC_CHECK': {
      const argv = c.script?.argv ?? [];
      // keepalived's default script user applies to MISC_CHECK too (config/script-user.ts).
      const as = ScriptUsers.of(config.global).userFor(ownUser(c));
      const opts = {
        timeoutS: c.timeout ?? p.timing.delayLoop,
        user: as?.user ?? null,
        group: as?.group ?? null,
        dynamic: c.dynamic,
      };
      return (signal) => probeMisc(argv, opts, signal);
    }
    case 'FILE_CHECK': {
      const tf = c.trackFile ? config.vrrp.trackFiles[c.trackFile] : undefined;
      const path = tf?.file ?? '';
      const weight = c.weight ?? tf?.weight ?? 0;
      const reverse = c.reverse ?? tf?.weightReverse ?? false;
      return () => probeFile(path, weight, reverse);
    }
    case 'BFD_CHECK':
      return () => Promise.resolve(probeBfd(c.bfd ?? ''));
  }
};

/**
 * A probe that reports through a callback bound once per checker: no promise, no
 * AbortSignal, no cap timer (its deadline is the kernel's). The TCP_CHECK fast path.
 */
export interface DirectProbe {
  /** Starts one probe; the bound `done` runs once, unless cancel(handle) runs first. */
  start(): number;
  cancel(handle: number): void;
}
export type DirectProbeFactory = (done: (r: DetailedResult) => void) => DirectProbe;

const direct = new WeakMap<object, DirectProbeFactory>();

/** The callback form of a probe made by makeProbe, when it has one. */
export function directProbeOf(run: object): DirectProbeFactory | undefined {
  return direct.get(run);
}

/** How long a probe may take before the runtime aborts it (its own timeouts come first). */
export function hardCapS(p: CheckerPlan): number {
  const c = p.checker;
  if (c.type === 'MISC_CHECK') return (c.timeout ?? p.timing.delayLoop) + 10;
  if (c.type === 'FILE_CHECK' || c.type === 'BFD_CHECK') return 10;
  const t = (p.conn ?? c.conn).connectTimeout ?? 5;
  const steps = c.type === 'HTTP_GET' || c.type === 'SSL_GET' ? 3 * Math.max(1, c.urls.length) : 3;
  return t * (steps + 1) + 5;
}
