/**
 * Rtnl: request/response rtnetlink over the addon's NetlinkSocket (I/O, not pure). Each request
 * gets a sequence number; acked requests settle on their NLMSG_ERROR, dumps on NLMSG_DONE
 * (multi-part replies are collected; an interrupted dump is retried). At most `window` requests
 * are in flight so acks cannot overflow the receive buffer; the rest wait in order.
 * The socket keeps the event loop alive only while requests are pending.
 * keepalived difference: none visible; keepalived also talks rtnetlink directly.
 */
import { ifIndexToName, NetlinkProtocol, NetlinkSocket, type NetlinkMessage } from '../native.js';
import {
  AF_UNSPEC,
  NLM_F_ACK,
  NLM_F_CREATE,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_EXCL,
  NLM_F_REPLACE,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
  RTM,
} from './constants.js';
import { afOf, decodeAddress, describeAddress, encodeAddress } from './address-codec.js';
import { RtnlError } from './errors.js';
import { decodeLink, encodeLinkRef, encodeMacvlan, encodeSetUp } from './link-codec.js';
import {
  decodeAck,
  encodeIfAddr,
  encodeMessage,
  encodeRtMsg,
  encodeFibRuleHdr,
  encodeIfInfo,
  parseMessages,
  type NlMessage,
} from './messages.js';
import { decodeRoute, describeRoute, encodeRoute } from './route-codec.js';
import { decodeRule, describeRule, encodeRule } from './rule-codec.js';
import type {
  AddressInfo,
  AddressSpec,
  Family,
  LinkInfo,
  MacvlanSpec,
  RouteInfo,
  RouteSpec,
  RuleInfo,
  RuleSpec,
} from './types.js';

export interface RtnlOptions {
  /** Per-request deadline (default 5000 ms); a request past it fails with ETIMEDOUT. */
  timeoutMs?: number;
  /** Requests in flight at once (default 64). */
  window?: number;
  /** SO_RCVBUF in bytes (default 1 MiB) so large dumps are not dropped. */
  rcvbuf?: number;
}

export interface WriteOptions {
  /** NLM_F_REPLACE instead of NLM_F_EXCL: change an existing object in place. */
  replace?: boolean;
}

interface Pending {
  seq: number;
  type: number;
  flags: number;
  payload: Buffer;
  /** Built only when needed (an error), since naming an interface costs a syscall. */
  what: () => string;
  replies: NlMessage[];
  interrupted: boolean;
  timer?: NodeJS.Timeout;
  resolve(r: { replies: NlMessage[]; interrupted: boolean }): void;
  reject(e: Error): void;
}

const ETIMEDOUT = 110;
const ECANCELED = 125;

export class Rtnl {
  private readonly sock: NetlinkSocket;
  private readonly timeoutMs: number;
  private readonly window: number;
  private seq: number;
  private readonly inFlight = new Map<number, Pending>();
  private readonly waiting: Pending[] = [];
  private closed = false;

  private constructor(sock: NetlinkSocket, opts: RtnlOptions) {
    this.sock = sock;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.window = Math.max(1, opts.window ?? 64);
    this.seq = Math.floor(Date.now() / 1000) & 0x7fffffff; // distinct from a previous process's replies
    sock.on('message', (m) => this.onMessage(m));
    sock.on('error', (e) => this.failAll(e));
    sock.unref();
  }

  /** Opens an rtnetlink socket in the caller's network namespace. */
  static open(opts: RtnlOptions = {}): Rtnl {
    const sock = NetlinkSocket.open(NetlinkProtocol.ROUTE);
    try {
      sock.setOption('extAck', true);
      sock.setOption('rcvbuf', opts.rcvbuf ?? 1 << 20);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new Rtnl(sock, opts);
  }

  /** Closes the socket; pending requests fail with ECANCELED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(null);
    this.sock.close();
  }

  // ---- links ----

  async links(): Promise<LinkInfo[]> {
    const msgs = await this.dump(
      RTM.GETLINK,
      encodeIfInfo({ family: AF_UNSPEC }),
      () => 'list links',
    );
    return msgs.filter((m) => m.type === RTM.NEWLINK).map((m) => decodeLink(m.payload));
  }

  /** One link by index or name; ENODEV when there is none. */
  async link(ref: number | string): Promise<LinkInfo> {
    const payload = typeof ref === 'number' ? encodeLinkRef(ref) : encodeLinkRef(0, ref);
    const replies = await this.ack(RTM.GETLINK, 0, payload, () => `get link ${ref}`);
    const m = replies.find((r) => r.type === RTM.NEWLINK);
    if (!m) throw new RtnlError(`get link ${ref}`, 19);
    return decodeLink(m.payload);
  }

  /** Creates a macvlan on `spec.link` and returns it as the kernel reports it. */
  async createMacvlan(spec: MacvlanSpec): Promise<LinkInfo> {
    const what = (): string =>
      `add link ${spec.name} type macvlan mode ${spec.mode} link ${this.ifname(spec.link)}`;
    await this.ack(RTM.NEWLINK, NLM_F_CREATE | NLM_F_EXCL, encodeMacvlan(spec), what);
    return this.link(spec.name);
  }

  async deleteLink(ifindex: number): Promise<void> {
    const what = (): string => `delete link ${this.ifname(ifindex)}`;
    await this.ack(RTM.DELLINK, 0, encodeLinkRef(ifindex), what);
  }

  async setLinkUp(ifindex: number, up: boolean): Promise<void> {
    const what = (): string => `set link ${this.ifname(ifindex)} ${up ? 'up' : 'down'}`;
    await this.ack(RTM.NEWLINK, 0, encodeSetUp(ifindex, up), what);
  }

  // ---- addresses ----

  async addresses(family?: Family): Promise<AddressInfo[]> {
    const af = family ? afOf(family) : AF_UNSPEC;
    const req = encodeIfAddr({ family: af, prefixLength: 0, flags: 0, scope: 0, index: 0 });
    const msgs = await this.dump(RTM.GETADDR, req, () => 'list addresses');
    return msgs
      .filter((m) => m.type === RTM.NEWADDR)
      .map((m) => decodeAddress(m.payload))
      .filter((a): a is AddressInfo => a !== null && (!family || a.family === family));
  }

  async addAddress(spec: AddressSpec, opts: WriteOptions = {}): Promise<void> {
    const what = (): string => `add address ${describeAddress(spec, this.ifname(spec.ifindex))}`;
    await this.ack(RTM.NEWADDR, NLM_F_CREATE | writeFlag(opts), encodeAddress(spec), what);
  }

  /** EADDRNOTAVAIL when the address is not there. */
  async deleteAddress(spec: AddressSpec): Promise<void> {
    const what = (): string => `delete address ${describeAddress(spec, this.ifname(spec.ifindex))}`;
    await this.ack(RTM.DELADDR, 0, encodeAddress(spec, true), what);
  }

  // ---- routes ----

  /** Routes of every table, or of `table` only; `family` narrows to IPv4 or IPv6. */
  async routes(filter: { table?: number; family?: Family } = {}): Promise<RouteInfo[]> {
    const af = filter.family ? afOf(filter.family) : AF_UNSPEC;
    const req = encodeRtMsg({
      family: af,
      dstLen: 0,
      srcLen: 0,
      tos: 0,
      table: 0,
      protocol: 0,
      scope: 0,
      type: 0,
      flags: 0,
    });
    const msgs = await this.dump(RTM.GETROUTE, req, () => 'list routes');
    return msgs
      .filter((m) => m.type === RTM.NEWROUTE)
      .map((m) => decodeRoute(m.payload))
      .filter(
        (r): r is RouteInfo =>
          r !== null &&
          (filter.table === undefined || r.table === filter.table) &&
          (!filter.family || r.family === filter.family),
      );
  }

  async addRoute(spec: RouteSpec, opts: WriteOptions = {}): Promise<void> {
    const what = (): string =>
      `${opts.replace ? 'replace' : 'add'} route ${describeRoute(spec, (i) => this.ifname(i))}`;
    await this.ack(RTM.NEWROUTE, NLM_F_CREATE | writeFlag(opts), encodeRoute(spec), what);
  }

  /** ESRCH when no route matches. */
  async deleteRoute(spec: RouteSpec): Promise<void> {
    const what = (): string => `delete route ${describeRoute(spec, (i) => this.ifname(i))}`;
    await this.ack(RTM.DELROUTE, 0, encodeRoute(spec, true), what);
  }

  // ---- rules ----

  async rules(family?: Family): Promise<RuleInfo[]> {
    const af = family ? afOf(family) : AF_UNSPEC;
    const req = encodeFibRuleHdr({
      family: af,
      dstLen: 0,
      srcLen: 0,
      tos: 0,
      table: 0,
      action: 0,
      flags: 0,
    });
    const msgs = await this.dump(RTM.GETRULE, req, () => 'list rules');
    return msgs
      .filter((m) => m.type === RTM.NEWRULE)
      .map((m) => decodeRule(m.payload))
      .filter((r): r is RuleInfo => r !== null && (!family || r.family === family));
  }

  /** EEXIST when an identical rule exists. */
  async addRule(spec: RuleSpec): Promise<void> {
    await this.ack(
      RTM.NEWRULE,
      NLM_F_CREATE | NLM_F_EXCL,
      encodeRule(spec),
      () => `add rule ${describeRule(spec)}`,
    );
  }

  /** ENOENT when no rule matches. */
  async deleteRule(spec: RuleSpec): Promise<void> {
    await this.ack(
      RTM.DELRULE,
      0,
      encodeRule(spec, true),
      () => `delete rule ${describeRule(spec)}`,
    );
  }

  // ---- transport ----

  /** A request answered by an ack; resolves with any replies that came before the ack. */
  private async ack(
    type: number,
    flags: number,
    payload: Buffer,
    what: () => string,
  ): Promise<NlMessage[]> {
    const r = await this.request(type, NLM_F_REQUEST | NLM_F_ACK | flags, payload, what);
    return r.replies;
  }

  /** A dump; retried (up to 3 times) when the kernel says the table changed under it. */
  private async dump(type: number, payload: Buffer, what: () => string): Promise<NlMessage[]> {
    for (let attempt = 1; ; attempt++) {
      const r = await this.request(type, NLM_F_REQUEST | NLM_F_DUMP, payload, what);
      if (!r.interrupted || attempt >= 3) return r.replies;
    }
  }

  private request(
    type: number,
    flags: number,
    payload: Buffer,
    what: () => string,
  ): Promise<{ replies: NlMessage[]; interrupted: boolean }> {
    if (this.closed) return Promise.reject(new RtnlError(what(), ECANCELED, 'client closed'));
    return new Promise((resolve, reject) => {
      this.seq = (this.seq + 1) >>> 0 || 1;
      const p: Pending = {
        seq: this.seq,
        type,
        flags,
        payload,
        what,
        replies: [],
        interrupted: false,
        resolve,
        reject,
      };
      this.waiting.push(p);
      this.pump();
    });
  }

  /** Sends waiting requests while the window has room. */
  private pump(): void {
    while (this.inFlight.size < this.window && this.waiting.length > 0) {
      const p = this.waiting.shift() as Pending;
      try {
        this.sock.send(
          encodeMessage({ type: p.type, flags: p.flags, seq: p.seq, payload: p.payload }),
        );
      } catch (e) {
        const err = e as NodeJS.ErrnoException;
        p.reject(
          new RtnlError(p.what(), typeof err.errno === 'number' ? err.errno : 5, err.message, {
            cause: e,
          }),
        );
        continue;
      }
      p.timer = setTimeout(
        () =>
          this.settle(p, new RtnlError(p.what(), ETIMEDOUT, `no reply in ${this.timeoutMs} ms`)),
        this.timeoutMs,
      );
      this.inFlight.set(p.seq, p);
    }
    if (this.inFlight.size > 0) this.sock.ref();
    else this.sock.unref();
  }

  private settle(p: Pending, err: Error | null): void {
    if (!this.inFlight.delete(p.seq)) return;
    clearTimeout(p.timer);
    if (err) p.reject(err);
    else p.resolve({ replies: p.replies, interrupted: p.interrupted });
    if (!this.closed) this.pump();
  }

  private onMessage(m: NetlinkMessage): void {
    let msgs: NlMessage[];
    try {
      msgs = parseMessages(m.data);
    } catch {
      return; // never from the kernel; a pending request will time out rather than crash
    }
    for (const msg of msgs) {
      const p = this.inFlight.get(msg.seq);
      if (!p || msg.type === NLMSG_NOOP || msg.type === NLMSG_OVERRUN) continue;
      if (msg.flags & NLM_F_DUMP_INTR) p.interrupted = true;
      if (msg.type === NLMSG_ERROR) {
        const ack = decodeAck(msg);
        this.settle(
          p,
          ack.error === 0 ? null : new RtnlError(p.what(), ack.error, ack.extackMessage),
        );
      } else if (msg.type === NLMSG_DONE) {
        const err = msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : 0;
        this.settle(p, err < 0 ? new RtnlError(p.what(), err, decodeAck(msg).extackMessage) : null);
      } else {
        p.replies.push(msg);
      }
    }
  }

  /** Fails every request; `err` null means the client was closed. */
  private failAll(err: Error | null): void {
    const all = [...this.inFlight.values(), ...this.waiting];
    this.waiting.length = 0;
    for (const p of all) {
      const code = (err as NodeJS.ErrnoException | null)?.errno;
      const e = err
        ? new RtnlError(p.what(), typeof code === 'number' ? code : 5, err.message, { cause: err })
        : new RtnlError(p.what(), ECANCELED, 'client closed');
      if (this.inFlight.has(p.seq)) this.settle(p, e);
      else p.reject(e);
    }
  }

  private ifname(index: number): string {
    try {
      return ifIndexToName(index);
    } catch {
      return `if${index}`;
    }
  }
}

function writeFlag(opts: WriteOptions): number {
  return opts.replace ? NLM_F_REPLACE : NLM_F_EXCL;
}
