// Invariants watched while a simulated cluster runs:
// - a running node holds VIPs exactly when its machine is MASTER;
// - a connected part with an eligible node and no master gets one within
//   Master_Down_Interval of its highest-priority member plus `slack`.
//   Theory says MDI + the largest advert latency: a backup's timer was last
//   reset by an advert sent before the part lost its master (or it started
//   with a fresh MDI when the part changed); `slack` (one advert interval in
//   the tests) covers the latency.
import { masterDownInterval } from '../../../src/vrrp/timers.js';
import type { Cluster, SimNode } from './cluster.js';

interface Waiting {
  since: number;
  bound: number;
}

export class Monitor {
  readonly violations: string[] = [];
  private waiting = new Map<string, Waiting>();

  constructor(
    private readonly cluster: Cluster,
    private readonly slack: number,
  ) {}

  /** Before an event at time t: no part may have waited past its bound. */
  before = (t: number): void => {
    for (const [key, w] of this.waiting) {
      if (t > w.since + w.bound) {
        this.violations.push(
          `no master in part ${key} from ${w.since} µs past ${w.since + w.bound} µs (next event ${t} µs)`,
        );
        this.waiting.delete(key);
      }
    }
  };

  after = (): void => {
    const c = this.cluster;
    for (const n of c.nodes) {
      if (n.alive && n.kernelVips !== (n.machine.state === 'MASTER')) {
        this.violations.push(
          `node ${n.id} ${n.machine.state} with kernel VIPs=${n.kernelVips} at ${c.now} µs`,
        );
      }
    }
    const next = new Map<string, Waiting>();
    for (const part of c.components()) {
      if (part.some((n) => n.machine.state === 'MASTER')) continue;
      const key = `${part[0].partition}:${part.map((n) => n.id).join(',')}`;
      const since = this.waiting.get(key)?.since ?? c.now;
      next.set(key, { since, bound: partBound(part) + this.slack });
    }
    this.waiting = next;
  };
}

/** Master_Down_Interval of the part's highest-priority member: the first timer to fire. */
export function partBound(part: SimNode[]): number {
  let best = Infinity;
  for (const n of part) {
    const c = n.config;
    const mdi = masterDownInterval(c.version, n.machine.priority, c.advertInt, c.downTimerAdverts);
    best = Math.min(best, mdi);
  }
  return best;
}

/** The election winner of a part: highest priority, then highest primary address. */
export function expectedWinner(part: SimNode[]): SimNode {
  return [...part].sort(
    (a, b) =>
      b.machine.priority - a.machine.priority ||
      addrKey(b.config.primaryAddress) - addrKey(a.config.primaryAddress),
  )[0];
}

const addrKey = (ip: string): number => ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
