// A simulated LAN of VRRP machines for one VRID, in virtual time (µs).
// Each node runs the pure reducer from src/vrrp/machine.ts; the cluster plays
// the shell: one timer per node (a generation number cancels stale ones),
// adverts fanned out to every node of the same partition with a random
// latency and loss, and the "kernel" VIP flag driven by the effects.
// A crash freezes a node: it stops sending and receiving and keeps its VIPs
// (what a SIGKILLed keepalived leaves behind); a restart clears them, as
// keepalived does at startup.
import type { MachineConfig, MachineInput, MachineState } from '../../../src/vrrp/machine.js';
import { createMachine, step } from '../../../src/vrrp/machine.js';
import { EventQueue } from './event-queue.js';
import type { Rng } from './rng.js';

export interface SimNode {
  readonly id: number;
  readonly config: MachineConfig;
  machine: MachineState;
  /** The process runs (false after a crash). */
  alive: boolean;
  /** VIPs installed in this node's kernel. */
  kernelVips: boolean;
  partition: number;
  timerGen: number;
}

export interface Transition {
  at: number;
  node: number;
  from: string;
  to: string;
  reason: string;
}

type SimEvent =
  | { kind: 'timer'; node: number; gen: number }
  | { kind: 'deliver'; node: number; input: MachineInput }
  | { kind: 'action'; run: () => void };

export interface LanOptions {
  /** Latency range of one advert, µs. */
  minLatency: number;
  maxLatency: number;
}

export class Cluster {
  readonly nodes: SimNode[];
  readonly transitions: Transition[] = [];
  now = 0;
  loss = 0;
  events = 0;
  private readonly queue = new EventQueue<SimEvent>();

  constructor(
    configs: MachineConfig[],
    private readonly rng: Rng,
    readonly lan: LanOptions = { minLatency: 50, maxLatency: 500 },
  ) {
    this.nodes = configs.map((config, id) => ({
      id,
      config,
      machine: createMachine(config),
      alive: true,
      kernelVips: false,
      partition: 0,
      timerGen: 0,
    }));
  }

  /** Schedule a scenario action (crash, partition…) at a virtual time. */
  at(time: number, run: () => void): void {
    this.queue.push(time, { kind: 'action', run });
  }

  /** Feed one input to a running node now and carry out its effects. */
  input(id: number, input: MachineInput): void {
    const n = this.nodes[id];
    if (!n.alive) return;
    const r = step(n.machine, input, this.now);
    n.machine = r.state;
    for (const e of r.effects) {
      switch (e.type) {
        case 'send-advert':
          this.broadcast(n, {
            type: 'advert',
            priority: e.priority,
            source: n.config.primaryAddress,
            advertInt: e.advertInt,
          });
          break;
        case 'add-vips':
          n.kernelVips = true;
          break;
        case 'remove-vips':
          n.kernelVips = false;
          break;
        case 'transition':
          this.transitions.push({
            at: this.now,
            node: id,
            from: e.from,
            to: e.to,
            reason: e.reason,
          });
          break;
        case 'garp':
        case 'notify':
        case 'notify-master-rx-lower-pri':
        case 'priority-changed':
        case 'log':
          break;
        default: {
          const never: never = e;
          throw new Error(`unhandled effect ${JSON.stringify(never)}`);
        }
      }
    }
    n.timerGen++;
    if (r.deadline !== null) {
      this.queue.push(r.deadline, { kind: 'timer', node: id, gen: n.timerGen });
    }
  }

  private broadcast(from: SimNode, input: MachineInput): void {
    for (const to of this.nodes) {
      if (to === from || to.partition !== from.partition) continue;
      if (this.loss > 0 && this.rng.chance(this.loss)) continue;
      const delay = this.rng.int(this.lan.minLatency, this.lan.maxLatency);
      this.queue.push(this.now + delay, { kind: 'deliver', node: to.id, input });
    }
  }

  start(id: number): void {
    this.input(id, { type: 'start' });
  }

  /** SIGKILL: frozen, VIPs left in place, nothing sent. */
  crash(id: number): void {
    const n = this.nodes[id];
    n.alive = false;
    n.timerGen++;
  }

  /** A fresh process: stale VIPs removed at startup, machine from scratch. */
  restart(id: number): void {
    const n = this.nodes[id];
    n.alive = true;
    n.kernelVips = false;
    n.machine = createMachine(n.config);
    this.start(id);
  }

  /** Time of the next event, or null when idle. */
  nextTime(): number | null {
    return this.queue.peekTime();
  }

  /**
   * Run events up to and including `until`. `before(t)` is called before each
   * event with its time, `after()` after it, for invariant checks.
   */
  run(until: number, before?: (t: number) => void, after?: () => void): void {
    for (;;) {
      const t = this.queue.peekTime();
      if (t === null || t > until) break;
      before?.(t);
      const ev = this.queue.pop()!;
      this.now = ev.at;
      this.events++;
      const item = ev.item;
      switch (item.kind) {
        case 'timer': {
          const n = this.nodes[item.node];
          if (n.alive && n.timerGen === item.gen) this.input(item.node, { type: 'timer' });
          break;
        }
        case 'deliver':
          this.input(item.node, item.input);
          break;
        case 'action':
          item.run();
          break;
      }
      after?.();
    }
    this.now = Math.max(this.now, until);
  }

  /** Running, started, fault-free nodes: the ones that may become master. */
  eligible(): SimNode[] {
    return this.nodes.filter(
      (n) => n.alive && n.machine.state !== 'INIT' && n.machine.faults.length === 0,
    );
  }

  /** Eligible nodes grouped by partition (a connected part of the LAN). */
  components(): SimNode[][] {
    const by = new Map<number, SimNode[]>();
    for (const n of this.eligible()) {
      const g = by.get(n.partition) ?? [];
      g.push(n);
      by.set(n.partition, g);
    }
    return [...by.values()];
  }
}
