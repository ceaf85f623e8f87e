// Crashes (or stops) a VRRP master at a fixed phase of its advert cycle, for
// bench/failover.ts. Run inside the client host:
//   node --import tsx bench/phase-kill.ts kill|term MASTER_IP OFFSET_MS PID...
// Waits for an advert from MASTER_IP (priority > 0), then OFFSET_MS after the kernel received
// it: `kill` freezes every PID (SIGSTOP) and kills them (SIGKILL); `term` sends SIGTERM to the
// first PID. Right after the signals it sends one marker frame (ethertype 0x88b5, broadcast)
// out of eth0, so the capture holds the moment on its own clock. "From the kill to the first
// reply" then carries the same phase for every daemon compared, instead of a random one as wide
// as an advert interval. Prints "ready" once listening; gives up after 10 s.
import { readFileSync } from 'node:fs';
import { PacketSocket, RawSocket, ifNameToIndex } from '../src/os/native.js';

const MARKER_ETHERTYPE = 0x88b5; // bench/failover.ts looks for it

const [mode, master, offsetArg, ...pidArgs] = process.argv.slice(2);
const offsetUs = Number(offsetArg) * 1000;
const pids = pidArgs.map(Number);
if (
  (mode !== 'kill' && mode !== 'term') ||
  !master ||
  !(offsetUs >= 0) ||
  pids.length === 0 ||
  pids.some((p) => !(p > 1))
) {
  console.error('usage: phase-kill kill|term MASTER_IP OFFSET_MS PID...');
  process.exit(2);
}

const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);
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
  const at = (m.rxMonoUs ?? monoUs()) + offsetUs;
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  for (let left = at - monoUs(); left > 0; left = at - monoUs()) {
    Atomics.wait(sleeper, 0, 0, left / 1000);
  }
  if (mode === 'kill') {
    signal(pids, 'SIGSTOP');
    tx.send(marker);
    signal(pids, 'SIGKILL');
  } else {
    signal(pids.slice(0, 1), 'SIGTERM');
    tx.send(marker);
  }
  tx.close();
  console.log('done');
});
console.log('ready');
