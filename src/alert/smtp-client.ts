/**
 * One SMTP conversation per mail (RFC 5321): connect, 220 banner, HELO, MAIL FROM, one RCPT TO
 * per recipient, DATA, the dot-stuffed message, QUIT. Does I/O (node:net); never throws or
 * rejects: the result says what happened, with the stage and the server's reply on failure.
 *
 * Bounded: the connect (including name resolution) and every reply wait are each limited to
 * `timeoutMs` (keepalived's smtp_connect_timeout applies to each step as well), and a reply
 * longer than 64 KiB aborts, so a conversation ends within (5 + recipients) × timeoutMs.
 * Like keepalived: plain HELO (no EHLO, no STARTTLS, no AUTH); any unexpected code aborts the
 * mail (a refused recipient included). Unlike keepalived, RCPT also accepts 251.
 */
import { connect, type Socket } from 'node:net';
import { dotStuff } from './compose.js';

export interface SmtpMail {
  host: string;
  port: number;
  timeoutMs: number;
  helo: string;
  from: string;
  to: readonly string[];
  /** The message (headers, blank line, body), before dot-stuffing. */
  message: string;
}

export type SmtpResult =
  | { ok: true; transcript: string[] }
  | { ok: false; stage: string; error: string; transcript: string[] };

const MAX_REPLY = 64 * 1024;

/** A reply: its code and its last line (what error messages quote). */
interface Reply {
  code: number;
  text: string;
}

/** "[192.0.2.1]:25", keepalived's spelling of a host and port. */
export function hostPort(host: string, port: number): string {
  return `[${host}]:${port}`;
}

/** Splits complete replies off the front of `buf` (multi-line "250-…" continuations skipped). */
export function takeReplies(buf: string): { replies: Reply[]; rest: string } {
  const replies: Reply[] = [];
  let rest = buf;
  for (;;) {
    const nl = rest.indexOf('\n');
    if (nl < 0) break;
    const line = rest.slice(0, nl).replace(/\r$/, '');
    rest = rest.slice(nl + 1);
    if (line[3] === '-') continue;
    const code = /^\d{3}/.test(line) ? Number(line.slice(0, 3)) : -1;
    replies.push({ code, text: line });
  }
  return { replies, rest };
}

class Conversation {
  private buf = '';
  private queue: Reply[] = [];
  private waiter: ((r: Reply | Error) => void) | null = null;
  private failure: Error | null = null;
  readonly transcript: string[] = [];

  constructor(
    private readonly sock: Socket,
    private readonly timeoutMs: number,
  ) {
    sock.setEncoding('utf8');
    sock.on('data', (chunk: string) => {
      this.buf += chunk;
      if (this.buf.length > MAX_REPLY) return this.fail(new Error('reply too long'));
      const { replies, rest } = takeReplies(this.buf);
      this.buf = rest;
      for (const r of replies) {
        this.transcript.push(`S: ${r.text}`);
        this.queue.push(r);
      }
      this.wake();
    });
    sock.on('error', (e) => this.fail(e));
    sock.on('close', () => this.fail(new Error('connection closed by server')));
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.wake();
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    const r = this.queue.shift();
    if (r) {
      this.waiter = null;
      w(r);
    } else if (this.failure) {
      this.waiter = null;
      w(this.failure);
    }
  }

  /** The next reply, or an Error (timeout, close, socket error). */
  reply(): Promise<Reply | Error> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        resolve(new Error(`no reply within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiter = (r) => {
        clearTimeout(timer);
        resolve(r);
      };
      this.wake();
    });
  }

  send(line: string, shown = line): void {
    this.transcript.push(`C: ${shown}`);
    if (!this.sock.destroyed) this.sock.write(`${line}\r\n`, 'utf8');
  }

  /** Sends `line` (if any) and checks the reply code. Returns an error text or null. */
  async step(line: string | null, want: readonly number[], shown?: string): Promise<string | null> {
    if (line !== null) this.send(line, shown);
    const r = await this.reply();
    if (r instanceof Error) return r.message;
    return want.includes(r.code) ? null : r.text;
  }
}

function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket | Error> {
  return new Promise((resolve) => {
    const sock = connect({ host: host.replace(/^\[(.*)\]$/, '$1'), port });
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(new Error(`timeout after ${timeoutMs} ms`));
    }, timeoutMs);
    sock.once('connect', () => {
      clearTimeout(timer);
      sock.removeAllListeners('error');
      resolve(sock);
    });
    sock.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(new Error(e.code ? `${e.code} (${e.message})` : e.message));
    });
  });
}

/** Sends one mail. Resolves (never rejects) with the outcome and the transcript. */
export async function sendMail(m: SmtpMail): Promise<SmtpResult> {
  const opened = await openSocket(m.host, m.port, m.timeoutMs).catch((e: unknown) =>
    e instanceof Error ? e : new Error(String(e)),
  );
  if (opened instanceof Error) {
    return { ok: false, stage: 'connect', error: opened.message, transcript: [] };
  }
  const sock = opened;
  const c = new Conversation(sock, m.timeoutMs);
  const fail = async (stage: string, error: string): Promise<SmtpResult> => {
    // Say goodbye politely when the server is still talking to us; do not wait long.
    if (!sock.destroyed && sock.writable) {
      c.send('QUIT');
      await Promise.race([c.reply(), new Promise((r) => setTimeout(r, 200))]);
    }
    sock.destroy();
    return { ok: false, stage, error, transcript: c.transcript };
  };
  try {
    let err = await c.step(null, [220]);
    if (err !== null) return await fail('banner', err);
    err = await c.step(`HELO ${m.helo}`, [250]);
    if (err !== null) return await fail('HELO', err);
    err = await c.step(`MAIL FROM:<${m.from}>`, [250]);
    if (err !== null) return await fail('MAIL FROM', err);
    for (const rcpt of m.to) {
      err = await c.step(`RCPT TO:<${rcpt}>`, [250, 251]);
      if (err !== null) return await fail(`RCPT TO <${rcpt}>`, err);
    }
    err = await c.step('DATA', [354]);
    if (err !== null) return await fail('DATA', err);
    const data = dotStuff(m.message);
    c.transcript.push(`C: <message, ${data.length} bytes>`);
    sock.write(data, 'utf8');
    err = await c.step(null, [250]);
    if (err !== null) return await fail('message', err);
    // The mail is accepted; a missing 221 does not undo that.
    await c.step('QUIT', [221]);
    sock.destroy();
    return { ok: true, transcript: c.transcript };
  } catch (e) {
    sock.destroy();
    return {
      ok: false,
      stage: 'internal',
      error: e instanceof Error ? e.message : String(e),
      transcript: c.transcript,
    };
  }
}

/** "RCPT TO <x> refused: 550 …" / "connect failed: ECONNREFUSED …". */
export function describeFailure(r: Extract<SmtpResult, { ok: false }>): string {
  if (r.stage === 'connect') return `connect failed: ${r.error}`;
  if (/^\d{3}/.test(r.error)) return `${r.stage} refused: ${r.error}`;
  return `${r.stage} failed: ${r.error}`;
}
