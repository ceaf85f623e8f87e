// A fixed-rate ICMP echo prober for bench/failover.ts, run inside the client host:
//   node --import tsx bench/icmp-prober.ts ADDRESS INTERVAL_US SECONDS
// iputils `ping -i 0.001` stretches its interval while probes go unanswered (gaps of ~10 ms
// right after a takeover), which quantises "first reply" by more than the difference being
// measured. This sends one echo request every INTERVAL_US on a fixed schedule, whatever comes
// back, sleeping in between (Atomics.wait: a futex, no busy loop), for at most SECONDS. The
// replies are not read here: the bench reads them from its capture. Prints "ready" once the
// socket is open.
import { monoUs, openProbeSocket, probe } from './echo-probes.js';

const [address, intervalArg, secondsArg] = process.argv.slice(2);
const intervalUs = Number(intervalArg ?? 1000);
const seconds = Number(secondsArg ?? 30);
if (!address || !(intervalUs >= 100) || !(seconds > 0 && seconds <= 120)) {
  console.error('usage: icmp-prober ADDRESS INTERVAL_US(>=100) SECONDS(<=120)');
  process.exit(2);
}

const sock = openProbeSocket();
console.log('ready');
const start = monoUs();
probe(sock, address, process.pid & 0xffff, intervalUs, start, start + seconds * 1e6);
sock.close();
