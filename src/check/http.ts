/**
 * HTTP_GET and SSL_GET: for every url in turn, one connection, `GET path HTTP/1.x`, then the
 * status against status_code, the MD5 of the body against digest, the regex against the body.
 * Every url must pass. connect_timeout bounds the connect and each wait for data. SSL_GET
 * verifies no certificate (as keepalived), sends SNI only with enable_sni. I/O (node:net,
 * node:tls).
 *
 * HTTP_GET goes through the addon's TcpProber.exchange when it is built (connect, request and
 * response read in C++, the bytes judged here): several times cheaper than node:net, and its
 * timeouts are declared only after pending readiness was drained, so event-loop lag does not
 * fail a server that answered in time. SSL_GET (and HTTP_GET without the addon) use node:net /
 * node:tls, whose timers are deferred past the next poll for the same reason (probe-util.ts).
 *
 * Differences: all urls are fetched in one probe (keepalived spreads them over delay_loop
 * unless fast_recovery); regexes are JavaScript RegExps, not PCRE2 (regex_stack ignored); on
 * the native path a response over RESPONSE_MAX fails ('response too large').
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
import { errnoCode, sharedTcpProber, type TcpProber } from '../os/tcp-prober.js';
import { describeError, result, settleOnce, type ProbeResult } from './probe-util.js';
import { openSocket, proberRequest, targetOf, type Target } from './tcp.js';

/** Cap on the body kept for the regex (the digest streams everything). */
const REGEX_BODY_MAX = 1024 * 1024;
/** Native path: response bytes read at most (head and body). */
const RESPONSE_MAX = 8 * 1024 * 1024;

export interface HttpProbeOptions {
  /** The virtualhost inherited from the real server or virtual server (url and checker win). */
  inheritedVhost: string | null;
  ssl: SslContext | null;
  /** HTTP_GET's native path; default: the shared prober when it can exchange. null: node:net. */
  prober?: TcpProber | null;
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
  const p = opts.prober === undefined ? sharedTcpProber() : opts.prober;
  const native = c.type === 'HTTP_GET' && p?.canExchange ? p : null;
  for (const url of c.urls) {
    const vhost = url.virtualhost ?? c.virtualhost ?? opts.inheritedVhost;
    const r = native
      ? await fetchUrlNative(native, c, url, t, vhost, signal)
      : await fetchUrl(c, url, t, vhost, opts.ssl, signal);
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

/** The verdict on a complete response: status, then digest, then regex (keepalived's order). */
function judge(url: HttpUrl, status: number, digestHex: string, body: () => Buffer): UrlOutcome {
  if (url.digest && digestHex !== url.digest.toLowerCase()) {
    return { ok: false, reason: 'digest mismatch', status };
  }
  if (url.regex !== null) {
    const re = url.regexValid
      ? compileRegex(url.regex, url.regexOptions)
      : 'regex does not compile';
    if (typeof re === 'string') return { ok: false, reason: re, status };
    const text = body().toString('latin1');
    const matched = regexMatches(re, text, url.regexMinOffset, url.regexMaxOffset);
    if (matched === url.regexNoMatch) {
      return {
        ok: false,
        reason: url.regexNoMatch ? 'regex matched' : 'regex did not match',
        status,
      };
    }
  }
  return { ok: true, reason: `HTTP status ${status}`, status };
}

/** One url over the addon: the bytes come back whole and are judged here. */
function fetchUrlNative(
  p: TcpProber,
  c: HttpChecker,
  url: HttpUrl,
  t: Target,
  vhost: string | null,
  signal: AbortSignal,
): Promise<UrlOutcome> {
  if (signal.aborted) return Promise.resolve({ ok: false, reason: 'aborted' });
  return new Promise((resolve) => {
    let id = 0;
    const onAbort = (): void => {
      p.cancel(id);
      resolve({ ok: false, reason: 'aborted' });
    };
    try {
      id = p.exchange(
        {
          ...proberRequest(t),
          request: requestText(url.path ?? '/', c.httpProtocol, vhost, t.host, t.port),
          maxBytes: RESPONSE_MAX,
        },
        (errno, _us, phase, data) => {
          signal.removeEventListener('abort', onAbort);
          resolve(nativeOutcome(url, errno, phase, data));
        },
      );
    } catch (e) {
      // Bad literals (a host name, an empty connect_ip) throw before any socket exists.
      resolve({ ok: false, reason: describeError(e) });
      return;
    }
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function nativeOutcome(url: HttpUrl, errno: number, phase: number, data: Buffer): UrlOutcome {
  if (errno !== 0 && errnoCode(errno) === 'ETIMEDOUT')
    return { ok: false, reason: phase === 0 ? 'connect timeout' : 'read timeout' };
  if (errno !== 0 && errnoCode(errno) === 'EMSGSIZE')
    return { ok: false, reason: `response too large (over ${RESPONSE_MAX} bytes)` };
  const reader = new ResponseReader();
  const body = reader.push(data);
  if (reader.error) return { ok: false, reason: reader.error };
  // A reset or error before the response was complete (the addon stops at Content-Length).
  if (errno !== 0) return { ok: false, reason: describeError({ code: errnoCode(errno) }) };
  if (!reader.head) return { ok: false, reason: 'no data received' };
  const status = reader.head.status;
  if (!statusAllowed(status, url.statusCodes))
    return { ok: false, reason: `HTTP status ${status}`, status };
  const digest = url.digest ? createHash('md5').update(body).digest('hex') : '';
  return judge(url, status, digest, () => body.subarray(0, REGEX_BODY_MAX));
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
      done(judge(url, reader.head.status, md5.digest('hex'), () => Buffer.concat(bodyParts)));
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
