// Crashes (or stops) a VRRP master at a fixed phase of its advert cycle, for
// bench/failover.ts. Run inside the client host:
//   node --import tsx bench/phase-kill.ts kill|term MASTER_IP OFFSET_MS VIP FROM_MS TO_MS PID...
// Waits for an advert from MASTER_IP (priority > 0), then OFFSET_MS after the kernel received
// it: `kill` freezes every PID (SIGSTOP) and kills them (SIGKILL); `term` sends SIGTERM to the
// first PID. With the signals it sends one marker frame (ethertype 0x88b5, broadcast) out of
// eth0, so the capture holds the moment on its own clock (kill: once a is frozen; term: just
// before the SIGTERM). "From the kill to the first
// reply" then carries the same phase for every daemon compared, instead of a random one as wide
// as an advert interval. Then, from FROM_MS to TO_MS after the signals (the window where the
// takeover is due), it sends an echo request to VIP every 0.1 ms: the capture shows the first
// reply to within 0.1 ms, where the bench's steady 0.5 ms prober alone would quantise it by
// 0.5 ms (and probing that fast all along is more than the capture keeps up with here). Prints
// "ready" once listening and "done" after the window, then idles (at most 30 s) until stopped;
// gives up after 10 s without an advert.
import { readFileSync } from 'node:fs';
import { PacketSocket, RawSocket, ifNameToIndex } from '../src/os/native.js';
import { monoUs, openProbeSocket, probe, sleepUntil } from './echo-probes.js';

const MARKER_ETHERTYPE = 0x88b5; // bench/failover.ts looks for it

const [mode, master, offsetArg, vip, fromArg, toArg, ...pidArgs] = process.argv.slice(2);
const offsetUs = Number(offsetArg) * 1000;
const [fromUs, toUs] = [Number(fromArg) * 1000, Number(toArg) * 1000];
const pids = pidArgs.map(Number);
if (
  (mode !== 'kill' && mode !== 'term') ||
  !master ||
  !vip ||
  !(offsetUs >= 0) ||
  !(fromUs >= 0 && toUs > fromUs && toUs - fromUs <= 100_000) ||
  pids.length === 0 ||
  pids.some((p) => !(p > 1))
) {
  console.error(
    'usage: phase-kill kill|term MASTER_IP OFFSET_MS VIP FROM_MS TO_MS(<= FROM+100) PID...',
  );
  process.exit(2);
}

const signal = (targets: number[], sig: NodeJS.Signals): void => {
  for (const p of targets) {
    try {
      process.kill(p, sig);
    } catch {
      // already gone
    }
  }
};

const eth0 = ifNameToIndex('eth0');
const marker = Buffer.alloc(60);
Buffer.from('ffffffffffff', 'hex').copy(marker, 0);
const mac = readFileSync('/sys/class/net/eth0/address', 'utf8').trim();
Buffer.from(mac.replace(/:/g, ''), 'hex').copy(marker, 6);
marker.writeUInt16BE(MARKER_ETHERTYPE, 12);
marker.write(`stayalive bench ${mode}`, 14);
const tx = PacketSocket.open(eth0, 0);

const sock = RawSocket.open(4, 112).setOption('timestampNs', true);
sock.joinGroup('224.0.0.18', eth0);
const giveUp = setTimeout(() => {
  console.error('phase-kill: no advert from the master in 10 s');
  process.exit(1);
}, 10_000);
sock.on('message', (m) => {
  const ihl = (m.data[0] & 0x0f) * 4;
  if (m.address !== master || m.data.length < ihl + 4 || m.data[ihl + 2] === 0) return;
  sock.close();
  clearTimeout(giveUp);
  sleepUntil((m.rxMonoUs ?? monoUs()) + offsetUs);
  if (mode === 'kill') {
    signal(pids, 'SIGSTOP');
    tx.send(marker);
    signal(pids, 'SIGKILL');
  } else {
    tx.send(marker); // first: the daemon's priority-0 advert must come after it on the wire
    signal(pids.slice(0, 1), 'SIGTERM');
  }
  tx.close();
  const t0 = monoUs();
  const icmp = openProbeSocket();
  probe(icmp, vip, (process.pid + 1) & 0xffff, 100, t0 + fromUs, t0 + toUs);
  icmp.close();
  console.log('done');
  // Stay idle through the takeover: a Node process exiting now would take a CPU from the
  // daemons at the very moment being measured. The bench stops it after its capture.
  setTimeout(() => undefined, 30_000);
});
console.log('ready');
