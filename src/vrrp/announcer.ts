/**
 * Announcer: gratuitous ARP (IPv4 VIPs) and unsolicited NA (IPv6 VIPs) bursts through a
 * send-only packet socket, as keepalived 2.2.7 sends them (protocols.md §1.8, §2.5): ARP
 * requests from the interface MAC, NAs from the VIP to ff02::1 with O set and R only when the
 * interface forwards IPv6. Each VIP is announced on the interface it lives on, from that
 * interface's MAC (the instance's VMAC, an address VMAC of use_vmac_addr, or a plain `dev`),
 * one send-only socket per interface. I/O module; the frames come from garp.ts.
 *
 * Pacing: `garp_interval` / `gna_interval` (global) space the frames; 0 sends them back to back.
 * The socket is opened and the frames built by `prepare()` at start, so a takeover spends no
 * time on them between its first advert and its first GARP.
 */
import { readFileSync } from 'node:fs';
import { PacketSocket, type SendBatch } from '../os/native.js';
import { buildGratuitousArp, buildUnsolicitedNa } from './garp.js';

/** One VIP, on the interface it lives on and with that interface's MAC. */
export interface AnnouncedVip {
  address: string;
  family: 4 | 6;
  ifname: string;
  mac: string;
  /** Position in [...virtual_ipaddress, ...virtual_ipaddress_excluded]. */
  index: number;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function forwardsIpv6(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

interface Frame {
  family: 4 | 6;
  ifname: string;
  frame: Buffer;
}

export class Announcer {
  private readonly socks = new Map<string, PacketSocket>();
  private frames: Frame[] | null = null;
  private closed = false;
  /** Frames sent, for status. */
  sent = 0;

  constructor(
    private readonly vips: readonly AnnouncedVip[],
    private readonly garpIntervalMs = 0,
    private readonly gnaIntervalMs = 0,
    /** garp_extra_if: the VIPs (by index) that get one frame per round (vip-placement.ts). */
    private readonly extraIf: ReadonlySet<number> = new Set(),
  ) {}

  private socket(ifname: string): PacketSocket {
    let s = this.socks.get(ifname);
    if (!s) this.socks.set(ifname, (s = PacketSocket.open(ifname, 0)));
    return s;
  }

  /**
   * Opens the socket and builds the frames now. Called at start; a failure here (the link not
   * up yet) is retried at the first burst.
   */
  prepare(): void {
    for (const ifname of new Set(this.vips.map((v) => v.ifname))) {
      try {
        this.socket(ifname);
      } catch {
        // burst() opens it again and counts a frame lost per failure.
      }
    }
    this.buildFrames();
  }

  private buildFrames(): Frame[] {
    if (this.frames) return this.frames;
    // The R flag only matters for NAs: read the sysctl only for IPv6 VIPs.
    this.frames = this.vips.map((v) => ({
      family: v.family,
      ifname: v.ifname,
      frame: Buffer.from(
        v.family === 4
          ? buildGratuitousArp({ vip: v.address, mac: v.mac })
          : buildUnsolicitedNa({ vip: v.address, mac: v.mac, router: forwardsIpv6(v.ifname) }),
      ),
    }));
    return this.frames;
  }

  /** The frames of `repeat` rounds in order, each with the pause that follows it (ms). */
  private sequence(repeat: number): { frame: Frame; gap: number }[] {
    const out: { frame: Frame; gap: number }[] = [];
    for (let i = 0; i < repeat; i++) {
      for (const f of this.buildFrames()) {
        out.push({
          frame: f,
          gap: f.family === 4 ? this.garpIntervalMs : this.gnaIntervalMs,
        });
      }
    }
    return out;
  }

  /**
   * Adds to `batch` the frames `burst(repeat)` sends before its first pause (all of them when
   * garp_interval / gna_interval are 0); returns how many, to pass to burst as `skip`.
   */
  addFirstTo(batch: SendBatch, repeat: number): number {
    const seq = this.sequence(repeat);
    let n = 0;
    for (const f of seq) {
      batch.add(this.socket(f.frame.ifname), f.frame.frame);
      n++;
      if (f.gap > 0) break;
    }
    return n;
  }

  /**
   * `repeat` rounds of one frame per VIP; the first `skip` frames went out already
   * (addFirstTo), `skipSent` of them successfully.
   */
  async burst(repeat: number, skip = 0, skipSent = 0): Promise<void> {
    this.sent += skipSent;
    const seq = this.sequence(repeat);
    for (let i = 0; i < seq.length && !this.closed; i++) {
      if (i >= skip) {
        try {
          const f = seq[i].frame;
          this.socket(f.ifname).send(f.frame);
          this.sent++;
        } catch {
          // A full queue or a link going down loses this frame only; the next burst retries.
        }
      }
      if (seq[i].gap > 0 && i + 1 < seq.length) await sleep(seq[i].gap);
    }
  }

  /**
   * One GARP/NA for an address that is not a VIP (a unicast instance's own source, when it
   * leaves FAULT, so the master's neighbour entry for it is fresh, as keepalived does).
   */
  announceOnce(a: Omit<AnnouncedVip, 'index'>): void {
    if (this.closed) return;
    const frame =
      a.family === 4
        ? buildGratuitousArp({ vip: a.address, mac: a.mac })
        : buildUnsolicitedNa({ vip: a.address, mac: a.mac, router: forwardsIpv6(a.ifname) });
    try {
      this.socket(a.ifname).send(Buffer.from(frame));
      this.sent++;
    } catch {
      // The link may still be down; keepalived does not retry either.
    }
  }

  /** One garp_extra_if round: one frame for each chosen VIP, back to back (one per interface). */
  extraIfRound(): void {
    const frames = this.buildFrames();
    this.vips.forEach((v, i) => {
      if (!this.extraIf.has(v.index) || this.closed) return;
      try {
        this.socket(v.ifname).send(frames[i].frame);
        this.sent++;
      } catch {
        // As in burst(): this frame only is lost.
      }
    });
  }

  close(): void {
    this.closed = true;
    for (const s of this.socks.values()) s.close();
    this.socks.clear();
  }
}
