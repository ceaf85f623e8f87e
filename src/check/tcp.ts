/**
 * TCP_CHECK: a connect within connect_timeout is success, then the socket is closed (RST-free:
 * a normal close, as keepalived's shutdown+close). Also the connect step of HTTP_GET and
 * SMTP_CHECK. I/O (node:net).
 *
 * Differences: bind_if and fwmark are not applied (node:net has no SO_BINDTODEVICE/SO_MARK).
 */
import { connect, type Socket } from 'node:net';
import type { ConnOpts } from '../config/lvs/types.js';
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

export function openSocket(t: Target): Socket {
  return connect({
    host: t.host,
    port: t.port,
    ...(t.bindto ? { localAddress: t.bindto } : {}),
    ...(t.bindPort ? { localPort: t.bindPort } : {}),
    noDelay: true,
  });
}

export function probeTcp(t: Target, signal: AbortSignal): Promise<ProbeResult> {
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
