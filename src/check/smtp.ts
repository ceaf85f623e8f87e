/**
 * SMTP_CHECK: connect, banner 220, `HELO helo_name`, reply 250, then QUIT (not waited for),
 * as keepalived. Multi-line replies (`250-…`) are read to their last line. connect_timeout
 * bounds the connect and each wait for a reply. I/O (node:net).
 */
import { describeError, settleOnce, type ProbeResult } from './probe-util.js';
import { openSocket, type Target } from './tcp.js';

export function probeSmtp(t: Target, heloName: string, signal: AbortSignal): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const sock = openSocket(t);
    // After QUIT the socket closes by itself (bounded), so the QUIT is not cut off.
    const close = (): void => {
      if (!sock.writableEnded) return void sock.destroy();
      sock.resume();
      sock.setTimeout(1000, () => sock.destroy());
    };
    const s = settleOnce(signal, resolve, close);
    const ms = t.timeoutS * 1000;
    s.arm(ms, 'connect timeout');
    let stage: 'banner' | 'helo' = 'banner';
    let buf = '';
    sock.once('connect', () => s.arm(ms, 'SMTP banner timeout'));
    sock.on('data', (chunk: Buffer) => {
      buf += chunk.toString('latin1');
      if (buf.length > 64 * 1024) return s.finish(false, 'SMTP reply too long');
      // A reply is complete at a line "NNN text" (no dash after the code).
      for (;;) {
        const nl = buf.indexOf('\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl).replace(/\r$/, '');
        buf = buf.slice(nl + 1);
        const m = /^(\d{3})([ -]|$)/.exec(line);
        if (!m) return s.finish(false, `SMTP bad reply "${line.slice(0, 40)}"`);
        if (m[2] === '-') continue;
        const code = Number(m[1]);
        if (stage === 'banner') {
          if (code !== 220) return s.finish(false, `SMTP banner ${code}`);
          stage = 'helo';
          s.arm(ms, 'SMTP HELO timeout');
          sock.write(`HELO ${heloName}\r\n`);
        } else {
          if (code !== 250) return s.finish(false, `SMTP HELO reply ${code}`);
          sock.end('QUIT\r\n');
          return s.finish(true, 'SMTP HELO accepted');
        }
      }
    });
    sock.once('end', () =>
      s.finish(
        false,
        `connection closed before SMTP ${stage === 'banner' ? 'banner' : 'HELO reply'}`,
      ),
    );
    sock.once('error', (e) => s.finish(false, describeError(e)));
  });
}
