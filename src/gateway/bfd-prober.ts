/**
 * `method bfd` for gateway_track: the gateway's "probe" reads the state of a BFD session to its
 * address, held through the shared BFD registry (src/bfd/sessions.ts; a bfd_instance to the same
 * neighbour shares the session). The session is watched from the first probe until the gateway
 * is no longer tracked, so a reload does not restart it. I/O through the registry only.
 *
 * The gateway machine still applies rise/fall to these samples: one per `interval`, and one at
 * once on every state change of the session (`onChange`), so a gateway with fall 1 follows BFD's
 * own detection time instead of waiting up to one interval for the next sample.
 */
import type { BfdSessions } from '../bfd/sessions.js';
import type { BfdStateName } from '../bfd/packet.js';
import type { ProbeResult, ProbeTarget, Prober } from './icmp.js';

interface Watched {
  /** The registry watched through: a restarted BFD subsystem has a new one. */
  reg: BfdSessions;
  state: BfdStateName;
  off: () => void;
}

export class BfdProber implements Prober {
  private readonly watched = new Map<string, Watched>();

  /**
   * `registry` is read at each probe: the BFD subsystem may start or stop independently.
   * `onChange` hears each state change of a watched session after the first probe (not the
   * state reported when the watch starts, which that probe already returns).
   */
  constructor(
    private readonly registry: () => BfdSessions | null,
    private readonly onChange: (address: string, result: ProbeResult) => void = () => undefined,
  ) {}

  /** Whether a BFD registry is there to watch sessions through. */
  available(): boolean {
    return this.registry() !== null;
  }

  probe(target: ProbeTarget, _timeoutMs: number): Promise<ProbeResult> {
    const reg = this.registry();
    if (!reg) return Promise.resolve({ ok: false, reason: 'BFD not running' });
    let w = this.watched.get(target.address);
    if (w && w.reg !== reg) {
      w.off();
      w = undefined;
    }
    if (!w) {
      const entry: Watched = { reg, state: 'Down', off: () => undefined };
      const name = target.name ? `gateway_track ${target.name}` : target.address;
      const address = target.address;
      let watching = false;
      // The listener hears the current state at once (inside watch()), then every change.
      entry.off = reg.watch(address, { name, anySource: true }, (e) => {
        const changed = e.state !== entry.state;
        entry.state = e.state;
        if (watching && changed)
          this.onChange(address, { ok: e.state === 'Up', reason: `BFD ${e.state}` });
      });
      watching = true;
      this.watched.set(target.address, entry);
      w = entry;
    }
    return Promise.resolve({ ok: w.state === 'Up', reason: `BFD ${w.state}` });
  }

  /** Stops watching every address not in `keep`. */
  retain(keep: ReadonlySet<string>): void {
    for (const [address, w] of this.watched) {
      if (keep.has(address)) continue;
      w.off();
      this.watched.delete(address);
    }
  }

  close(): void {
    this.retain(new Set());
  }
}
