// Random cluster scenarios for the VRRP simulation: configurations, a chaotic
// phase (crashes, restarts, graceful stops, partitions, loss, priority
// changes, faults) and a quiet phase long enough to converge.
import type { MachineConfig } from '../../../src/vrrp/machine.js';
import { machineConfig } from '../../../src/vrrp/machine.js';
import { centis, masterDownInterval, seconds } from '../../../src/vrrp/timers.js';
import { Cluster } from './cluster.js';
import { Rng } from './rng.js';

export interface Scenario {
  seed: number;
  cluster: Cluster;
  rng: Rng;
  advertInt: number;
  /** Largest Master_Down_Interval any node can have (priority 1). */
  mdiMax: number;
  preemptDelay: number;
  /** End of the chaotic phase: from here the inputs are stable. */
  chaosEnd: number;
  /** From here the cluster must be converged and still. */
  settled: number;
  end: number;
  log: string[];
}

const TIMINGS: { version: 2 | 3; advertInt: number }[] = [
  { version: 2, advertInt: seconds(1) },
  { version: 2, advertInt: seconds(2) },
  { version: 3, advertInt: seconds(1) },
  { version: 3, advertInt: centis(50) },
  { version: 3, advertInt: centis(10) },
];

export function makeConfigs(rng: Rng, n: number): MachineConfig[] {
  const t = rng.pick(TIMINGS);
  const downTimerAdverts = rng.chance(0.8) ? 3 : rng.int(1, 5);
  const preemptDelay = rng.chance(0.25) ? rng.int(1, 5) * t.advertInt : 0;
  const someNopreempt = rng.chance(0.25);
  const owner = rng.chance(0.15) ? rng.int(0, n - 1) : -1;
  const subnet = rng.int(0, 255);
  const hosts = new Set<number>();
  while (hosts.size < n) hosts.add(rng.int(1, 254));
  const ips = [...hosts];
  return ips.map((host, id) => {
    const priority = id === owner ? 255 : rng.chance(0.3) ? 100 : rng.int(1, 254);
    return machineConfig(`VI_${id}`, `10.0.${subnet}.${host}`, {
      version: t.version,
      advertInt: t.advertInt,
      priority,
      wantMaster: priority === 255 || rng.chance(0.3),
      downTimerAdverts,
      nopreempt: priority !== 255 && someNopreempt && rng.chance(0.5),
      preemptDelay: priority !== 255 ? preemptDelay : 0,
      garpMasterDelay: rng.chance(0.5) ? seconds(5) : 0,
    });
  });
}

export function randomScenario(seed: number): Scenario {
  const rng = new Rng(seed);
  const n = rng.int(2, 8);
  const configs = makeConfigs(rng, n);
  const { version, advertInt, downTimerAdverts } = configs[0];
  const preemptDelay = Math.max(...configs.map((c) => c.preemptDelay));
  const mdiMax = masterDownInterval(version, 1, advertInt, downTimerAdverts);
  const cluster = new Cluster(configs, rng);
  const log: string[] = [];
  const chaosEnd = 30 * advertInt;
  const settled = chaosEnd + preemptDelay + 3 * (mdiMax + advertInt);
  const end = settled + 2 * (mdiMax + advertInt);
  const sc: Scenario = {
    seed,
    cluster,
    rng,
    advertInt,
    mdiMax,
    preemptDelay,
    chaosEnd,
    settled,
    end,
    log,
  };
  const note = (t: number, what: string): void => {
    log.push(`${(t / 1e6).toFixed(6)}s ${what}`);
  };

  for (let id = 0; id < n; id++) {
    const t = rng.int(0, 2 * advertInt);
    cluster.at(t, () => {
      note(t, `start ${id}`);
      cluster.start(id);
    });
  }
  const actions = rng.int(0, 12);
  for (let k = 0; k < actions; k++) {
    const t = rng.int(2 * advertInt, chaosEnd - 1);
    const id = rng.int(0, n - 1);
    const what = rng.int(0, 8);
    cluster.at(t, () => {
      const node = cluster.nodes[id];
      switch (what) {
        case 0:
          if (!node.alive) return;
          note(t, `crash ${id}`);
          cluster.crash(id);
          break;
        case 1:
          if (node.alive) return;
          note(t, `restart ${id}`);
          cluster.restart(id);
          break;
        case 2:
          note(t, `stop ${id}`);
          cluster.input(id, { type: 'shutdown' });
          cluster.crash(id);
          break;
        case 3: {
          const groups = rng.int(1, 3);
          for (const m of cluster.nodes) m.partition = rng.int(0, groups - 1);
          note(t, `partition ${cluster.nodes.map((m) => m.partition).join('')}`);
          break;
        }
        case 4:
          cluster.loss = rng.pick([0, 0.05, 0.3, 1]);
          note(t, `loss ${cluster.loss}`);
          break;
        case 5: {
          const p = rng.int(1, 254);
          note(t, `priority ${id} → ${p}`);
          cluster.input(id, { type: 'priority', priority: p });
          break;
        }
        case 6:
        case 7: {
          const on = what === 6;
          note(t, `fault ${id} ${on ? 'on' : 'off'}`);
          cluster.input(id, { type: 'fault', on, reason: 'if' });
          break;
        }
        default:
          for (const m of cluster.nodes) m.partition = 0;
          note(t, 'heal');
      }
    });
  }
  cluster.at(chaosEnd, () => {
    cluster.loss = 0;
    if (rng.chance(0.5)) for (const m of cluster.nodes) m.partition = 0;
    note(chaosEnd, `quiet (partitions ${cluster.nodes.map((m) => m.partition).join('')})`);
  });
  return sc;
}
