/**
 * TCP_CHECK: a connect within connect_timeout is success, then the socket is closed. Also
 * the connect step of HTTP_GET and SMTP_CHECK (openSocket). I/O.
 *
 * Two paths: the addon's batched TcpProber (os/tcp-prober.ts, ~10× cheaper in CPU; the
 * close is a RST, SO_LINGER 0, so no TIME_WAIT piles up) and node:net when the addon is
 * missing (a normal FIN close, as keepalived's shutdown + close).
 *
 * Differences: bind_if and fwmark are not applied (no SO_BINDTODEVICE/SO_MARK here).
 */
import { connect, type Socket } from 'node:net';
import type { ConnOpts } from '../config/lvs/types.js';
import {
  errnoCode,
  sharedTcpProber,
  type TcpProber,
  type TcpProbeRequest,
} from '../os/tcp-prober.js';
import { describeError, settleOnce, type ProbeResult } from './probe-util.js';

/** A ConnOpts after finalize: address, port and timeout filled in. */
export interface Target {
  host: string;
  port: number;
  timeoutS: number;
  bindto: string | null;
  bindPort: number | null;
}

export function targetOf(conn: ConnOpts): Target {
  return {
    host: conn.connectIp ?? '',
    port: conn.connectPort ?? 0,
    timeoutS: conn.connectTimeout ?? 5,
    bindto: conn.bindto,
    bindPort: conn.bindPort,
  };
}

/** The native prober's connect request for `t` (also the base of an HTTP exchange). */
export function proberRequest(t: Target): TcpProbeRequest {
  return {
    address: t.host,
    port: t.port,
    timeoutMs: t.timeoutS * 1000,
    source: t.bindto,
    sourcePort: t.bindPort,
  };
}

export function openSocket(t: Target): Socket {
  return connect({
    host: t.host,
    port: t.port,
    ...(t.bindto ? { localAddress: t.bindto } : {}),
    ...(t.bindPort ? { localPort: t.bindPort } : {}),
    noDelay: true,
  });
}

/**
 * TCP_CHECK's probe: through `prober` (default: the shared native one), else node:net.
 * Pass `prober: null` to force node:net.
 */
export function probeTcp(
  t: Target,
  signal: AbortSignal,
  prober: TcpProber | null = sharedTcpProber(),
): Promise<ProbeResult> {
  if (prober) return probeNative(prober, t, signal);
  return probeNet(t, signal);
}

/** A native connect's outcome in the checkers' words; reasons are shared constant strings. */
export function tcpOutcome(errno: number, latencyUs: number): ProbeResult {
  const latencyMs = latencyUs / 1000;
  if (errno === 0) return { ok: true, reason: 'connected', latencyMs };
  const code = errnoCode(errno);
  if (code === 'ECANCELED') return { ok: false, reason: 'aborted', latencyMs };
  return { ok: false, reason: describeError({ code }), latencyMs };
}

/**
 * TCP_CHECK's callback form for the runtime: one request object and one callback per
 * checker, nothing allocated per probe but the outcome. Bad literals (a host name, an empty
 * connect_ip) fail the probe on the next microtask, as the promise form does.
 */
export function directTcp(
  p: TcpProber,
  t: Target,
  done: (r: ProbeResult) => void,
): { start(): number; cancel(handle: number): void } {
  const req = proberRequest(t);
  const cb = (errno: number, latencyUs: number): void => done(tcpOutcome(errno, latencyUs));
  return {
    start(): number {
      try {
        return p.start(req, cb);
      } catch (e) {
        queueMicrotask(() => done({ ok: false, reason: describeError(e), latencyMs: 0 }));
        return 0;
      }
    },
    cancel(handle: number): void {
      if (handle !== 0) p.cancel(handle);
    },
  };
}

function probeNative(p: TcpProber, t: Target, signal: AbortSignal): Promise<ProbeResult> {
  let pending;
  try {
    pending = p.probe(proberRequest(t), signal);
  } catch (e) {
    // Bad literals (a host name, an empty connect_ip) throw before any socket exists.
    return Promise.resolve({ ok: false, reason: describeError(e), latencyMs: 0 });
  }
  return pending.then((r) => tcpOutcome(r.errno, r.latencyUs));
}

function probeNet(t: Target, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = openSocket(t);
    const s = settleOnce(signal, resolve, () => sock.destroy());
    s.arm(t.timeoutS * 1000, 'connect timeout');
    sock.once('connect', () => {
      sock.end();
      s.finish(true, 'connected');
    });
    sock.once('error', (e) => s.finish(false, describeError(e)));
  });
}
