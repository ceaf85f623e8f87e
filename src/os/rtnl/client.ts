/**
 * Rtnl: links, addresses, routes and rules over rtnetlink (I/O, not pure). The transport —
 * sequence numbers, acks, multi-part dumps, the in-flight window, deadlines — is the shared
 * NetlinkRequester (src/os/netlink/requester.ts); this file turns typed specs into messages and
 * replies into typed objects, and names the failed request in each RtnlError.
 * keepalived difference: none visible; keepalived also talks rtnetlink directly.
 */
import { ifIndexToName, NetlinkProtocol, type SendBatch } from '../native.js';
import { NetlinkRequester } from '../netlink/requester.js';
import { AF_UNSPEC, NLM_F_CREATE, NLM_F_EXCL, NLM_F_REPLACE, RTM } from './constants.js';
import { afOf, decodeAddress, describeAddress, encodeAddress } from './address-codec.js';
import { RtnlError } from './errors.js';
import { UnackedSender } from './unacked.js';
import {
  decodeLink,
  encodeAddrGenModeNone,
  encodeLinkRef,
  encodeMacvlan,
  encodeSetUp,
} from './link-codec.js';
import {
  encodeIfAddr,
  encodeRtMsg,
  encodeFibRuleHdr,
  encodeIfInfo,
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

export class Rtnl {
  private readonly nl: NetlinkRequester;
  private unacked: UnackedSender | null = null;

  private constructor(nl: NetlinkRequester) {
    this.nl = nl;
  }

  /** Opens an rtnetlink socket in the caller's network namespace. */
  static open(opts: RtnlOptions = {}): Rtnl {
    const makeError = (what: string, errno: number, detail?: string, cause?: unknown): Error =>
      new RtnlError(what, errno, detail, cause === undefined ? undefined : { cause });
    return new Rtnl(NetlinkRequester.open(NetlinkProtocol.ROUTE, makeError, opts));
  }

  /** Closes the socket; pending requests fail with ECANCELED. */
  close(): void {
    this.nl.close();
    this.unacked?.close();
  }

  /** Unacked requests the kernel refused (their acked follow-ups say why). */
  get unackedRefused(): number {
    return this.unacked?.refused ?? 0;
  }

  /**
   * Requests built by `unackedAddAddress`, added to `batch` to go out on a second socket with
   * no ack asked for (unacked.ts): the kernel has applied each one when its sendmsg returns.
   * Follow with the acked request, which reports what went wrong.
   */
  addUnackedTo(batch: SendBatch, msgs: readonly Buffer[]): void {
    this.unacked ??= new UnackedSender();
    this.unacked.addTo(batch, msgs);
  }

  /** Requests not yet sent because the window is full (the kernel has not seen them). */
  get unsent(): number {
    return this.nl.unsent;
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

  /** No automatic IPv6 link-local address on this link (addr_gen_mode none). */
  async setAddrGenModeNone(ifindex: number): Promise<void> {
    const what = (): string => `set link ${this.ifname(ifindex)} addrgenmode none`;
    await this.ack(RTM.NEWLINK, 0, encodeAddrGenModeNone(ifindex), what);
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

  private ack(
    type: number,
    flags: number,
    payload: Buffer,
    what: () => string,
  ): Promise<NlMessage[]> {
    return this.nl.ack(type, flags, payload, what);
  }

  private dump(type: number, payload: Buffer, what: () => string): Promise<NlMessage[]> {
    return this.nl.dump(type, payload, what);
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
