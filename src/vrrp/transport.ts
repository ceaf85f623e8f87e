/**
 * VrrpTransport: how one instance sends and receives VRRP messages, and the real one on a raw
 * IP socket (protocol 112) from the native addon. I/O module.
 *
 * Multicast: 224.0.0.18 / ff02::12 (or the global vrrp_mcast_group4/6) joined on the interface,
 * TTL / hop limit 255, TOS / traffic class 0xc0, loopback off, IP_MULTICAST_ALL off.
 * Unicast (unicast_peer): one copy per peer from unicast_src_ip, TTL unicast_ttl (255).
 * Receive: IPv4 reads carry the IP header (TTL, destination); IPv6 gets the destination and hop
 * limit from IPV6_PKTINFO / IPV6_HOPLIMIT, and the kernel checks the checksum (IPV6_CHECKSUM 6),
 * as keepalived does. One socket per instance, bound to the interface: instances sharing an
 * interface each see every advert and ignore other VRIDs before counting (keepalived: "unknown
 * VRID ignored").
 */
import { RawSocket, ifNameToIndex, type InetMessage } from '../os/native.js';
import { IPPROTO_VRRP } from './frame.js';
import { decodeIpv4, decodeIpv6, type ChecksumOptions } from './packet.js';
import type { DecodeResult, IpFamily } from './types.js';

export interface VrrpTransportOptions {
  ifname: string;
  family: IpFamily;
  /** Our source address: primary IPv4 address / IPv6 link-local, or unicast_src_ip. */
  source: string;
  /** Multicast group; ignored when `peers` is non-empty. */
  group: string;
  peers: string[];
  unicastTtl: number;
  checksum: ChecksumOptions;
}

/** One instance's wire. `send` takes a function so v3/IPv4 can put each destination in its checksum. */
export interface VrrpTransport {
  /** Sends one message per destination; returns how many went out. */
  send(build: (dst: string) => Uint8Array): number;
  /** Decoded packets (or typed drops) as they arrive. */
  onPacket(cb: (r: DecodeResult) => void): void;
  close(): void;
}

export class RawVrrpTransport implements VrrpTransport {
  private readonly sock: RawSocket;
  private readonly ifindex: number;
  private cb: ((r: DecodeResult) => void) | null = null;

  constructor(private readonly o: VrrpTransportOptions) {
    this.ifindex = ifNameToIndex(o.ifname);
    const s = RawSocket.open(o.family, IPPROTO_VRRP);
    this.sock = s;
    try {
      s.bindToDevice(o.ifname);
      s.setOption('tos', 0xc0);
      s.setOption('multicastAll', false);
      s.setOption('multicastLoop', false);
      s.setOption('multicastTtl', 255);
      s.setOption('ttl', o.peers.length > 0 ? o.unicastTtl : 255);
      s.setOption('multicastIf', this.ifindex);
      if (o.family === 6) {
        s.setOption('recvPktInfo', true);
        s.setOption('recvTtl', true);
        s.setOption('checksum', 6);
      }
      if (o.peers.length === 0) s.joinGroup(o.group, this.ifindex);
    } catch (e) {
      s.close();
      throw e;
    }
    s.on('message', (m) => this.onMessage(m));
    s.on('error', () => {
      // A read error on a raw socket is transient (ENOBUFS…); the next readiness retries.
    });
  }

  send(build: (dst: string) => Uint8Array): number {
    const dsts = this.o.peers.length > 0 ? this.o.peers : [this.o.group];
    let sent = 0;
    for (const dst of dsts) {
      try {
        this.sock.send(Buffer.from(build(dst)), dst, {
          ifindex: this.ifindex,
          source: this.o.source,
        });
        sent++;
      } catch {
        // EAGAIN / ENETUNREACH on one peer must not stop the others; the counter shows it.
      }
    }
    return sent;
  }

  onPacket(cb: (r: DecodeResult) => void): void {
    this.cb = cb;
  }

  close(): void {
    this.cb = null;
    this.sock.close();
  }

  private onMessage(m: InetMessage): void {
    if (!this.cb) return;
    if (m.ifindex !== undefined && m.ifindex !== this.ifindex) return;
    const data = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.length);
    const r =
      this.o.family === 4
        ? decodeIpv4(data, this.o.checksum)
        : decodeIpv6(
            data,
            { src: m.address, dst: m.destination ?? this.o.group, hopLimit: m.ttl ?? null },
            this.o.checksum,
          );
    this.cb(r);
  }
}
