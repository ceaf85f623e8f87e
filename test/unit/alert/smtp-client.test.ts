// smtp-client.ts against a scripted SMTP peer on loopback: the command sequence, multi-line
// replies, dot-stuffed DATA, a refused recipient, a silent server and a closed port.
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { test } from 'node:test';
import { describeFailure, sendMail, takeReplies } from '../../../src/alert/smtp-client.js';

interface Peer {
  server: Server;
  port: number;
  lines: string[];
  data: string[];
}

/** A small SMTP peer: `reply(cmd)` gives the reply to each command line (null = say nothing). */
async function peer(
  reply: (cmd: string) => string | null,
  banner: string | null = '220 lab ESMTP',
): Promise<Peer> {
  const lines: string[] = [];
  const data: string[] = [];
  const server = createServer((s: Socket) => {
    let buf = '';
    let inData = false;
    let msg = '';
    if (banner !== null) s.write(`${banner}\r\n`);
    s.on('data', (chunk) => {
      buf += chunk.toString('utf8');
      let i: number;
      while ((i = buf.indexOf('\r\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            data.push(msg);
            msg = '';
            s.write('250 2.0.0 queued\r\n');
          } else msg += `${line}\n`;
          continue;
        }
        lines.push(line);
        const r = reply(line);
        if (line === 'DATA' && r?.startsWith('354')) inData = true;
        if (r !== null) s.write(`${r}\r\n`);
        if (line === 'QUIT') s.end();
      }
    });
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.address() as AddressInfo).port, lines, data };
}

const happy = (cmd: string): string => {
  if (cmd.startsWith('HELO')) return '250-lab hello\r\n250 ok';
  if (cmd === 'DATA') return '354 go ahead';
  if (cmd === 'QUIT') return '221 bye';
  return '250 ok';
};

const mail = (port: number, extra: Partial<Parameters<typeof sendMail>[0]> = {}) => ({
  host: '127.0.0.1',
  port,
  timeoutMs: 1000,
  helo: 'lb1',
  from: 'keepalived@lb1',
  to: ['ops@example.org', 'noc@example.org'],
  message: 'Subject: s\r\n\r\nline\r\n.dot line\r\n',
  ...extra,
});

test('replies: multi-line continuations are skipped, partial lines kept', () => {
  const r = takeReplies('250-a\r\n250-b\r\n250 c\r\n354 go\r\n22');
  assert.deepEqual(r.replies, [
    { code: 250, text: '250 c' },
    { code: 354, text: '354 go' },
  ]);
  assert.equal(r.rest, '22');
});

test('a full conversation: HELO, MAIL, one RCPT per recipient, dot-stuffed DATA, QUIT', async () => {
  const p = await peer(happy);
  try {
    const r = await sendMail(mail(p.port));
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.deepEqual(p.lines, [
      'HELO lb1',
      'MAIL FROM:<keepalived@lb1>',
      'RCPT TO:<ops@example.org>',
      'RCPT TO:<noc@example.org>',
      'DATA',
      'QUIT',
    ]);
    // The peer sees the stuffed line; a real server would unstuff it.
    assert.deepEqual(p.data, ['Subject: s\n\nline\n..dot line\n']);
  } finally {
    p.server.close();
  }
});

test('a refused recipient aborts with the stage and the reply, then QUITs', async () => {
  const p = await peer((cmd) =>
    cmd === 'RCPT TO:<noc@example.org>' ? '550 5.1.1 <noc@example.org>: no such user' : happy(cmd),
  );
  try {
    const r = await sendMail(mail(p.port));
    assert.equal(r.ok, false);
    if (r.ok) return;
    assert.equal(r.stage, 'RCPT TO <noc@example.org>');
    assert.equal(
      describeFailure(r),
      'RCPT TO <noc@example.org> refused: 550 5.1.1 <noc@example.org>: no such user',
    );
    assert.ok(!p.lines.includes('DATA'));
    assert.equal(p.lines.at(-1), 'QUIT');
    assert.equal(p.data.length, 0);
  } finally {
    p.server.close();
  }
});

test('a bad banner is reported as such', async () => {
  const p = await peer(happy, '554 go away');
  try {
    const r = await sendMail(mail(p.port));
    assert.equal(!r.ok && describeFailure(r), 'banner refused: 554 go away');
  } finally {
    p.server.close();
  }
});

test('a server that never answers: bounded by the timeout', async () => {
  const p = await peer(happy, null);
  try {
    const t0 = Date.now();
    const r = await sendMail(mail(p.port, { timeoutMs: 300 }));
    assert.equal(!r.ok && r.stage, 'banner');
    assert.equal(!r.ok && r.error, 'no reply within 300 ms');
    assert.ok(Date.now() - t0 < 1500);
  } finally {
    p.server.close();
  }
});

test('a closed port: connect failure, no exception', async () => {
  const p = await peer(happy);
  const port = p.port;
  await new Promise((r) => p.server.close(r));
  const r = await sendMail(mail(port));
  assert.equal(r.ok, false);
  assert.match(!r.ok ? describeFailure(r) : '', /^connect failed: ECONNREFUSED/);
});
