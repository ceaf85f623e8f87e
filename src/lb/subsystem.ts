/**
 * The load-balancing subsystem (core/subsystem.ts): builds the desired table from the config and
 * the real servers' live states ('rs:state' on the bus), hands it to the data plane after every
 * change (changes arriving during a transaction are coalesced into the next one), publishes
 * 'lb:apply', and on stop removes its tables unless told to keep them (-I/--dont-release-ipvs).
 * Connection counts come from conntrack events (conntrack.ts) and feed status() and, every
 * second, the lc/wlc/sed/nq weights (least-conn.ts); stats() reads the per-server nft counters.
 * The data plane is chosen at start (ipvs-select.ts): IPVS where the kernel has it, nftables
 * otherwise, or as global_defs lvs_dataplane forces. A forced IPVS on a kernel without it is
 * logged as an error and the subsystem stays down (status says why); the daemon runs on.
 * keepalived difference: keepalived only drives IPVS; here nftables forwards where IPVS is absent.
 */
import { detectIpvs } from '../os/ipvs/detect.js';
import { publish, subscribe } from '../core/bus.js';
import type { ConfigDiff } from '../config/diff.js';
import type { LvsSection } from '../config/lvs/types.js';
import type { LvsDataplaneMode } from '../config/global/types.js';
import type { Config } from '../config/model.js';
import type { Subsystem } from '../core/subsystem.js';
import { ConntrackCounter, type ConnCounter } from './conntrack.js';
import { backendKey } from './conntrack-codec.js';
import type { Dataplane } from './dataplane.js';
import { LEAST_CONN, leastConnWeights, ranking } from './least-conn.js';
import { IpvsDataplane } from './ipvs-dataplane.js';
import { selectDataplane, type IpvsProbe } from './ipvs-select.js';
import { buildDesired, initialStates, stateKey } from './desired.js';
import './events.js';
import { NftDataplane } from './nft.js';
import { counterNames } from './ruleset.js';
import { approximation } from './schedule.js';
import type { DesiredTable, RsState } from './types.js';

export interface LbOptions {
  /** Keep the tables on stop (-I / --dont-release-ipvs). */
  dontRelease?: boolean;
  /** Masquerade NAT traffic (one-armed set-ups). */
  masquerade?: boolean;
  /** Use this data plane whatever the probe says (tests); the choice is still logged. */
  dataplane?: Dataplane;
  /** Overrides the /proc/net/ip_vs probe (tests). */
  ipvsPresent?: boolean;
  /** Overrides the whole IPVS probe (default detectIpvs(): /proc/net/ip_vs + genl family). */
  probeIpvs?: () => Promise<IpvsProbe>;
  /** Makes the IPVS data plane when it is chosen (tests); default new IpvsDataplane(). */
  ipvsDataplane?: () => Dataplane;
  /** Connection counts per real server; default: a ctnetlink ConntrackCounter (null = none). */
  connCounter?: ConnCounter | null;
  /** lc/wlc/sed/nq: how often the weights are recomputed from the counts (default 1000 ms). */
  leastConnPeriodMs?: number;
}

export interface LbStatusBackend {
  id: string;
  addr: string;
  port: number;
  weight: number;
  up: boolean;
  sorry: boolean;
  /** Connections from conntrack (NAT only; absent when not counted). */
  activeConn?: number;
  inactConn?: number;
  /** lc/wlc/sed/nq: the weight the data plane schedules with right now. */
  slotWeight?: number;
}
export interface LbStatusService {
  id: string;
  scheduler: string;
  approximate?: string;
  method: 'NAT' | 'DR' | 'TUN';
  persistence: number;
  quorumUp: boolean;
  sorryActive: boolean;
  backends: LbStatusBackend[];
}
export interface LbStatus {
  /** 'nftables', 'ipvs', or 'none' when the subsystem could not start (see `error`). */
  dataplane: string;
  /** Why load balancing is not running (forced IPVS on a kernel without it). */
  error?: string;
  services: LbStatusService[];
  refused: Array<{ id: string; why: string }>;
  lastApply: { ms: number; commands: number; error?: string } | null;
}

/** Traffic counters of one real server (NAT: forward-path packets to it and from it). */
export interface LbStatsBackend {
  id: string;
  inPkts: number;
  outPkts: number;
  inBytes: number;
  outBytes: number;
}
/** One reading of every counter; two readings make a rate (format.ts formatLbRate). */
export interface LbStatsSample {
  dataplane: string;
  /** When it was read (ms, performance.now()-style monotonic clock of the daemon). */
  at: number;
  services: Array<{ id: string; backends: LbStatsBackend[] }>;
}

/** The lb subsystem: status() plus the counter reading behind `stayalivectl lb --stats/--rate`. */
export interface LbSubsystem extends Subsystem {
  status(): LbStatus;
  stats(): Promise<LbStatsSample>;
}

function log(level: 'info' | 'warning' | 'error', message: string): void {
  publish('log', { level, subsystem: 'lb', message });
}

/** The probe, as the options or the kernel say. */
async function probe(opts: LbOptions): Promise<IpvsProbe> {
  if (opts.ipvsPresent !== undefined)
    return opts.ipvsPresent
      ? { present: true }
      : { present: false, reason: '/proc/net/ip_vs does not exist' };
  if (opts.probeIpvs) return opts.probeIpvs();
  const d = await detectIpvs();
  return d.present ? { present: true } : d;
}

export function createLbSubsystem(opts: LbOptions = {}): LbSubsystem {
  let dp: Dataplane | null = opts.dataplane ?? null;
  /** Set when the subsystem could not start; it then does nothing until the next start. */
  let failed: string | null = null;
  let mode: LvsDataplaneMode = 'auto';
  let lvs: LvsSection | null = null;
  let states = new Map<string, RsState>();
  let quorum = new Map<string, boolean>();
  let desired: DesiredTable = { services: [], refused: [] };
  let lastApply: LbStatus['lastApply'] = null;
  let off: (() => void) | null = null;
  let running: Promise<void> | null = null;
  let again = false;
  /** Services whose real servers changed since the last build; null = rebuild everything. */
  let dirty: Set<string> | null = null;
  let counter: ConnCounter | null = null;
  let lcTimer: NodeJS.Timeout | null = null;
  /** lc/wlc/sed/nq: last ranking and weights per service id. */
  const lcState = new Map<string, { order: string; weights: Map<string, number> }>();

  const conns = (addr: string, port: number) => counter?.get(backendKey(addr, port));

  /** Recomputes lc-family weights; marks a service dirty only when its ranking changed. */
  function leastConnTick(): void {
    // IPVS schedules lc/wlc/sed/nq itself from its own counts.
    if (!counter || dp?.name === 'ipvs') return;
    let changed = false;
    for (const s of desired.services) {
      if (!LEAST_CONN.has(s.scheduler) || s.method !== 'NAT' || s.sorryActive) continue;
      const input = s.backends.map((b) => ({
        id: b.id,
        weight: b.weight,
        ...(conns(b.addr, b.port) ?? { active: 0, inactive: 0 }),
      }));
      const order = ranking(s.scheduler, input).join(' ');
      if (lcState.get(s.id)?.order === order) continue;
      lcState.set(s.id, { order, weights: leastConnWeights(s.scheduler, input) });
      dirty?.add(s.id);
      changed = true;
    }
    if (changed) void schedule();
  }

  async function applyOnce(): Promise<void> {
    if (!lvs || !dp) return;
    const reuse = dirty ? { prev: desired, dirty } : undefined;
    dirty = new Set();
    const r = buildDesired(lvs, states, quorum, reuse, dp.name === 'ipvs');
    for (const s of r.table.services) {
      const before = quorum.get(s.id);
      if (before !== undefined && before !== s.quorumUp)
        log(
          'info',
          `${s.quorumUp ? 'Gained' : 'Lost'} quorum for VS ${s.id}${s.sorryActive ? ' (sorry server in use)' : ''}`,
        );
    }
    quorum = r.quorum;
    const before = new Set(desired.services);
    for (const s of r.table.services) {
      const lc = lcState.get(s.id);
      // Only freshly built services: a reused one already carries its weights.
      if (lc && !before.has(s) && LEAST_CONN.has(s.scheduler) && s.method === 'NAT')
        s.slotWeights = lc.weights;
    }
    desired = r.table;
    try {
      const st = await dp.apply(desired);
      for (const w of st.warnings) log('warning', w);
      lastApply = { ms: st.ms, commands: st.commands };
      publish('lb:apply', {
        dataplane: dp.name,
        services: desired.services.length,
        commands: st.commands,
        elementsAdded: st.elementsAdded,
        elementsRemoved: st.elementsRemoved,
        chainsReplaced: st.chainsReplaced,
        ms: st.ms,
      });
    } catch (e) {
      const error = e instanceof Error ? e.message : String(e);
      lastApply = { ms: 0, commands: 0, error };
      log('error', `data plane update failed: ${error}`);
      publish('lb:apply', {
        dataplane: dp.name,
        services: desired.services.length,
        commands: 0,
        elementsAdded: 0,
        elementsRemoved: 0,
        chainsReplaced: 0,
        ms: 0,
        error,
      });
    }
  }

  /** Runs an apply now, or once more after the running one (coalescing bursts). */
  function schedule(): Promise<void> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await applyOnce();
      } while (again);
      running = null;
    })();
    return running;
  }

  /** Configured weight per state key, to tell a checker's weight from a config change. */
  let configured = new Map<string, number>();

  function adopt(section: LvsSection): void {
    const fresh = initialStates(section);
    const weights = new Map([...fresh].map(([k, v]) => [k, v.weight]));
    // Keep what the checkers said; a weight changed in the config wins over the old one.
    for (const [k, v] of states) {
      const f = fresh.get(k);
      if (f)
        fresh.set(k, { up: v.up, weight: configured.get(k) === f.weight ? v.weight : f.weight });
    }
    configured = weights;
    states = fresh;
    lvs = section;
    dirty = null;
  }

  return {
    name: 'lb',
    async start(config: Config): Promise<void> {
      // Unit tests hand in a config with only `lvs`.
      mode = (config.global as Config['global'] | undefined)?.lvsDataplane ?? 'auto';
      const choice = selectDataplane(
        mode,
        mode === 'nftables' ? { present: false, reason: 'not probed' } : await probe(opts),
      );
      log(choice.level, choice.message);
      if (choice.kind === 'none') {
        failed = choice.message;
        return;
      }
      failed = null;
      dp ??=
        choice.kind === 'ipvs'
          ? (opts.ipvsDataplane?.() ?? new IpvsDataplane())
          : new NftDataplane({ masquerade: opts.masquerade });
      adopt(config.lvs);
      if (opts.connCounter !== undefined) counter = opts.connCounter;
      else
        try {
          counter = await ConntrackCounter.open();
        } catch (e) {
          log(
            'warning',
            `conntrack events unavailable (${e instanceof Error ? e.message : String(e)}): no connection counts; lc/wlc/sed/nq use static weights`,
          );
        }
      lcTimer = setInterval(leastConnTick, opts.leastConnPeriodMs ?? 1000);
      lcTimer.unref();
      off = subscribe('rs:state', (e) => {
        const k = stateKey(e.vs, e.rs);
        if (!states.has(k)) return;
        const prev = states.get(k)!;
        if (prev.up === e.up && prev.weight === e.weight) return;
        states.set(k, { up: e.up, weight: e.weight });
        dirty?.add(e.vs);
        void schedule();
      });
      await schedule();
      for (const r of desired.refused) log('warning', `VS ${r.id} not installed: ${r.why}`);
      for (const s of dp.name === 'ipvs' ? [] : desired.services) {
        const a = approximation(s.scheduler);
        if (a) log('warning', `VS ${s.id}: ${a}`);
      }
    },
    async reload(config: Config, _diff: ConfigDiff): Promise<void> {
      const m = (config.global as Config['global'] | undefined)?.lvsDataplane ?? 'auto';
      if (m !== mode)
        log('warning', `lvs_dataplane changed to ${m}: it takes effect at the next start`);
      if (failed || !dp) return;
      adopt(config.lvs);
      lcState.clear();
      await schedule();
    },
    async stop(): Promise<void> {
      off?.();
      off = null;
      if (lcTimer) clearInterval(lcTimer);
      lcTimer = null;
      counter?.close();
      counter = null;
      if (running) await running;
      lvs = null;
      if (dp && !failed && !opts.dontRelease) await dp.release();
    },
    status(): LbStatus {
      const approx = (a: string): string | undefined =>
        dp?.name === 'ipvs' ? undefined : approximation(a);
      return {
        dataplane: failed ? 'none' : (dp?.name ?? 'none'),
        ...(failed ? { error: failed } : {}),
        services: desired.services.map((s) => ({
          id: s.id,
          scheduler: s.scheduler,
          ...(approx(s.scheduler) ? { approximate: approx(s.scheduler) } : {}),
          method: s.method,
          persistence: s.persistence?.timeout ?? 0,
          quorumUp: s.quorumUp,
          sorryActive: s.sorryActive,
          backends: s.backends.map((b) => {
            const c = s.method === 'NAT' && b.port !== 0 ? conns(b.addr, b.port) : undefined;
            const sw = s.slotWeights?.get(b.id);
            return {
              id: b.id,
              addr: b.addr,
              port: b.port,
              weight: b.weight,
              up: b.up,
              sorry: b.sorry,
              ...(c ? { activeConn: c.active, inactConn: c.inactive } : {}),
              ...(sw !== undefined ? { slotWeight: sw } : {}),
            };
          }),
        })),
        refused: desired.refused,
        lastApply,
      };
    },
    async stats(): Promise<LbStatsSample> {
      const values = (await dp?.counters?.()) ?? new Map();
      const at = performance.now();
      const zero = { packets: 0, bytes: 0 };
      return {
        dataplane: failed ? 'none' : (dp?.name ?? 'none'),
        at,
        services: desired.services.map((s) => ({
          id: s.id,
          backends: s.backends.map((b) => {
            const n = counterNames(b.addr, b.port);
            const i = values.get(n.in) ?? zero;
            const o = values.get(n.out) ?? zero;
            return {
              id: b.id,
              inPkts: i.packets,
              outPkts: o.packets,
              inBytes: i.bytes,
              outBytes: o.bytes,
            };
          }),
        })),
      };
    },
  };
}
