/**
 * BFD's sockets (RFC 5881 single hop): the I/O half of the BFD sessions (sessions.ts).
 *
 * Receive: Node's dgram cannot report a datagram's TTL/hop limit and the addon has no UDP
 * sockets, so control packets are read from a raw IPPROTO_UDP socket per family (addon,
 * IP_RECVTTL / IPV6_RECVHOPLIMIT, IP(V6)_PKTINFO) filtered to port 3784 in TypeScript. A
 * node:dgram socket is bound to port 3784 as well, only so the kernel does not answer the
 * peer with ICMP port unreachable; what it reads is discarded. Cost: the raw socket sees a
 * copy of every UDP datagram the host receives (the addon has no BPF filter for it).
 * Send: one node:dgram socket per session, bound to an ephemeral port in 49152–65535 (fixed
 * for the session's life) and to the configured source address, TTL/hop limit 255
 * (setTTL sets IP_TTL or IPV6_UNICAST_HOPS).
 */
import { createSocket, type Socket } from 'node:dgram';
import { isIPv6 } from 'node:net';
import { RawSocket, type RawMessage } from '../os/native.js';
import { BFD_CONTROL_PORT, BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, BFD_TTL } from './packet.js';
import { parseRawUdp } from './udp.js';

const IPPROTO_UDP = 17;

/** One received control packet, before BFD decoding. */
export interface BfdDatagram {
  family: 4 | 6;
  source: string;
  sourcePort: number;
  /** TTL / hop limit as received (ancillary data, else the IPv4 header). */
  ttl: number | undefined;
  ifindex: number | undefined;
  payload: Uint8Array;
}

/** What the session registry needs from the network; tests pass an in-memory one. */
export interface BfdTransport {
  /** Starts delivering packets to `onPacket` (idempotent per family). */
  listen(family: 4 | 6, onPacket: (d: BfdDatagram) => void): void;
  /** Opens a sender bound to `source` (or any address) on a port in 49152–65535. */
  openSender(neighbour: string, source: string | null): Promise<BfdSender>;
  close(): void;
}

export interface BfdSender {
  readonly port: number;
  send(packet: Uint8Array): void;
  close(): void;
}

/** The family of an address literal (a `%scope` suffix allowed). */
export function familyOf(address: string): 4 | 6 {
  return isIPv6(address.split('%')[0]) ? 6 : 4;
}

/** The real sockets. Needs CAP_NET_RAW (raw sockets) and the native addon. */
export class UdpTransport implements BfdTransport {
  private readonly raw = new Map<4 | 6, RawSocket>();
  private readonly guards: Socket[] = [];
  /** Each open sender and its graceful close. */
  private readonly senders = new Map<Socket, () => void>();
  /** Errors that are not fatal (a send into a link that is down) go here. */
  constructor(private readonly onError: (err: Error) => void = () => undefined) {}

  listen(family: 4 | 6, onPacket: (d: BfdDatagram) => void): void {
    if (this.raw.has(family)) return;
    const sock = RawSocket.open(family, IPPROTO_UDP);
    sock.setOption('recvTtl', true).setOption('recvPktInfo', true);
    sock.on('error', this.onError);
    sock.on('message', (m: RawMessage) => {
      const u = parseRawUdp(family, m.data);
      if (!u.ok || u.dstPort !== BFD_CONTROL_PORT) return;
      onPacket({
        family,
        source: m.address,
        sourcePort: u.srcPort,
        ttl: m.ttl ?? u.ttl,
        ifindex: m.ifindex,
        payload: u.payload,
      });
    });
    this.raw.set(family, sock);
    // The port must be bound, or the kernel answers every packet with port unreachable.
    const guard = createSocket({ type: family === 6 ? 'udp6' : 'udp4', ipv6Only: family === 6 });
    guard.on('error', this.onError);
    guard.on('message', () => undefined);
    guard.bind(BFD_CONTROL_PORT);
    this.guards.push(guard);
  }

  async openSender(neighbour: string, source: string | null): Promise<BfdSender> {
    const family = familyOf(neighbour);
    let lastErr: unknown;
    // A random start spreads sessions over the range; collisions just try the next port.
    const span = BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1;
    const first = Math.floor(Math.random() * span);
    for (let i = 0; i < 64; i++) {
      const port = BFD_SOURCE_PORT_MIN + ((first + i) % span);
      const sock = createSocket({ type: family === 6 ? 'udp6' : 'udp4' });
      try {
        await new Promise<void>((resolve, reject) => {
          sock.once('error', reject);
          sock.bind({ port, address: source ?? undefined, exclusive: true }, () => {
            sock.off('error', reject);
            resolve();
          });
        });
      } catch (err) {
        sock.close();
        lastErr = err;
        if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') continue;
        throw err;
      }
      sock.setTTL(BFD_TTL);
      sock.on('error', this.onError);
      sock.on('message', () => undefined);
      // close() waits for queued sends, so the last AdminDown packet still leaves.
      let pending = 0;
      let closing = false;
      const finish = (): void => {
        if (closing && pending === 0 && this.senders.delete(sock)) sock.close();
      };
      const close = (): void => {
        closing = true;
        finish();
      };
      this.senders.set(sock, close);
      return {
        port,
        send: (packet: Uint8Array): void => {
          if (closing) return;
          pending++;
          sock.send(packet, BFD_CONTROL_PORT, neighbour, (err) => {
            pending--;
            if (err) this.onError(err);
            finish();
          });
        },
        close,
      };
    }
    throw lastErr instanceof Error ? lastErr : new Error('no free BFD source port');
  }

  close(): void {
    for (const s of this.raw.values()) s.close();
    this.raw.clear();
    for (const g of this.guards.splice(0)) g.close();
    for (const close of [...this.senders.values()]) close();
  }
}
