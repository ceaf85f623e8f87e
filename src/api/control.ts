/**
 * The control socket: a unix stream socket (mode 0600, root only) speaking
 * one JSON object per line each way. stayalivectl is its client.
 *   → {"cmd":"status"}            ← {"ok":true,"result":{...}}
 *   → {"cmd":"nope"}              ← {"ok":false,"error":"unknown command 'nope'"}
 * Bad input gets an error reply naming the problem; it never stops the daemon.
 */
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { dirname } from 'node:path';

export type CommandHandler = (args: Record<string, unknown>) => unknown | Promise<unknown>;

export interface ControlServer {
  path: string;
  close(): Promise<void>;
}

const MAX_LINE = 64 * 1024;

async function staleSocket(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection(path);
    c.once('connect', () => {
      c.destroy();
      resolve(false);
    });
    c.once('error', (e: NodeJS.ErrnoException) => resolve(e.code === 'ECONNREFUSED'));
  });
}

export async function startControlServer(
  path: string,
  commands: Record<string, CommandHandler>,
): Promise<ControlServer> {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  if (await staleSocket(path)) rmSync(path, { force: true });
  const server: Server = createServer((sock) => {
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('error', () => sock.destroy());
    sock.on('data', (chunk: string) => {
      buf += chunk;
      if (buf.length > MAX_LINE) {
        sock.end(JSON.stringify({ ok: false, error: 'request too long' }) + '\n');
        return;
      }
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        void answer(line).then((reply) => sock.write(JSON.stringify(reply) + '\n'));
      }
    });
  });
  const answer = async (line: string): Promise<unknown> => {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      return { ok: false, error: `request is not JSON: ${line.slice(0, 80)}` };
    }
    const cmd = (req as { cmd?: unknown }).cmd;
    if (typeof cmd !== 'string') return { ok: false, error: 'request has no "cmd" string' };
    const handler = Object.prototype.hasOwnProperty.call(commands, cmd) ? commands[cmd] : undefined;
    if (!handler) return { ok: false, error: `unknown command '${cmd}'` };
    try {
      return { ok: true, result: await handler(req as Record<string, unknown>) };
    } catch (e) {
      return { ok: false, error: (e as Error).message };
    }
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    path,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        rmSync(path, { force: true });
      }),
  };
}

/** One request, one reply (the client side, used by stayalivectl and tests). */
export function controlRequest(
  path: string,
  req: Record<string, unknown>,
  timeoutMs = 5000,
): Promise<{ ok: boolean; result?: unknown; error?: string }> {
  return new Promise((resolve, reject) => {
    const c = createConnection(path);
    let buf = '';
    const timer = setTimeout(() => {
      c.destroy();
      reject(new Error(`no answer from ${path} within ${timeoutMs} ms`));
    }, timeoutMs);
    c.setEncoding('utf8');
    c.on('connect', () => c.write(JSON.stringify(req) + '\n'));
    c.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        c.end();
        try {
          resolve(JSON.parse(buf.slice(0, nl)));
        } catch (e) {
          reject(e as Error);
        }
      }
    });
    c.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}
