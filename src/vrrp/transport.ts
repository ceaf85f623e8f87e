/**
 * VrrpTransport: how one instance sends and receives VRRP messages, and the real one on a raw
 * IP socket (protocol 112) from the native addon. I/O module.
 *
 * Multicast: 224.0.0.18 / ff02::12 (or the global vrrp_mcast_group4/6) joined on the interface,
 * TTL / hop limit 255, TOS / traffic class 0xc0, loopback off, IP_MULTICAST_ALL off.
 * Unicast (unicast_peer): one copy per peer from unicast_src_ip, TTL unicast_ttl (IPv4: 255;
 * IPv6: the kernel's default hop limit, 64, unless unicast_ttl is set, as keepalived).
 * Receive: IPv4 reads carry the IP header (TTL, destination); IPv6 gets the destination and hop
 * limit from IPV6_PKTINFO / IPV6_HOPLIMIT, and the kernel checks the checksum (IPV6_CHECKSUM 6),
 * as keepalived does.
 *
 * Sockets: each instance sends on a socket of its own (its TTL, its source) that accepts
 * nothing (a drop-all filter, as keepalived's send sockets). Receiving is shared, as in
 * keepalived: one socket per interface, family, multicast group (or unicast source) and checksum
 * option decodes each packet once and hands it to the instances of its VRID only; a packet that
 * does not decode goes to every instance on that socket, each of which counts the drop. With
 * one receive socket per instance, 100 instances at 0.1 s made the kernel copy 1,000 adverts a
 * second into each of 100 sockets, and the backup lost adverts. A unicast receiver keeps only
 * adverts sent to its source address, as keepalived's socket bound to unicast_src_ip does.
 */
import { RawSocket, ifNameToIndex, type InetMessage, type SendBatch } from '../os/native.js';
import { IPPROTO_VRRP } from './frame.js';
import { bytesEqual, parseIp } from './ip-addr.js';
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
  /** IPv4 default 255 (config); null: IPv6 without unicast_ttl, the kernel's default hop limit. */
  unicastTtl: number | null;
  checksum: ChecksumOptions;
  /** The instance's VRID: received adverts for other VRIDs are not delivered. */
  vrid: number;
  /**
   * This instance's share of the shared receive socket's buffer (kernel_rx_buf_size or
   * vrrp_rx_bufs_policy), in bytes; 0: none. The socket gets the sum, as keepalived's.
   */
  rxBufShare?: number;
}

/** One instance's wire. `send` takes a function so v3/IPv4 can put each destination in its checksum. */
export interface VrrpTransport {
  /** Sends one message per destination; returns how many went out. */
  send(build: (dst: string) => Uint8Array): number;
  /** Adds what `send` would send to `batch` (sent later by batch.run()); returns how many. */
  addTo(batch: SendBatch, build: (dst: string) => Uint8Array): number;
  /** Decoded packets (or typed drops) as they arrive. */
  onPacket(cb: Listener): void;
  /** Delivers now, synchronously, whatever the kernel has queued (every instance sharing it). */
  drain(): void;
  close(): void;
}

/** A decoded packet (or a typed drop) and when the kernel received it (µs, monotonic). */
type Listener = (r: DecodeResult, rxMonoUs?: number) => void;

/** global_defs log_unknown_vrids: where adverts for a VRID nobody here runs are reported. */
let unknownVrid: ((message: string) => void) | null = null;

export function logUnknownVrids(log: ((message: string) => void) | null): void {
  unknownVrid = log;
}

/** One receive socket shared by the instances with the same interface, family, group, checksum. */
class SharedReceiver {
  private static readonly all = new Map<string, SharedReceiver>();
  private readonly sock: RawSocket;
  private readonly byVrid = new Map<number, Set<Listener>>();
  private users = 0;
  /** Receive buffer shares of the instances on this socket (keepalived sums them). */
  private readonly shares = new Map<Listener, number>();
  /** Unicast: adverts to another local address are not ours (keepalived binds to the source). */
  private readonly unicastDst: Uint8Array | null;

  private constructor(
    private readonly key: string,
    private readonly o: VrrpTransportOptions,
    private readonly ifindex: number,
  ) {
    this.unicastDst = o.peers.length > 0 ? parseIp(o.source, o.family) : null;
    const s = RawSocket.open(o.family, IPPROTO_VRRP);
    this.sock = s;
    try {
      s.bindToDevice(o.ifname);
      s.setOption('multicastAll', false);
      // Arrival times from the kernel: the down timer runs from when the advert came, not from
      // when the event loop got to it.
      s.setOption('timestampNs', true);
      if (o.family === 6) {
        s.setOption('recvPktInfo', true);
        s.setOption('recvTtl', true);
        s.setOption('checksum', 6);
      }
      if (o.peers.length === 0) s.joinGroup(o.group, ifindex);
    } catch (e) {
      s.close();
      throw e;
    }
    s.on('message', (m) => this.onMessage(m));
    s.on('error', () => {
      // A read error on a raw socket is transient (ENOBUFS…); the next readiness retries.
    });
  }

  static acquire(o: VrrpTransportOptions, ifindex: number): SharedReceiver {
    const mode = o.peers.length > 0 ? `unicast to ${o.source}` : o.group;
    const key = JSON.stringify([o.ifname, o.family, mode, o.checksum]);
    let r = SharedReceiver.all.get(key);
    if (!r) {
      r = new SharedReceiver(key, o, ifindex);
      SharedReceiver.all.set(key, r);
    }
    r.users++;
    return r;
  }

  add(vrid: number, l: Listener, rxBufShare = 0): void {
    let set = this.byVrid.get(vrid);
    if (!set) this.byVrid.set(vrid, (set = new Set()));
    set.add(l);
    if (rxBufShare > 0) {
      this.shares.set(l, rxBufShare);
      this.applyRcvbuf();
    }
  }

  /** SO_RCVBUF = the sum of the shares (the kernel doubles it, and caps it at rmem_max). */
  private applyRcvbuf(): void {
    let sum = 0;
    for (const n of this.shares.values()) sum += n;
    if (sum === 0 || this.sock.isClosed) return;
    try {
      this.sock.setOption('rcvbuf', Math.min(sum, 0x7fffffff));
    } catch {
      // keepalived logs and goes on with the kernel's default; so does the socket here.
    }
  }

  /** Reads until the queue is empty (without waiting for the loop to report readiness). */
  drain(): void {
    for (let i = 0; i < 64 && !this.sock.isClosed; i++) {
      let m: InetMessage | null;
      try {
        m = this.sock.receive();
      } catch {
        return; // transient (ENOBUFS…): the next readiness retries
      }
      if (m === null) return;
      this.onMessage(m);
    }
  }

  release(vrid: number, l: Listener): void {
    const set = this.byVrid.get(vrid);
    set?.delete(l);
    if (set?.size === 0) this.byVrid.delete(vrid);
    if (this.shares.delete(l) && this.users > 1) this.applyRcvbuf();
    if (--this.users > 0) return;
    SharedReceiver.all.delete(this.key);
    this.sock.close();
  }

  private onMessage(m: InetMessage): void {
    if (m.ifindex !== undefined && m.ifindex !== this.ifindex) return;
    const data = new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.length);
    const o = this.o;
    const r =
      o.family === 4
        ? decodeIpv4(data, o.checksum)
        : decodeIpv6(
            data,
            { src: m.address, dst: m.destination ?? o.group, hopLimit: m.ttl ?? null },
            o.checksum,
          );
    if (r.ok) {
      const dst = this.unicastDst;
      if (dst && !bytesEqual(dst, parseIp(r.advert.ip.dst, o.family) ?? new Uint8Array())) return;
      const ls = this.byVrid.get(r.advert.vrid);
      if (ls) for (const l of [...ls]) l(r, m.rxMonoUs);
      else
        unknownVrid?.(
          `Unknown VRID(${r.advert.vrid}) received on interface(${o.ifname}). ignoring...`,
        );
    } else {
      for (const set of [...this.byVrid.values()]) for (const l of [...set]) l(r);
    }
  }
}

/** A view, not a copy: the encoder's bytes are kept and never changed. */
const asBuffer = (b: Uint8Array): Buffer => Buffer.from(b.buffer, b.byteOffset, b.byteLength);

export class RawVrrpTransport implements VrrpTransport {
  private readonly sock: RawSocket;
  private readonly ifindex: number;
  private readonly receiver: SharedReceiver;
  private cb: Listener | null = null;
  private readonly listener: Listener = (r, rx) => this.cb?.(r, rx);
  private readonly sendOptions: { ifindex: number; source: string };

  constructor(private readonly o: VrrpTransportOptions) {
    this.ifindex = ifNameToIndex(o.ifname);
    this.sendOptions = { ifindex: this.ifindex, source: o.source };
    const s = RawSocket.open(o.family, IPPROTO_VRRP);
    this.sock = s;
    try {
      s.dropAllInput();
      s.bindToDevice(o.ifname);
      s.setOption('tos', 0xc0);
      s.setOption('multicastLoop', false);
      s.setOption('multicastTtl', 255);
      // IPv6 unicast without unicast_ttl: the kernel's default hop limit, as keepalived sends.
      const ttl = o.peers.length > 0 ? o.unicastTtl : 255;
      if (ttl !== null) s.setOption('ttl', ttl);
      s.setOption('multicastIf', this.ifindex);
      if (o.family === 6) s.setOption('checksum', 6);
      this.receiver = SharedReceiver.acquire(o, this.ifindex);
    } catch (e) {
      s.close();
      throw e;
    }
    this.receiver.add(o.vrid, this.listener, o.rxBufShare ?? 0);
  }

  send(build: (dst: string) => Uint8Array): number {
    let sent = 0;
    for (const dst of this.destinations()) {
      try {
        this.sock.send(asBuffer(build(dst)), dst, this.sendOptions);
        sent++;
      } catch {
        // EAGAIN / ENETUNREACH on one peer must not stop the others; the counter shows it.
      }
    }
    return sent;
  }

  addTo(batch: SendBatch, build: (dst: string) => Uint8Array): number {
    const dsts = this.destinations();
    for (const dst of dsts) batch.addRaw(this.sock, asBuffer(build(dst)), dst, this.sendOptions);
    return dsts.length;
  }

  /** One copy per unicast peer, else one to the group. */
  private destinations(): readonly string[] {
    return this.o.peers.length > 0 ? this.o.peers : [this.o.group];
  }

  onPacket(cb: Listener): void {
    this.cb = cb;
  }

  drain(): void {
    this.receiver.drain();
  }

  close(): void {
    this.cb = null;
    this.receiver.release(this.o.vrid, this.listener);
    this.sock.close();
  }
}
