/**
 * Announcer: gratuitous ARP (IPv4 VIPs) and unsolicited NA (IPv6 VIPs) bursts through a
 * send-only packet socket, as keepalived 2.2.7 sends them (protocols.md §1.8, §2.5): ARP
 * requests from the interface MAC, NAs from the VIP to ff02::1 with O set and R only when the
 * interface forwards IPv6. I/O module; the frames come from garp.ts.
 *
 * Pacing: `garp_interval` / `gna_interval` (global) space the frames; 0 sends them back to back.
 */
import { readFileSync } from 'node:fs';
import { PacketSocket } from '../os/native.js';
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

  /** `repeat` rounds of one frame per VIP (VIPs on another `dev` are skipped: not our MAC). */
  async burst(repeat: number): Promise<void> {
    const router = forwardsIpv6(this.t.ifname);
    const frames = this.t.vips
      .filter((v) => v.dev === null || v.dev === this.t.ifname)
      .map((v) => ({
        family: v.family,
        frame: Buffer.from(
          v.family === 4
            ? buildGratuitousArp({ vip: v.address, mac: this.t.mac })
            : buildUnsolicitedNa({ vip: v.address, mac: this.t.mac, router }),
        ),
      }));
    for (let i = 0; i < repeat && !this.closed; i++) {
      for (const f of frames) {
        if (this.closed) return;
        try {
          this.socket().send(f.frame);
          this.sent++;
        } catch {
          // A full queue or a link going down loses this frame only; the next burst retries.
        }
        const gap = f.family === 4 ? this.garpIntervalMs : this.gnaIntervalMs;
        if (gap > 0) await sleep(gap);
      }
    }
  }

  close(): void {
    this.closed = true;
    this.sock?.close();
    this.sock = null;
  }
}
