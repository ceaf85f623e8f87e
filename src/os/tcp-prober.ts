/**
 * Typed face of the addon's TcpProber (native/tcp-prober.cc): non-blocking TCP connects
 * watched by one epoll set inside the addon, results handed to JS in batches (one callback
 * per event-loop turn, a Float64Array of (id, errno, latency µs) triples). Each probe is one
 * socket + connect; the socket is closed as soon as the connect resolves.
 *
 * I/O module. The addon is loaded through os/native.ts's loadNative(); when it is missing
 * sharedTcpProber() returns null and callers fall back to node:net.
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

interface NativeTcpProber {
  connect(
    address: string,
    port: number,
    timeoutMs: number,
    source: string | null,
    sourcePort: number | null,
    rst: boolean,
  ): number;
  cancel(id: number): boolean;
  pending(): number;
  close(): void;
}

type NativeTcpProberClass = new (onResults: (batch: Float64Array) => void) => NativeTcpProber;

const codeOf = new Map<number, string>(
  Object.entries(constants.errno).map(([name, n]) => [n, name] as const),
);

/** Errno number → 'ECONNREFUSED' (Linux numbering, from node:os). */
export function errnoCode(errno: number): string {
  return errno === 0 ? '' : (codeOf.get(errno) ?? `E${errno}`);
}

export class TcpProber {
  private readonly native: NativeTcpProber;
  private readonly waiting = new Map<number, (r: TcpProbeResult) => void>();

  constructor() {
    const cls = (loadNative() as unknown as { TcpProber?: NativeTcpProberClass }).TcpProber;
    if (!cls) throw new Error('native addon has no TcpProber (rebuild it: npm run install)');
    this.native = new cls((batch) => this.deliver(batch));
  }

  /**
   * One connect. Throws (synchronously) only on bad arguments, e.g. a TypeError code
   * ERR_INVALID_IP_ADDRESS; every network outcome resolves. An aborted probe is cancelled
   * and resolves with code ECANCELED.
   */
  probe(req: TcpProbeRequest, signal?: AbortSignal): Promise<TcpProbeResult> {
    const id = this.native.connect(
      req.address,
      req.port,
      Math.max(1, Math.round(req.timeoutMs)),
      req.source ?? null,
      req.sourcePort ?? null,
      req.rst ?? true,
    );
    return new Promise((resolve) => {
      if (!signal) {
        this.waiting.set(id, resolve);
        return;
      }
      const onAbort = (): void => {
        this.native.cancel(id);
        this.waiting.delete(id);
        resolve({ ok: false, errno: constants.errno.ECANCELED, code: 'ECANCELED', latencyUs: 0 });
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.set(id, (r) => {
        signal.removeEventListener('abort', onAbort);
        resolve(r);
      });
    });
  }

  /** Connects in flight inside the addon. */
  get pending(): number {
    return this.native.pending();
  }

  /** Closes every socket; waiting probes never resolve after this. */
  close(): void {
    this.waiting.clear();
    this.native.close();
  }

  private deliver(batch: Float64Array): void {
    for (let i = 0; i + 2 < batch.length; i += 3) {
      const id = batch[i] ?? 0;
      const errno = batch[i + 1] ?? 0;
      const done = this.waiting.get(id);
      if (!done) continue;
      this.waiting.delete(id);
      done({ ok: errno === 0, errno, code: errnoCode(errno), latencyUs: batch[i + 2] ?? 0 });
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
