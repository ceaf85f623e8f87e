/**
 * The HTTP/1.x of HTTP_GET / SSL_GET: keepalived's request (its User-Agent, `Connection: close`
 * for 1.0C and 1.1, Host from the virtualhost or `IP:port`) and an incremental response
 * reader (status line, headers, then the raw body until EOF). Pure (Buffers only).
 *
 * Like keepalived, the MD5 digest and the regex see the raw bytes after the headers: a
 * chunked HTTP/1.1 body is not de-chunked (genhash computes the same digest).
 */
export type HttpProtocol = '1.0' | '1.0C' | '1.1';

export function requestText(
  path: string,
  protocol: HttpProtocol,
  vhost: string | null,
  ip: string,
  port: number,
): string {
  const minor = protocol === '1.1' ? 1 : 0;
  const conn = protocol === '1.0' ? '' : 'Connection: close\r\n';
  // An IPv6 literal goes in brackets (RFC 2732); a virtualhost is sent as written.
  const host = vhost ?? `${ip.includes(':') ? `[${ip}]` : ip}:${port}`;
  return `GET ${path} HTTP/1.${minor}\r\nUser-Agent: KeepAliveClient\r\n${conn}Host: ${host}\r\n\r\n`;
}

export interface HttpHead {
  status: number;
  headers: Record<string, string>;
}

/** Feeds response bytes; the head once complete, then body bytes. */
export class ResponseReader {
  private pending: Buffer = Buffer.alloc(0);
  head: HttpHead | null = null;
  /** Set when the status line or headers cannot be parsed. */
  error: string | null = null;

  /** Returns the body bytes contained in `chunk` (after the head). */
  push(chunk: Buffer): Buffer {
    if (this.head || this.error) return this.head ? chunk : Buffer.alloc(0);
    this.pending = Buffer.concat([this.pending, chunk]);
    const end = this.pending.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.pending.length > 64 * 1024) this.error = 'response headers too long';
      return Buffer.alloc(0);
    }
    const lines = this.pending.subarray(0, end).toString('latin1').split('\r\n');
    const m = /^HTTP\/\d\.\d (\d{3})(?: |$)/.exec(lines[0] ?? '');
    if (!m) {
      this.error = 'bad HTTP status line';
      return Buffer.alloc(0);
    }
    const headers: Record<string, string> = {};
    for (const l of lines.slice(1)) {
      const i = l.indexOf(':');
      if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
    }
    this.head = { status: Number(m[1]), headers };
    const body = this.pending.subarray(end + 4);
    this.pending = Buffer.alloc(0);
    return body;
  }
}

/** keepalived's status_code ranges: inclusive [lo, hi] pairs. */
export function statusAllowed(status: number, ranges: ReadonlyArray<[number, number]>): boolean {
  return ranges.some(([lo, hi]) => status >= lo && status <= hi);
}

/** PCRE2 option names keepalived accepts → JavaScript RegExp flags (others are ignored). */
const FLAG: Record<string, string> = { caseless: 'i', multiline: 'm', dotall: 's', utf: 'u' };

export function compileRegex(pattern: string, options: readonly string[]): RegExp | string {
  const flags = [...new Set(options.map((o) => FLAG[o] ?? ''))].join('');
  try {
    return new RegExp(pattern, `${flags}g`);
  } catch (e) {
    return `regex does not compile: ${(e as Error).message}`;
  }
}

/** Whether `re` matches `body` starting within [minOffset, maxOffset) (max 0 = no limit). */
export function regexMatches(
  re: RegExp,
  body: string,
  minOffset: number,
  maxOffset: number,
): boolean {
  re.lastIndex = minOffset;
  const m = re.exec(body);
  if (!m) return false;
  return maxOffset === 0 || m.index <= maxOffset;
}
