/**
 * The BFD session registry: one session per neighbour (and source), shared by everyone who
 * watches it — bfd_instance blocks, VRRP track_bfd, BFD_CHECK and gateway tracking all call
 * `watch(neighbour, params, listener)` and get an unsubscribe back. The first watcher's
 * parameters create the session; the session is shut down (one AdminDown packet) when its
 * last watcher leaves. This is the imperative shell around machine.ts: it owns the timers,
 * demultiplexes received packets (Your Discriminator, else source address), applies GTSM,
 * and publishes 'bfd:state' and 'log' on the bus.
 */
import { randomInt } from 'node:crypto';
import { SocketAddress } from 'node:net';
import { publish } from '../core/bus.js';
import { forgetBfdState, recordBfdState } from './state-board.js';
import './events.js';
import {
  createSession,
  detectionTime,
  sessionConfig,
  step,
  txInterval,
  type SessionConfig,
  type SessionEffect,
  type SessionInput,
  type SessionState,
} from './machine.js';
import {
  checkTtl,
  decodeBfd,
  diagText,
  encodeBfd,
  type BfdDropReason,
  type BfdStateName,
} from './packet.js';
import {
  familyOf,
  UdpTransport,
  type BfdDatagram,
  type BfdSender,
  type BfdTransport,
} from './runtime.js';

export interface BfdParams {
  /** Name for logs and events (keepalived's bfd_instance name); the neighbour otherwise. */
  name?: string;
  source?: string | null;
  /** Microseconds (keepalived's defaults: 10 ms, 10 ms, 1 s, ×5). */
  desiredMinTx?: number;
  requiredMinRx?: number;
  idleTx?: number;
  detectMult?: number;
  passive?: boolean;
  /** Lowest TTL/hop limit accepted: 255 (GTSM, the default) or 0 for no check. */
  minTtl?: number;
  /**
   * A bfd_instance: when another watcher (gateway tracking) created the session first, the
   * instance still names it (track_bfd and BFD_CHECK look it up by that name) and sets its
   * intervals.
   */
  owner?: boolean;
  /**
   * Without a `source`, join an existing session to the neighbour whatever its source address
   * (gateway tracking follows the bfd_instance's session instead of opening a second one).
   */
  anySource?: boolean;
}

export interface BfdWatchEvent {
  name: string;
  neighbor: string;
  state: BfdStateName;
  up: boolean;
  diag: number;
}
export type BfdListener = (e: BfdWatchEvent) => void;

export interface BfdSessionStatus {
  name: string;
  neighbor: string;
  source: string | null;
  sourcePort: number | null;
  state: BfdStateName;
  remoteState: BfdStateName;
  localDiscriminator: number;
  remoteDiscriminator: number;
  diag: string;
  remoteDiag: string;
  /** Negotiated, microseconds. */
  txInterval: number | null;
  detectionTime: number | null;
  desiredMinTx: number;
  requiredMinRx: number;
  remoteMinTx: number;
  remoteMinRx: number;
  remoteDetectMult: number;
  polling: boolean;
  watchers: number;
  counters: { sent: number; received: number; dropped: number; up: number; down: number };
  error: string | null;
}

export interface RegistryOptions {
  transport?: BfdTransport;
  /** Microseconds, monotonic. */
  now?: () => number;
  setTimer?: (fn: () => void, delayMs: number) => { cancel(): void };
  /** Log subsystem name on the bus. */
  subsystem?: string;
}

interface Session {
  key: string;
  neighbor: string;
  source: string | null;
  s: SessionState;
  minTtl: number;
  sender: BfdSender | null;
  error: string | null;
  listeners: Set<BfdListener>;
  timer: { cancel(): void } | null;
  timerAt: number | null;
  closed: boolean;
  counters: { sent: number; received: number; dropped: number; up: number; down: number };
}

const realNow = (): number => Math.round(performance.now() * 1000);
const realTimer = (fn: () => void, delayMs: number): { cancel(): void } => {
  const t = setTimeout(fn, delayMs);
  return { cancel: () => clearTimeout(t) };
};

/** Canonical text of an address (scope dropped), so config and kernel spellings match. */
export function canonical(address: string): string {
  const bare = address.split('%')[0];
  try {
    return new SocketAddress({ address: bare, family: familyOf(bare) === 6 ? 'ipv6' : 'ipv4' })
      .address;
  } catch {
    return bare;
  }
}

export class BfdSessions {
  private readonly sessions = new Map<string, Session>();
  private readonly byDisc = new Map<number, Session>();
  private readonly transport: BfdTransport;
  private readonly now: () => number;
  private readonly setTimer: NonNullable<RegistryOptions['setTimer']>;
  private readonly subsystem: string;
  /** Drops that matched no session, by reason. */
  readonly unmatched: Partial<Record<BfdDropReason, number>> = {};

  constructor(opts: RegistryOptions = {}) {
    this.subsystem = opts.subsystem ?? 'bfd';
    this.transport = opts.transport ?? new UdpTransport((e) => this.log('error', String(e)));
    this.now = opts.now ?? realNow;
    this.setTimer = opts.setTimer ?? realTimer;
  }

  /** Watches `neighbour`; the listener hears the current state at once and every change. */
  watch(neighbour: string, params: BfdParams, listener: BfdListener): () => void {
    const source = params.source ? canonical(params.source) : null;
    const neighbor = canonical(neighbour);
    const key = `${neighbor}|${source ?? ''}`;
    let sess = this.sessions.get(key);
    if (!sess && params.anySource && !source) {
      sess = [...this.sessions.values()].find((x) => x.neighbor === neighbor);
    }
    if (!sess) sess = this.create(key, neighbour, neighbor, source, params);
    else if (params.owner) this.claim(sess, params);
    sess.listeners.add(listener);
    listener(this.watchEvent(sess));
    const s = sess;
    return () => {
      if (!s.listeners.delete(listener) || s.listeners.size > 0) return;
      this.destroy(s);
    };
  }

  /** New intervals for an existing session (reload); starts a poll sequence when Up. */
  update(neighbour: string, source: string | null, p: BfdParams): boolean {
    const sess = this.sessions.get(`${canonical(neighbour)}|${source ? canonical(source) : ''}`);
    if (!sess) return false;
    this.retune(sess, p);
    return true;
  }

  /** A bfd_instance joining a session someone else created: its name and intervals win. */
  private claim(sess: Session, p: BfdParams): void {
    const name = p.name ?? sess.neighbor;
    const old = sess.s.config.name;
    if (name !== old) {
      forgetBfdState(old);
      sess.s = { ...sess.s, config: { ...sess.s.config, name } };
      recordBfdState(name, sess.s.state);
    }
    this.retune(sess, p);
  }

  private retune(sess: Session, p: BfdParams): void {
    if (p.minTtl !== undefined) sess.minTtl = p.minTtl;
    const params = {
      desiredMinTx: p.desiredMinTx,
      requiredMinRx: p.requiredMinRx,
      idleTx: p.idleTx,
      detectMult: p.detectMult,
    };
    if (sess.sender) return this.input(sess, { type: 'params', ...params });
    // Not started yet (its sender is still opening): the start uses the new values.
    const set = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
    sess.s = { ...sess.s, config: { ...sess.s.config, ...set } };
  }

  status(): BfdSessionStatus[] {
    return [...this.sessions.values()].map((x) => {
      const s = x.s;
      return {
        name: s.config.name,
        neighbor: x.neighbor,
        source: x.source,
        sourcePort: x.sender?.port ?? null,
        state: s.state,
        remoteState: s.remoteState,
        localDiscriminator: s.localDisc,
        remoteDiscriminator: s.remoteDisc,
        diag: diagText(s.diag),
        remoteDiag: diagText(s.remoteDiag),
        txInterval: txInterval(s),
        detectionTime: detectionTime(s),
        desiredMinTx: s.advTx,
        requiredMinRx: s.advRx,
        remoteMinTx: s.remoteMinTx,
        remoteMinRx: s.remoteMinRx,
        remoteDetectMult: s.remoteDetectMult,
        polling: s.polling,
        watchers: x.listeners.size,
        counters: { ...x.counters },
        error: x.error,
      };
    });
  }

  /** Shuts every session down (AdminDown sent once) and closes the sockets. */
  close(): void {
    for (const s of [...this.sessions.values()]) this.destroy(s);
    this.transport.close();
  }

  private create(
    key: string,
    raw: string,
    neighbor: string,
    source: string | null,
    p: BfdParams,
  ): Session {
    const cfg: SessionConfig = sessionConfig(p.name ?? neighbor, {
      ...(p.desiredMinTx !== undefined ? { desiredMinTx: p.desiredMinTx } : {}),
      ...(p.requiredMinRx !== undefined ? { requiredMinRx: p.requiredMinRx } : {}),
      ...(p.idleTx !== undefined ? { idleTx: p.idleTx } : {}),
      ...(p.detectMult !== undefined ? { detectMult: p.detectMult } : {}),
      passive: p.passive ?? false,
    });
    let disc = 0;
    while (disc === 0 || this.byDisc.has(disc)) disc = randomInt(1, 0xffffffff);
    const sess: Session = {
      key,
      neighbor,
      source,
      s: createSession(cfg, disc, randomInt(0, 0xffffffff)),
      minTtl: p.minTtl ?? 255,
      sender: null,
      error: null,
      listeners: new Set(),
      timer: null,
      timerAt: null,
      closed: false,
      counters: { sent: 0, received: 0, dropped: 0, up: 0, down: 0 },
    };
    this.sessions.set(key, sess);
    this.byDisc.set(disc, sess);
    try {
      this.transport.listen(familyOf(neighbor), (d) => this.receive(d));
    } catch (err) {
      sess.error = `cannot listen: ${(err as Error).message}`;
      this.log('error', `(${cfg.name}) ${sess.error}`);
    }
    this.transport.openSender(raw, source).then(
      (sender) => {
        if (sess.closed) {
          sender.close();
          return;
        }
        sess.sender = sender;
        this.input(sess, { type: 'start' });
      },
      (err: Error) => {
        sess.error = `cannot open a sender: ${err.message}`;
        this.log('error', `(${cfg.name}) ${sess.error}`);
      },
    );
    return sess;
  }

  private destroy(sess: Session): void {
    if (sess.closed) return;
    if (sess.sender) this.input(sess, { type: 'shutdown' });
    sess.closed = true;
    sess.timer?.cancel();
    sess.sender?.close();
    this.sessions.delete(sess.key);
    this.byDisc.delete(sess.s.localDisc);
    forgetBfdState(sess.s.config.name);
  }

  private receive(d: BfdDatagram): void {
    const r = decodeBfd(d.payload);
    const source = canonical(d.source);
    const sess =
      r.ok && r.packet.yourDisc !== 0
        ? this.byDisc.get(r.packet.yourDisc)
        : [...this.sessions.values()].find((x) => x.neighbor === source);
    if (!sess) {
      const reason: BfdDropReason = r.ok ? 'no-session' : r.reason;
      this.unmatched[reason] = (this.unmatched[reason] ?? 0) + 1;
      return;
    }
    if (!r.ok) return this.dropped(sess, r.reason, r.detail.message);
    if (sess.neighbor !== source) {
      return this.dropped(sess, 'source', `from ${source}, expected ${sess.neighbor}`);
    }
    if (sess.minTtl > 0 && (d.ttl === undefined || d.ttl < sess.minTtl)) {
      const t = checkTtl(d.ttl);
      return this.dropped(sess, 'ttl', t?.detail.message ?? `TTL ${d.ttl}`);
    }
    sess.counters.received++;
    this.input(sess, { type: 'packet', packet: r.packet });
  }

  private dropped(sess: Session, reason: BfdDropReason, message: string): void {
    sess.counters.dropped++;
    this.log(
      'debug',
      `(${sess.s.config.name}) Discarding packet from ${sess.neighbor}: ${reason} (${message})`,
    );
  }

  private input(sess: Session, input: SessionInput): void {
    if (sess.closed) return;
    const now = this.now();
    const r = step(sess.s, input, now);
    sess.s = r.state;
    for (const e of r.effects) this.effect(sess, e);
    this.arm(sess, r.deadline, now);
  }

  private arm(sess: Session, deadline: number | null, now: number): void {
    if (deadline === sess.timerAt || sess.closed) return;
    sess.timer?.cancel();
    sess.timer = null;
    sess.timerAt = deadline;
    if (deadline === null) return;
    // setTimeout fires no earlier than asked; round up so the deadline has passed.
    const delayMs = Math.max(0, Math.ceil((deadline - now) / 1000));
    sess.timer = this.setTimer(() => {
      sess.timer = null;
      sess.timerAt = null;
      this.input(sess, { type: 'timer' });
    }, delayMs);
  }

  private effect(sess: Session, e: SessionEffect): void {
    switch (e.type) {
      case 'send':
        if (!sess.sender) return;
        sess.sender.send(encodeBfd(e.packet));
        sess.counters.sent++;
        return;
      case 'state': {
        if (e.to === 'Up') sess.counters.up++;
        else if (e.from === 'Up') sess.counters.down++;
        recordBfdState(sess.s.config.name, e.to);
        publish('bfd:state', {
          name: sess.s.config.name,
          neighbor: sess.neighbor,
          source: sess.source,
          from: e.from,
          to: e.to,
          diag: e.diag,
          diagText: diagText(e.diag),
          remoteDiag: e.remoteDiag,
          localDisc: sess.s.localDisc,
          remoteDisc: sess.s.remoteDisc,
        });
        const ev = this.watchEvent(sess);
        for (const l of [...sess.listeners]) l(ev);
        return;
      }
      case 'drop':
        return this.dropped(sess, e.reason, e.message);
      case 'log':
        return this.log(e.level, e.message);
    }
  }

  private watchEvent(sess: Session): BfdWatchEvent {
    return {
      name: sess.s.config.name,
      neighbor: sess.neighbor,
      state: sess.s.state,
      up: sess.s.state === 'Up',
      diag: sess.s.diag,
    };
  }

  private log(level: 'debug' | 'info' | 'warning' | 'error', message: string): void {
    publish('log', { level, subsystem: this.subsystem, message });
  }
}
