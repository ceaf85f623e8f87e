// A fixed-rate ICMP echo prober for bench/failover.ts, run inside the client host:
//   node --import tsx bench/icmp-prober.ts ADDRESS INTERVAL_US SECONDS
// iputils `ping -i 0.001` stretches its interval while probes go unanswered (gaps of ~10 ms
// right after a takeover), which quantises "first reply" by more than the difference being
// measured. This sends one echo request every INTERVAL_US on a fixed schedule, whatever comes
// back, sleeping in between (Atomics.wait: a futex, no busy loop), for at most SECONDS. The
// replies are not read here: the bench reads them from its capture. Prints "ready" once the
// socket is open.
import { encodeEcho } from '../src/gateway/icmp-packet.js';
import { RawSocket } from '../src/os/native.js';

const [address, intervalArg, secondsArg] = process.argv.slice(2);
const intervalUs = Number(intervalArg ?? 1000);
const seconds = Number(secondsArg ?? 30);
if (!address || !(intervalUs >= 100) || !(seconds > 0 && seconds <= 120)) {
  console.error('usage: icmp-prober ADDRESS INTERVAL_US(>=100) SECONDS(<=120)');
  process.exit(2);
}

const sock = RawSocket.open(4, 1).dropAllInput(); // the replies are read from the capture
const id = process.pid & 0xffff;
const token = Buffer.alloc(8);
const sleeper = new Int32Array(new SharedArrayBuffer(4));
const nowUs = (): number => Number(process.hrtime.bigint() / 1000n);

console.log('ready');
const end = nowUs() + seconds * 1e6;
let next = nowUs();
for (let seq = 0; next < end; seq = (seq + 1) & 0xffff) {
  try {
    sock.send(encodeEcho(4, id, seq, token), address);
  } catch {
    // No route or a full queue: that probe is lost, as a real client's would be.
  }
  next += intervalUs;
  const wait = next - nowUs();
  if (wait > 0) Atomics.wait(sleeper, 0, 0, wait / 1000);
}
sock.close();
