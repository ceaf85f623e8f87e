/**
 * Announcer: gratuitous ARP (IPv4 VIPs) and unsolicited NA (IPv6 VIPs) bursts through a
 * send-only packet socket, as keepalived 2.2.7 sends them (protocols.md §1.8, §2.5): ARP
 * requests from the interface MAC, NAs from the VIP to ff02::1 with O set and R only when the
 * interface forwards IPv6. I/O module; the frames come from garp.ts.
 *
 * Pacing: `garp_interval` / `gna_interval` (global) space the frames; 0 sends them back to back.
 * The socket is opened and the frames built by `prepare()` at start, so a takeover spends no
 * time on them between its first advert and its first GARP.
 */
import { readFileSync } from 'node:fs';
import { PacketSocket, type SendBatch } from '../os/native.js';
import { buildGratuitousArp, buildUnsolicitedNa } from './garp.js';

export interface AnnounceTarget {
  ifname: string;
  mac: string;
  vips: { address: string; family: 4 | 6; dev: string | null }[];
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function forwardsIpv6(ifname: string): boolean {
  try {
    return readFileSync(`/proc/sys/net/ipv6/conf/${ifname}/forwarding`, 'utf8').trim() === '1';
  } catch {
    return false;
  }
}

export class Announcer {
  private sock: PacketSocket | null = null;
  private frames: { family: 4 | 6; frame: Buffer }[] | null = null;
  private closed = false;
  /** Frames sent, for status. */
  sent = 0;

  constructor(
    private readonly t: AnnounceTarget,
    private readonly garpIntervalMs = 0,
    private readonly gnaIntervalMs = 0,
  ) {}

  private socket(): PacketSocket {
    this.sock ??= PacketSocket.open(this.t.ifname, 0);
    return this.sock;
  }

  /**
   * Opens the socket and builds the frames now. Called at start; a failure here (the link not
   * up yet) is retried at the first burst.
   */
  prepare(): void {
    try {
      this.socket();
    } catch {
      // burst() opens it again and counts a frame lost per failure.
    }
    this.buildFrames();
  }

  private buildFrames(): { family: 4 | 6; frame: Buffer }[] {
    if (this.frames) return this.frames;
    const mine = this.t.vips.filter((v) => v.dev === null || v.dev === this.t.ifname);
    // The R flag only matters for NAs: read the sysctl only when there are IPv6 VIPs.
    const router = mine.some((v) => v.family === 6) && forwardsIpv6(this.t.ifname);
    this.frames = mine.map((v) => ({
      family: v.family,
      frame: Buffer.from(
        v.family === 4
          ? buildGratuitousArp({ vip: v.address, mac: this.t.mac })
          : buildUnsolicitedNa({ vip: v.address, mac: this.t.mac, router }),
      ),
    }));
    return this.frames;
  }

  /** The frames of `repeat` rounds in order, each with the pause that follows it (ms). */
  private sequence(repeat: number): { frame: Buffer; gap: number }[] {
    const out: { frame: Buffer; gap: number }[] = [];
    for (let i = 0; i < repeat; i++) {
      for (const f of this.buildFrames()) {
        out.push({
          frame: f.frame,
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
      batch.add(this.socket(), f.frame);
      n++;
      if (f.gap > 0) break;
    }
    return n;
  }

  /**
   * `repeat` rounds of one frame per VIP (VIPs on another `dev` are skipped: not our MAC); the
   * first `skip` frames went out already (addFirstTo), `skipSent` of them successfully.
   */
  async burst(repeat: number, skip = 0, skipSent = 0): Promise<void> {
    this.sent += skipSent;
    const seq = this.sequence(repeat);
    for (let i = 0; i < seq.length && !this.closed; i++) {
      if (i >= skip) {
        try {
          this.socket().send(seq[i].frame);
          this.sent++;
        } catch {
          // A full queue or a link going down loses this frame only; the next burst retries.
        }
      }
      if (seq[i].gap > 0 && i + 1 < seq.length) await sleep(seq[i].gap);
    }
  }

  close(): void {
    this.closed = true;
    this.sock?.close();
    this.sock = null;
  }
}
