/**
 * What every probe shares: the result type, errors in an administrator's words, a settle-once
 * timer that also honours the caller's AbortSignal, and an address-family helper. No socket
 * options are set here: the probes apply `bindto` / `bind_port` themselves (tcp.ts, udp.ts,
 * dns.ts; ping.ts only `bindto`), and no probe applies `bind_if` or `fwmark` (Node's sockets
 * offer no SO_BINDTODEVICE / SO_MARK). I/O helpers; no protocol logic.
 */
import type { ProbeOutcome } from './machine.js';

export type ProbeResult = ProbeOutcome;

/** A probe: runs once, never throws, settles by itself (its own timeouts) or on `signal`. */
export type Probe = (signal: AbortSignal) => Promise<ProbeResult>;

/** Seconds as the administrator wrote them ("5 s", "0.5 s"). */
export function secs(s: number): string {
  return `${Number(s.toFixed(3))} s`;
}

/** A Node socket error as a short reason: "connection refused", "no route to host"… */
export function describeError(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  switch (e?.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'EHOSTUNREACH':
      return 'no route to host';
    case 'ENETUNREACH':
      return 'network unreachable';
    case 'EADDRNOTAVAIL':
      return 'bind address not available';
    case 'EADDRINUSE':
      return 'bind address in use';
    case 'EPIPE':
      return 'connection closed by peer';
    case 'ETIMEDOUT':
      return 'connect timeout';
    default:
      if (e?.code) return `${e.code.toLowerCase()}`;
      return e instanceof Error ? e.message : String(err);
  }
}

export function result(ok: boolean, reason: string, started: number): ProbeResult {
  return { ok, reason, latencyMs: Math.round((performance.now() - started) * 1000) / 1000 };
}

/**
 * A settle-once helper: `finish` resolves the probe the first time and runs `cleanup`;
 * `arm(ms, reason)` (re)starts the I/O timer (connect_timeout per wait, as keepalived does).
 */
export function settleOnce(
  signal: AbortSignal,
  resolve: (r: ProbeResult) => void,
  cleanup: () => void,
): {
  finish: (ok: boolean, reason: string) => void;
  arm: (ms: number, reason: string, ok?: boolean) => void;
  started: number;
} {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let done = false;
  const onAbort = (): void => finish(false, 'aborted');
  function finish(ok: boolean, reason: string): void {
    if (done) return;
    done = true;
    if (timer) clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    try {
      cleanup();
    } catch {
      // Cleanup of an already broken socket: nothing more to do.
    }
    resolve(result(ok, reason, started));
  }
  let armed = 0;
  function arm(ms: number, reason: string, ok = false): void {
    if (timer) clearTimeout(timer);
    const gen = ++armed;
    // libuv runs timers before it polls: on a lagging loop the reply may be waiting unread.
    // Deciding in setImmediate (after this turn's poll) lets it re-arm or finish us first.
    timer = setTimeout(
      () =>
        setImmediate(() => {
          if (gen === armed) finish(ok, reason);
        }),
      Math.max(1, ms),
    );
  }
  if (signal.aborted) queueMicrotask(onAbort);
  else signal.addEventListener('abort', onAbort, { once: true });
  return { finish, arm, started };
}

/** Family of an address literal. */
export function familyOf(address: string): 4 | 6 {
  return address.includes(':') ? 6 : 4;
}
