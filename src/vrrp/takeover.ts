/**
 * A takeover's sends, prepared while a backup's down timer is about to fire (instance-timer
 * `near`). The machine's outcome at the deadline is computed ahead (step is pure); when it is
 * the takeover (advert, then VIPs, then GARP/NA), the advert bytes, the VIP requests (unacked
 * rtnetlink: the kernel applies them inside sendmsg, os/rtnl/unacked.ts) and the first GARP/NA
 * frames go into one native SendBatch. At the deadline they leave in one call, in keepalived's
 * order, with no JavaScript between them: measured in the lab, the JavaScript between those
 * sends cost 0.3–1 ms per takeover (it runs once in a long while, so it runs cold), against
 * 0.1–0.2 ms for keepalived from its advert to its GARP. I/O module.
 *
 * The normal path still runs after it: the acked VIP adds on the instance's chain (EEXIST
 * counts as added, and reports any other failure), routes and rules, and the rest of the
 * GARP/NA burst.
 */
import { SendBatch } from '../os/native.js';
import type { InstanceAddresses } from './addresses.js';
import type { Announcer } from './announcer.js';
import type { MachineEffect } from './machine-types.js';
import type { VrrpTransport } from './transport.js';

export interface TakeoverParts {
  transport: VrrpTransport;
  encode: (priority: number, dst: string) => Uint8Array;
  addrs: InstanceAddresses;
  announcer: Announcer;
  /** A no_accept filter must be in place before the VIPs: then there is no fast path. */
  filtered: boolean;
}

/** What one run sent, for the effects that follow to account for. */
export interface TakeoverSent {
  /** Adverts that went out. */
  adverts: number;
  /** Every VIP request went out (the VIPs exist). */
  vips: boolean;
  /** GARP/NA frames handed to the batch (burst's `skip`) and how many went out. */
  frames: number;
  framesSent: number;
}

export class PreparedTakeover {
  private constructor(
    private readonly batch: SendBatch,
    private readonly nAdverts: number,
    private readonly nVips: number,
    private readonly nFrames: number,
  ) {}

  /** The batch for `effects`, or null when they are not a takeover or a part is not ready. */
  static build(effects: readonly MachineEffect[], parts: TakeoverParts): PreparedTakeover | null {
    const at = (t: MachineEffect['type']): number => effects.findIndex((fx) => fx.type === t);
    const [iAdvert, iVips, iGarp] = [at('send-advert'), at('add-vips'), at('garp')];
    if (iAdvert < 0 || iVips < iAdvert || iGarp < iVips) return null;
    const advert = effects[iAdvert];
    const garp = effects[iGarp];
    if (advert.type !== 'send-advert' || garp.type !== 'garp' || advert.priority === 0) return null;
    if (parts.filtered) return null;
    try {
      const batch = new SendBatch();
      const nAdverts = parts.transport.addTo(batch, (dst) => parts.encode(advert.priority, dst));
      const nVips = parts.addrs.addVipsTo(batch);
      if (nVips === null) return null;
      const nFrames = parts.announcer.addFirstTo(batch, garp.repeat);
      return new PreparedTakeover(batch, nAdverts, nVips, nFrames);
    } catch {
      return null; // a socket that cannot open now: the normal path reports it
    }
  }

  /** Runs an empty one, so run() is compiled before the first takeover needs it. */
  static warm(): void {
    new PreparedTakeover(new SendBatch(), 0, 0, 0).run();
  }

  run(): TakeoverSent {
    const errs = this.batch.run();
    const ok = (from: number, n: number): number =>
      errs.slice(from, from + n).filter((e) => e === 0).length;
    return {
      adverts: ok(0, this.nAdverts),
      vips: ok(this.nAdverts, this.nVips) === this.nVips,
      frames: this.nFrames,
      framesSent: ok(this.nAdverts + this.nVips, this.nFrames),
    };
  }
}
