/**
 * HTTP_GET and SSL_GET: for every url in turn, one connection, `GET path HTTP/1.x`, then the
 * status against status_code, the MD5 of the body against digest, the regex against the body.
 * Every url must pass. connect_timeout bounds the connect and each wait for data. SSL_GET
 * verifies no certificate (as keepalived), sends SNI only with enable_sni. I/O (node:net,
 * node:tls).
 *
 * Differences: all urls are fetched in one probe (keepalived spreads them over delay_loop
 * unless fast_recovery); regexes are JavaScript RegExps, not PCRE2 (regex_stack ignored).
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Socket } from 'node:net';
import type { HttpChecker, HttpUrl, SslContext } from '../config/lvs/types.js';
import {
  compileRegex,
  regexMatches,
  requestText,
  ResponseReader,
  statusAllowed,
} from './http-wire.js';
import { describeError, result, settleOnce, type ProbeResult } from './probe-util.js';
import { openSocket, targetOf, type Target } from './tcp.js';

/** Cap on the body kept for the regex (the digest streams everything). */
const REGEX_BODY_MAX = 1024 * 1024;

export interface HttpProbeOptions {
  /** The virtualhost inherited from the real server or virtual server (url and checker win). */
  inheritedVhost: string | null;
  ssl: SslContext | null;
}

interface UrlOutcome {
  ok: boolean;
  reason: string;
  status?: number;
}

export async function probeHttp(
  c: HttpChecker,
  opts: HttpProbeOptions,
  signal: AbortSignal,
): Promise<ProbeResult & { url?: string; status?: number }> {
  const started = performance.now();
  const t = targetOf(c.conn);
  for (const url of c.urls) {
    const vhost = url.virtualhost ?? c.virtualhost ?? opts.inheritedVhost;
    const r = await fetchUrl(c, url, t, vhost, opts.ssl, signal);
    if (!r.ok)
      return { ...result(false, r.reason, started), url: url.path ?? '/', status: r.status };
  }
  return result(true, `${c.urls.length} url(s) passed`, started);
}

function tlsOptions(ssl: SslContext | null): { cert?: Buffer; key?: Buffer; passphrase?: string } {
  if (!ssl?.certificate) return {};
  try {
    return {
      cert: readFileSync(ssl.certificate),
      key: readFileSync(ssl.key ?? ssl.certificate),
      ...(ssl.password ? { passphrase: ssl.password } : {}),
    };
  } catch {
    return {};
  }
}

function fetchUrl(
  c: HttpChecker,
  url: HttpUrl,
  t: Target,
  vhost: string | null,
  ssl: SslContext | null,
  signal: AbortSignal,
): Promise<UrlOutcome> {
  return new Promise((resolve) => {
    const raw = openSocket(t);
    let sock: Socket | TLSSocket = raw;
    const s = settleOnce(
      signal,
      (r) => resolve(outcome ?? { ok: r.ok, reason: r.reason }),
      () => {
        sock.destroy();
        raw.destroy();
      },
    );
    let outcome: UrlOutcome | undefined;
    const done = (o: UrlOutcome): void => {
      outcome = o;
      s.finish(o.ok, o.reason);
    };
    const ms = t.timeoutS * 1000;
    s.arm(ms, 'connect timeout');
    const reader = new ResponseReader();
    const md5 = createHash('md5');
    const bodyParts: Buffer[] = [];
    let bodyLen = 0;
    const request = requestText(url.path ?? '/', c.httpProtocol, vhost, t.host, t.port);

    const onData = (chunk: Buffer): void => {
      s.arm(ms, 'read timeout');
      const body = reader.push(chunk);
      if (reader.error) return done({ ok: false, reason: reader.error });
      if (!reader.head) return;
      if (!statusAllowed(reader.head.status, url.statusCodes)) {
        return done({
          ok: false,
          reason: `HTTP status ${reader.head.status}`,
          status: reader.head.status,
        });
      }
      md5.update(body);
      if (bodyLen < REGEX_BODY_MAX) bodyParts.push(body);
      bodyLen += body.length;
      // A server that keeps the connection open despite HTTP/1.0: Content-Length ends the body.
      const len = Number(reader.head.headers['content-length'] ?? NaN);
      if (Number.isInteger(len) && bodyLen >= len) onEnd();
    };
    let ended = false;
    const onEnd = (): void => {
      if (ended) return;
      ended = true;
      if (!reader.head) return done({ ok: false, reason: reader.error ?? 'no data received' });
      const status = reader.head.status;
      if (url.digest && md5.digest('hex') !== url.digest.toLowerCase()) {
        return done({ ok: false, reason: 'digest mismatch', status });
      }
      if (url.regex !== null) {
        const re = url.regexValid
          ? compileRegex(url.regex, url.regexOptions)
          : 'regex does not compile';
        if (typeof re === 'string') return done({ ok: false, reason: re, status });
        const text = Buffer.concat(bodyParts).toString('latin1');
        const matched = regexMatches(re, text, url.regexMinOffset, url.regexMaxOffset);
        if (matched === url.regexNoMatch) {
          return done({
            ok: false,
            reason: url.regexNoMatch ? 'regex matched' : 'regex did not match',
            status,
          });
        }
      }
      done({ ok: true, reason: `HTTP status ${status}`, status });
    };
    const onConnected = (): void => {
      s.arm(ms, 'read timeout');
      sock.on('data', onData);
      sock.once('end', onEnd);
      sock.write(request);
    };
    raw.once('error', (e) => done({ ok: false, reason: describeError(e) }));
    raw.once('connect', () => {
      if (c.type === 'HTTP_GET') return onConnected();
      s.arm(ms, 'TLS handshake timeout');
      const tls = tlsConnect({
        socket: raw,
        // An IP literal as host: Node then sends no SNI unless enable_sni names one.
        host: t.host,
        rejectUnauthorized: false,
        ...(c.enableSni && vhost ? { servername: vhost } : {}),
        ...tlsOptions(ssl),
      });
      sock = tls;
      tls.once('secureConnect', onConnected);
      tls.once('error', (e) => done({ ok: false, reason: `TLS: ${describeError(e)}` }));
    });
  });
}
