/**
 * Typed face of the addon's TcpProber (native/tcp-prober.cc): non-blocking TCP connects
 * watched by one epoll set inside the addon, results handed to JS in batches (one callback
 * per event-loop turn, a Float64Array of (id, errno, latency µs) triples). Each probe is one
 * socket + connect; the socket is closed as soon as the connect resolves.
 *
 * I/O module. The addon is loaded through os/native.ts's loadNative(); when it is missing
 * sharedTcpProber() returns null and callers fall back to node:net.
 *
 * exchange() is the HTTP_GET probe: the same connect, then a request written and the response
 * read to EOF (or its Content-Length, or maxBytes), each wait bounded by the timeout; the
 * bytes come back in the same batches. The addon drains readiness before it declares a
 * timeout, so a busy event loop does not turn a reply that came in time into a timeout.
 *
 * Close: `rst: true` (the default here) sets SO_LINGER 0, so the close sends a RST and
 * leaves no TIME_WAIT on the director — at 10,000 checks/s a FIN close would keep ~600,000
 * TIME_WAIT sockets around. HAProxy closes its checks the same way; keepalived closes with
 * a FIN.
 */
import { constants } from 'node:os';
import { loadNative } from './native.js';

export interface TcpProbeRequest {
  address: string;
  port: number;
  timeoutMs: number;
  /** Source address (bindto). */
  source?: string | null;
  /** Source port (bind_port). */
  sourcePort?: number | null;
  /** Close with RST (SO_LINGER 0) instead of FIN; default true. */
  rst?: boolean;
}

export interface TcpProbeResult {
  ok: boolean;
  /** 0 on success; ETIMEDOUT when connect_timeout ran out. */
  errno: number;
  /** 'ECONNREFUSED', 'ETIMEDOUT', … ('' on success). */
  code: string;
  latencyUs: number;
}

/** A start() result: errno 0 when connected (ETIMEDOUT when connect_timeout ran out). */
export type TcpProbeCallback = (errno: number, latencyUs: number) => void;

export interface TcpExchangeRequest extends Omit<TcpProbeRequest, 'rst'> {
  /** Written once connected (latin1 / ASCII text). */
  request: string;
  /** Response bytes kept at most; more ends the exchange with EMSGSIZE. */
  maxBytes: number;
}

/** Where an exchange was when it ended (its timeout names the step): 0 connecting, 1 writing, 2 reading. */
export type ExchangePhase = 0 | 1 | 2;

/** errno 0: the response was read to EOF or to its Content-Length. */
export type TcpExchangeCallback = (
  errno: number,
  latencyUs: number,
  phase: ExchangePhase,
  data: Buffer,
) => void;

interface NativeTcpProber {
  connect(
    address: string,
    port: number,
    timeoutMs: number,
    source: string | null,
    sourcePort: number | null,
    rst: boolean,
  ): number;
  exchange?(
    address: string,
    port: number,
    timeoutMs: number,
    source: string | null,
    sourcePort: number | null,
    request: string,
    maxBytes: number,
  ): number;
  cancel(id: number): boolean;
  pending(): number;
  close(): void;
}

type NativeTcpProberClass = new (
  onResults: (batch: Float64Array, exchanges?: [Float64Array, Buffer[]]) => void,
) => NativeTcpProber;

const codeOf = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name] as const),
);

/** Errno number → 'ECONNREFUSED' (Linux numbering, from node:os). */
export function errnoCode(errno: number): string {
  return errno === 0 ? '' : (codeOf.get(errno) ?? `E${errno}`);
}

export class TcpProber {
  private readonly native: NativeTcpProber;
  private readonly waiting = new Map<number, TcpProbeCallback>();
  private readonly xwaiting = new Map<number, TcpExchangeCallback>();

  constructor() {
    const cls = (loadNative() as unknown as { TcpProber?: NativeTcpProberClass }).TcpProber;
    if (!cls) throw new Error('native addon has no TcpProber (rebuild it: npm run install)');
    this.native = new cls((batch, exchanges) => this.deliver(batch, exchanges));
  }

  /** Whether this build of the addon has exchange() (HTTP_GET on the native path). */
  get canExchange(): boolean {
    return typeof this.native.exchange === 'function';
  }

  /**
   * One exchange (connect, write `request`, read the response), reported through `done` in
   * the addon's next batch. Returns the id for cancel(). Throws only on bad arguments.
   */
  exchange(req: TcpExchangeRequest, done: TcpExchangeCallback): number {
    if (!this.native.exchange) throw new Error('native addon has no TcpProber.exchange');
    const id = this.native.exchange(
      req.address,
      req.port,
      Math.max(1, Math.round(req.timeoutMs)),
      req.source ?? null,
      req.sourcePort ?? null,
      req.request,
      req.maxBytes,
    );
    this.xwaiting.set(id, done);
    return id;
  }

  /**
   * One connect, reported through `done(errno, latencyUs)` (errno 0: connected) in the
   * addon's next batch: no promise, no AbortSignal — the checkers' fast path. Returns the id
   * for cancel(). Throws (synchronously) only on bad arguments, e.g. a TypeError code
   * ERR_INVALID_IP_ADDRESS.
   */
  start(req: TcpProbeRequest, done: TcpProbeCallback): number {
    const id = this.native.connect(
      req.address,
      req.port,
      Math.max(1, Math.round(req.timeoutMs)),
      req.source ?? null,
      req.sourcePort ?? null,
      req.rst ?? true,
    );
    this.waiting.set(id, done);
    return id;
  }

  /** Cancels a connect started with start(): its socket is closed, `done` never runs. */
  cancel(id: number): void {
    if (this.waiting.delete(id) || this.xwaiting.delete(id)) this.native.cancel(id);
  }

  /**
   * One connect as a promise. Throws (synchronously) only on bad arguments; every network
   * outcome resolves. An aborted probe is cancelled and resolves with code ECANCELED.
   */
  probe(req: TcpProbeRequest, signal?: AbortSignal): Promise<TcpProbeResult> {
    let resolve: (r: TcpProbeResult) => void = () => undefined;
    const pending = new Promise<TcpProbeResult>((r) => (resolve = r));
    const onAbort = (): void => {
      this.cancel(id);
      resolve({ ok: false, errno: constants.errno.ECANCELED, code: 'ECANCELED', latencyUs: 0 });
    };
    // Outside the promise, so bad arguments throw to the caller.
    const id = this.start(req, (errno, latencyUs) => {
      signal?.removeEventListener('abort', onAbort);
      resolve({ ok: errno === 0, errno, code: errnoCode(errno), latencyUs });
    });
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
    return pending;
  }

  /** Connects in flight inside the addon. */
  get pending(): number {
    return this.native.pending();
  }

  /** Closes every socket; waiting probes never resolve after this. */
  close(): void {
    this.waiting.clear();
    this.xwaiting.clear();
    this.native.close();
  }

  private deliver(batch: Float64Array, exchanges?: [Float64Array, Buffer[]]): void {
    if (exchanges) this.deliverExchanges(exchanges[0], exchanges[1]);
    for (let i = 0; i + 2 < batch.length; i += 3) {
      const id = batch[i] ?? 0;
      const errno = batch[i + 1] ?? 0;
      const done = this.waiting.get(id);
      if (!done) continue;
      this.waiting.delete(id);
      done(errno, batch[i + 2] ?? 0);
    }
  }

  private deliverExchanges(quads: Float64Array, data: Buffer[]): void {
    for (let i = 0, k = 0; i + 3 < quads.length; i += 4, k++) {
      const id = quads[i] ?? 0;
      const done = this.xwaiting.get(id);
      if (!done) continue;
      this.xwaiting.delete(id);
      const phase = (quads[i + 3] ?? 0) as ExchangePhase;
      done(quads[i + 1] ?? 0, quads[i + 2] ?? 0, phase, data[k] ?? Buffer.alloc(0));
    }
  }
}

let shared: TcpProber | null | undefined;

/** The process-wide prober, or null when the addon (or its TcpProber) is not available. */
export function sharedTcpProber(): TcpProber | null {
  if (shared === undefined) {
    try {
      shared = new TcpProber();
    } catch {
      shared = null;
    }
  }
  return shared;
}
