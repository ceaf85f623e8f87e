// TCP continuity for the gateway lab tests: `server PORT` echoes lines; `client HOST PORT MS`
// keeps ONE connection open and sends a numbered line every MS ms, printing a JSON line per
// echo ({ t, n }) and { t, event } if the connection fails — so the parent sees whether the
// same connection survived the route switch and how long echoes stalled.
import { createConnection, createServer } from 'node:net';

const [mode, a, b, c] = process.argv.slice(2);
const now = (): number => performance.timeOrigin + performance.now();
const say = (o: object): void =>
  void process.stdout.write(JSON.stringify({ t: now(), ...o }) + '\n');

if (mode === 'server') {
  createServer((s) => {
    s.on('error', () => undefined);
    s.pipe(s);
  }).listen(Number(a), () => say({ event: 'listening' }));
} else if (mode === 'client') {
  const sock = createConnection({ host: a, port: Number(b) }, () => say({ event: 'connected' }));
  let n = 0;
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('data', (d: string) => {
    buf += d;
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      say({ n: Number(buf.slice(0, i)) });
      buf = buf.slice(i + 1);
    }
  });
  sock.on('error', (e) => say({ event: 'error', message: e.message }));
  sock.on('close', () => {
    say({ event: 'closed' });
    process.exit(1);
  });
  setInterval(() => sock.write(`${++n}\n`), Number(c));
} else throw new Error('usage: gateway-tcp.ts server PORT | client HOST PORT MS');
