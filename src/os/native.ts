/**
 * Typed face of the native addon (native/, built to build/Release/stayalive_native.node):
 * raw IP sockets, AF_PACKET sockets, unix datagram sockets and netlink sockets, with
 * readiness from libuv polling. Only syscalls live in C++; every packet and netlink
 * message is encoded and decoded in TypeScript elsewhere.
 *
 * I/O module (not pure). The addon is loaded lazily, on first use, so importing this file
 * never fails on a machine where it was not built.
 *
 * Sockets are EventEmitters: adding the first 'message' listener starts polling, removing
 * the last stops it; close() stops polling and closes the fd. A socket that polls keeps the
 * event loop alive unless unref() is called (as with Node's own sockets).
 * Sends are non-blocking: a full send buffer throws code EAGAIN rather than waiting.
 * Errors from the kernel are Node-style: `code` ('EPERM', 'ENODEV'…), `errno` (negative,
 * as in libuv) and `syscall`. Bad address literals throw TypeError code ERR_INVALID_IP_ADDRESS.
 */
import { EventEmitter } from 'node:events';
import { unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { ErrorCodes, StayaliveError } from '../core/errors.js';

/** What recv() gives back for every kind; the optional fields depend on the kind. */
export interface RawMessage {
  data: Buffer;
  address: string;
  truncated?: boolean;
  /** Raw IP: ifindex from IP_PKTINFO / IPV6_PKTINFO (needs recvPktInfo). Packet: sll_ifindex. */
  ifindex?: number;
  /** Raw IP: TTL (IPv4) or hop limit (IPv6), from IP_RECVTTL / IPV6_RECVHOPLIMIT. */
  ttl?: number;
  /** Raw IP: the packet's destination address, from pktinfo. */
  destination?: string;
  /**
   * Raw IP, with the `timestampNs` option: when the kernel received the packet, in µs on the
   * monotonic clock (the one process.hrtime reads).
   */
  rxMonoUs?: number;
  /** IPv6 source scope id (link-local). */
  scopeId?: number;
  /** Packet: ethertype and PACKET_* type (0 host, 1 broadcast, 2 multicast, 4 outgoing). */
  protocol?: number;
  packetType?: number;
  /** Netlink: multicast groups of the sender (address is its port id). */
  groups?: number;
}

/** IPv4 raw reads include the IP header; IPv6 raw reads start at the payload. */
export type InetMessage = RawMessage;
export interface PacketMessage extends RawMessage {
  ifindex: number;
  protocol: number;
  packetType: number;
}
export type UnixMessage = RawMessage;
export interface NetlinkMessage extends RawMessage {
  groups: number;
}

/** Integer options by name; the addon maps each to the IPv4 or IPv6 constant. */
export type RawOption =
  | 'ttl' // IP_TTL / IPV6_UNICAST_HOPS
  | 'multicastTtl' // IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS
  | 'multicastLoop' // IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP
  | 'multicastAll' // IP_MULTICAST_ALL / IPV6_MULTICAST_ALL
  | 'multicastIf' // IP_MULTICAST_IF (ip_mreqn by ifindex) / IPV6_MULTICAST_IF
  | 'recvPktInfo' // IP_PKTINFO / IPV6_RECVPKTINFO
  | 'recvTtl' // IP_RECVTTL / IPV6_RECVHOPLIMIT
  | 'tos' // IP_TOS / IPV6_TCLASS
  | 'hdrIncl' // IP_HDRINCL (IPv4 only)
  | 'checksum' // IPV6_CHECKSUM offset (IPv6 only; 6 for VRRP; not for ICMPv6)
  | 'timestampNs' // SO_TIMESTAMPNS: messages carry rxMonoUs
  | BufferOption;
export type BufferOption = 'rcvbuf' | 'sndbuf';
export type PacketOption = 'ignoreOutgoing' | BufferOption;
export type NetlinkOption =
  'addMembership' | 'dropMembership' | 'extAck' | 'getStrictChk' | 'noEnobufs' | BufferOption;

/** The addon's own object, as declared in native/socket.cc. */
interface NativeHandle {
  readonly fd: number;
  setOption(name: string, value: number): void;
  bindToDevice(device: string): void;
  bindAddress(address: string, scopeId?: number): void;
  membership(join: boolean, group: string, ifindex: number): void;
  dropAllInput(): void;
  send(data: Buffer, destination?: string, ifindex?: number, source?: string): number;
  recv(): RawMessage | null;
  startPolling(onReadable: (err?: Error) => void): void;
  stopPolling(): void;
  keepAlive(on: boolean): void;
  close(): void;
}

interface NativeBinding {
  NativeSocket: {
    new (kind: 'raw', family: 4 | 6, protocol: number): NativeHandle;
    new (kind: 'packet', ifindex: number, ethertype: number): NativeHandle;
    new (kind: 'unix', bindPath: string | null): NativeHandle;
    new (kind: 'netlink', protocol: number, groups: number): NativeHandle;
  };
  SendBatch: { new (): NativeBatch; disarmSignals(): void };
  ifNameToIndex(name: string): number;
  ifIndexToName(index: number): string;
  setTimerSlack(ns: number): number;
}

/** send-batch.cc */
interface NativeBatch {
  add(
    socket: NativeHandle,
    data: Buffer,
    destination?: string,
    ifindex?: number,
    source?: string,
  ): number;
  run(): number[];
  readonly size: number;
  armSignals(signals: number[]): void;
  readonly fired: boolean;
}

const ADDON_PATHS = [
  '../../build/Release/stayalive_native.node', // src/os or dist/os
  '../../../build/Release/stayalive_native.node', // dist/src/os
];

let binding: NativeBinding | undefined;

/** Loads the addon once; throws SA_ERR_OS with the load error as cause when it is missing. */
export function loadNative(): NativeBinding {
  if (binding) return binding;
  const require = createRequire(import.meta.url);
  let first: unknown;
  for (const p of ADDON_PATHS) {
    try {
      binding = require(p) as NativeBinding;
      return binding;
    } catch (err) {
      first ??= err;
    }
  }
  throw new StayaliveError(
    ErrorCodes.OS,
    'native addon build/Release/stayalive_native.node not loadable (run npm ci or node-gyp rebuild)',
    { cause: first },
  );
}

/** True when the addon is built and loads. */
export function nativeAvailable(): boolean {
  try {
    loadNative();
    return true;
  } catch {
    return false;
  }
}

/** if_nametoindex; throws code ENODEV for an unknown name. */
export function ifNameToIndex(name: string): number {
  return loadNative().ifNameToIndex(name);
}

/** if_indextoname; throws code ENXIO/ENODEV for an unused index. */
export function ifIndexToName(index: number): string {
  return loadNative().ifIndexToName(index);
}

/**
 * PR_SET_TIMERSLACK for the main thread: its timed sleeps (futex, epoll) may then wake at most
 * `ns` late instead of the default 50 µs. Returns the previous slack.
 */
export function setTimerSlack(ns: number): number {
  return loadNative().setTimerSlack(ns);
}

interface SocketEvents<M> {
  message: [M];
  error: [Error];
  close: [];
  // Emitted by EventEmitter itself; listed so the typed emitter lets us watch them.
  newListener: [event: string | symbol];
  removeListener: [event: string | symbol];
}

/** At most this many reads per readiness event, so one busy socket cannot starve the loop. */
const DRAIN_BATCH = 64;

/** Each socket's native handle, for SendBatch (kept out of the sockets' public surface). */
const handles = new WeakMap<object, NativeHandle>();

/** Shared polling and lifetime for every kind. */
abstract class NativeSocketBase<M extends RawMessage> extends EventEmitter<SocketEvents<M>> {
  protected readonly handle: NativeHandle;
  private polling = false;
  private closed = false;
  private refed = true;

  protected constructor(handle: NativeHandle) {
    super();
    this.handle = handle;
    handles.set(this, handle);
    this.on('newListener', (event: string | symbol) => {
      if (event === 'message') queueMicrotask(() => this.updatePolling());
    });
    this.on('removeListener', (event: string | symbol) => {
      if (event === 'message') this.updatePolling();
    });
  }

  /** The file descriptor, or -1 once closed. */
  get fd(): number {
    return this.handle.fd;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** One non-blocking read; null when nothing is queued. For callers that poll themselves. */
  receive(): M | null {
    return this.handle.recv() as M | null;
  }

  /** Polling no longer keeps the process alive. */
  unref(): this {
    this.refed = false;
    this.handle.keepAlive(false);
    return this;
  }

  ref(): this {
    this.refed = true;
    this.handle.keepAlive(true);
    return this;
  }

  /** Stops polling and closes the fd; no 'message' is emitted after this returns. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.polling = false;
    this.handle.close();
    this.emit('close');
  }

  protected setIntOption(name: string, value: number | boolean): void {
    this.handle.setOption(name, typeof value === 'boolean' ? (value ? 1 : 0) : value);
  }

  private updatePolling(): void {
    const want = !this.closed && this.listenerCount('message') > 0;
    if (want === this.polling) return;
    this.polling = want;
    if (want) {
      this.handle.keepAlive(this.refed);
      this.handle.startPolling(this.onReadable);
    } else {
      this.handle.stopPolling();
    }
  }

  private readonly onReadable = (err?: Error): void => {
    if (err) {
      this.emit('error', err);
      return;
    }
    for (let i = 0; i < DRAIN_BATCH && !this.closed; i++) {
      let msg: RawMessage | null;
      try {
        msg = this.handle.recv();
      } catch (e) {
        this.emit('error', e as Error);
        return;
      }
      if (msg === null) return;
      this.emit('message', msg as M);
    }
  };
}

export interface RawSendOptions {
  /** Outgoing interface (IP(V6)_PKTINFO; also the scope of an IPv6 link-local destination). */
  ifindex?: number;
  /** Source address (IP(V6)_PKTINFO); must be local. */
  source?: string;
}

/** A raw IPv4/IPv6 socket for one IP protocol (112 VRRP, 1 ICMP, 58 ICMPv6). Needs CAP_NET_RAW. */
export class RawSocket extends NativeSocketBase<InetMessage> {
  readonly family: 4 | 6;
  readonly protocol: number;

  private constructor(handle: NativeHandle, family: 4 | 6, protocol: number) {
    super(handle);
    this.family = family;
    this.protocol = protocol;
  }

  static open(family: 4 | 6, protocol: number): RawSocket {
    const { NativeSocket } = loadNative();
    return new RawSocket(new NativeSocket('raw', family, protocol), family, protocol);
  }

  setOption(name: RawOption, value: number | boolean): this {
    this.setIntOption(name, value);
    return this;
  }

  /** SO_BINDTODEVICE; '' removes the binding. ENODEV for an unknown device. */
  bindToDevice(device: string): this {
    this.handle.bindToDevice(device);
    return this;
  }

  /** bind() to a local source address. */
  bind(address: string, scopeId?: number): this {
    this.handle.bindAddress(address, scopeId);
    return this;
  }

  joinGroup(group: string, ifindex: number): this {
    this.handle.membership(true, group, ifindex);
    return this;
  }

  leaveGroup(group: string, ifindex: number): this {
    this.handle.membership(false, group, ifindex);
    return this;
  }

  /** Send-only sockets: accept nothing (a drop-all socket filter), as keepalived does. */
  dropAllInput(): this {
    this.handle.dropAllInput();
    return this;
  }

  /** Sends one packet (the payload after the IP header unless hdrIncl); returns bytes sent. */
  send(data: Buffer, destination: string, options: RawSendOptions = {}): number {
    return this.handle.send(data, destination, options.ifindex, options.source);
  }
}

/**
 * Datagrams prepared ahead and sent by one call, in the order added: `add` parses and copies
 * everything (as `send` would take it), `run` is then only sendmsg() calls. For the moments
 * where JavaScript between the sends would cost more than the sends (a VRRP takeover). A
 * socket closed meanwhile gets EBADF, never another socket's fd.
 */
export class SendBatch {
  private readonly b: NativeBatch = new (loadNative().SendBatch)();

  /** A raw IP datagram to `destination` (RawSocket.send's arguments). */
  addRaw(sock: RawSocket, data: Buffer, destination: string, options: RawSendOptions = {}): this {
    this.b.add(this.handleOf(sock), data, destination, options.ifindex, options.source);
    return this;
  }

  /** A whole frame (PacketSocket) or a message to the kernel (NetlinkSocket). */
  add(sock: PacketSocket | NetlinkSocket, data: Buffer): this {
    this.b.add(this.handleOf(sock), data);
    return this;
  }

  /** Sends everything; the errno of each datagram in order, 0 for sent. */
  run(): number[] {
    return this.b.run();
  }

  get size(): number {
    return this.b.size;
  }

  /**
   * Arms the batch to be sent from inside the handler of the first of `signals` to arrive,
   * before Node's own handler runs (which then delivers the signal to JavaScript as usual).
   * One batch is armed per process; arming replaces it. An armed batch takes no more adds.
   */
  armSignals(signals: NodeJS.Signals[]): void {
    this.b.armSignals(signals.map((s) => osConstants.signals[s]));
  }

  /** No batch is sent on a signal any more. */
  static disarmSignals(): void {
    loadNative().SendBatch.disarmSignals();
  }

  /** True once a signal has sent this batch. */
  get fired(): boolean {
    return this.b.fired;
  }

  private handleOf(sock: object): NativeHandle {
    const h = handles.get(sock);
    if (!h) throw new TypeError('SendBatch: not a native socket');
    return h;
  }
}

/** Common ethertypes for PacketSocket. 0 opens a send-only socket. */
export const EtherType = { ALL: 0x0003, IPV4: 0x0800, ARP: 0x0806, IPV6: 0x86dd } as const;

/** An AF_PACKET/SOCK_RAW socket bound to one interface: whole Ethernet frames in and out. */
export class PacketSocket extends NativeSocketBase<PacketMessage> {
  readonly ifindex: number;

  private constructor(handle: NativeHandle, ifindex: number) {
    super(handle);
    this.ifindex = ifindex;
  }

  /** `iface` is a name or an index; ethertype 0 receives nothing (send-only). */
  static open(iface: string | number, ethertype = 0): PacketSocket {
    const { NativeSocket, ifNameToIndex: toIndex } = loadNative();
    const ifindex = typeof iface === 'number' ? iface : toIndex(iface);
    return new PacketSocket(new NativeSocket('packet', ifindex, ethertype), ifindex);
  }

  setOption(name: PacketOption, value: number | boolean): this {
    this.setIntOption(name, value);
    return this;
  }

  /** Sends one complete frame (destination MAC first) out of the bound interface. */
  send(frame: Buffer): number {
    return this.handle.send(frame);
  }
}

/** A unix datagram socket; bound when given a path ('@name' = abstract namespace). */
export class UnixDgramSocket extends NativeSocketBase<UnixMessage> {
  readonly path: string | null;

  private constructor(handle: NativeHandle, path: string | null) {
    super(handle);
    this.path = path;
  }

  /** A receiving socket bound to `path`. A filesystem path is unlinked again on close(). */
  static listen(path: string): UnixDgramSocket {
    const { NativeSocket } = loadNative();
    return new UnixDgramSocket(new NativeSocket('unix', path), path);
  }

  /** An unbound socket, for sending only. */
  static create(): UnixDgramSocket {
    const { NativeSocket } = loadNative();
    return new UnixDgramSocket(new NativeSocket('unix', null), null);
  }

  setOption(name: BufferOption, value: number): this {
    this.setIntOption(name, value);
    return this;
  }

  send(data: Buffer, path: string): number {
    return this.handle.send(data, path);
  }

  override close(): void {
    const wasOpen = !this.isClosed;
    super.close();
    if (wasOpen && this.path !== null && !this.path.startsWith('@')) {
      try {
        unlinkSync(this.path);
      } catch {
        // already gone: nothing to clean up
      }
    }
  }
}

/**
 * Sends one datagram to a unix socket and closes: sd_notify ($NOTIFY_SOCKET, '@' = abstract)
 * and syslog (/dev/log). Throws the kernel error (e.g. ENOENT, ECONNREFUSED, EAGAIN).
 */
export function sendUnixDatagram(path: string, data: Buffer | string): number {
  const sock = UnixDgramSocket.create();
  try {
    return sock.send(typeof data === 'string' ? Buffer.from(data) : data, path);
  } finally {
    sock.close();
  }
}

/** Netlink families used by stayalive. */
export const NetlinkProtocol = { ROUTE: 0, GENERIC: 16 } as const;

/** A netlink socket (messages are built and parsed in TypeScript); send() goes to the kernel. */
export class NetlinkSocket extends NativeSocketBase<NetlinkMessage> {
  private constructor(handle: NativeHandle) {
    super(handle);
  }

  /** `groups` is the legacy bind() group bitmask; use addMembership for groups above 32. */
  static open(protocol: number, groups = 0): NetlinkSocket {
    const { NativeSocket } = loadNative();
    return new NetlinkSocket(new NativeSocket('netlink', protocol, groups));
  }

  setOption(name: NetlinkOption, value: number | boolean): this {
    this.setIntOption(name, value);
    return this;
  }

  send(data: Buffer): number {
    return this.handle.send(data);
  }
}
