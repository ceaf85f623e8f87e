/**
 * NetlinkRequester: request/response over one of the addon's netlink sockets (I/O, not pure),
 * for any family. Each request gets a sequence number; acked requests settle on their
 * NLMSG_ERROR, dumps on NLMSG_DONE (multi-part replies collected; an interrupted dump retried).
 * At most `window` requests are in flight; the socket keeps the event loop alive only while
 * requests are pending. Kernel refusals become whatever `makeError` builds, so each family keeps
 * its own error class (GenlError, RtnlError…).
 * Rtnl (src/os/rtnl/client.ts), GenlClient and IpvsClient all use it.
 */
import { NetlinkSocket, type NetlinkMessage } from '../native.js';
import {
  NLM_F_ACK,
  NLM_F_DUMP,
  NLM_F_DUMP_INTR,
  NLM_F_REQUEST,
  NLMSG_DONE,
  NLMSG_ERROR,
  NLMSG_NOOP,
  NLMSG_OVERRUN,
} from '../rtnl/constants.js';
import { decodeAck, encodeMessage, parseMessages, type NlMessage } from '../rtnl/messages.js';

export interface RequesterOptions {
  /** Per-request deadline (default 5000 ms); past it the request fails with ETIMEDOUT. */
  timeoutMs?: number;
  /** Requests in flight at once (default 64). */
  window?: number;
  /** SO_RCVBUF in bytes (default 1 MiB) so large dumps are not dropped. */
  rcvbuf?: number;
}

/** Builds the error for a failed request: `errno` is a (positive or negative) errno. */
export type MakeError = (what: string, errno: number, detail?: string, cause?: unknown) => Error;

interface Pending {
  seq: number;
  type: number;
  flags: number;
  payload: Buffer;
  what: () => string;
  replies: NlMessage[];
  interrupted: boolean;
  timer?: NodeJS.Timeout;
  resolve(r: { replies: NlMessage[]; interrupted: boolean }): void;
  reject(e: Error): void;
}

const EIO = 5;
const ETIMEDOUT = 110;
const ECANCELED = 125;

export class NetlinkRequester {
  private readonly sock: NetlinkSocket;
  private readonly makeError: MakeError;
  private readonly timeoutMs: number;
  private readonly window: number;
  private seq: number;
  private readonly inFlight = new Map<number, Pending>();
  private readonly waiting: Pending[] = [];
  private closed = false;

  private constructor(sock: NetlinkSocket, opts: RequesterOptions, makeError: MakeError) {
    this.sock = sock;
    this.makeError = makeError;
    this.timeoutMs = opts.timeoutMs ?? 5000;
    this.window = Math.max(1, opts.window ?? 64);
    this.seq = Math.floor(Date.now() / 1000) & 0x7fffffff; // distinct from a previous process's replies
    sock.on('message', (m) => this.onMessage(m));
    sock.on('error', (e) => this.failAll(e));
    sock.unref();
  }

  /** Opens a netlink socket of `protocol` (NetlinkProtocol.GENERIC…) in the caller's namespace. */
  static open(
    protocol: number,
    makeError: MakeError,
    opts: RequesterOptions = {},
  ): NetlinkRequester {
    const sock = NetlinkSocket.open(protocol);
    try {
      sock.setOption('extAck', true);
      sock.setOption('rcvbuf', opts.rcvbuf ?? 1 << 20);
    } catch (e) {
      sock.close();
      throw e;
    }
    return new NetlinkRequester(sock, opts, makeError);
  }

  /** Requests waiting for a free slot in the window (not sent to the kernel yet). */
  get unsent(): number {
    return this.waiting.length;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Closes the socket; pending requests fail with ECANCELED. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failAll(null);
    this.sock.close();
  }

  /** A request answered by an ack; resolves with the replies that came before the ack. */
  async ack(
    type: number,
    flags: number,
    payload: Buffer,
    what: () => string,
  ): Promise<NlMessage[]> {
    const r = await this.request(type, NLM_F_REQUEST | NLM_F_ACK | flags, payload, what);
    return r.replies;
  }

  /** A dump; retried (up to 3 times) when the kernel says the table changed under it. */
  async dump(type: number, payload: Buffer, what: () => string): Promise<NlMessage[]> {
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
    if (this.closed) return Promise.reject(this.makeError(what(), ECANCELED, 'client closed'));
    return new Promise((resolve, reject) => {
      this.seq = (this.seq + 1) >>> 0 || 1;
      this.waiting.push({
        seq: this.seq,
        type,
        flags,
        payload,
        what,
        replies: [],
        interrupted: false,
        resolve,
        reject,
      });
      this.pump();
    });
  }

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
          this.makeError(p.what(), typeof err.errno === 'number' ? err.errno : EIO, err.message, e),
        );
        continue;
      }
      p.timer = setTimeout(
        () =>
          this.settle(p, this.makeError(p.what(), ETIMEDOUT, `no reply in ${this.timeoutMs} ms`)),
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
      return; // never from the kernel; a pending request times out rather than crash
    }
    for (const msg of msgs) {
      const p = this.inFlight.get(msg.seq);
      if (!p || msg.type === NLMSG_NOOP || msg.type === NLMSG_OVERRUN) continue;
      if (msg.flags & NLM_F_DUMP_INTR) p.interrupted = true;
      if (msg.type === NLMSG_ERROR) {
        const ack = decodeAck(msg);
        this.settle(
          p,
          ack.error === 0 ? null : this.makeError(p.what(), ack.error, ack.extackMessage),
        );
      } else if (msg.type === NLMSG_DONE) {
        const err = msg.payload.length >= 4 ? msg.payload.readInt32LE(0) : 0;
        this.settle(
          p,
          err < 0 ? this.makeError(p.what(), err, decodeAck(msg).extackMessage) : null,
        );
      } else {
        p.replies.push(msg);
      }
    }
  }

  private failAll(err: Error | null): void {
    const all = [...this.inFlight.values(), ...this.waiting];
    this.waiting.length = 0;
    for (const p of all) {
      const code = (err as NodeJS.ErrnoException | null)?.errno;
      const e = err
        ? this.makeError(p.what(), typeof code === 'number' ? code : EIO, err.message, err)
        : this.makeError(p.what(), ECANCELED, 'client closed');
      if (this.inFlight.has(p.seq)) this.settle(p, e);
      else p.reject(e);
    }
  }
}
