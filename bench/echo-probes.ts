// Fixed-schedule ICMP echo probes for the failover bench's client helpers (icmp-prober.ts,
// phase-kill.ts). They sleep on a futex between sends (no busy loop) and never wait for the
// replies: the bench reads those from its capture.
import { encodeEcho } from '../src/gateway/icmp-packet.js';
import { RawSocket } from '../src/os/native.js';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** The monotonic clock in µs (the one the kernel's SO_TIMESTAMPNS arrivals are carried to). */
export const monoUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** Blocks until the monotonic clock reads `atUs` (Atomics.wait: a futex sleep, no CPU). */
export function sleepUntil(atUs: number): void {
  for (let left = atUs - monoUs(); left > 0; left = atUs - monoUs()) {
    Atomics.wait(sleeper, 0, 0, left / 1000);
  }
}

/** A send-only ICMP socket (the replies are read from the capture). */
export const openProbeSocket = (): RawSocket => RawSocket.open(4, 1).dropAllInput();

/** One echo request to `address` every `intervalUs`, from `fromUs` until `untilUs`. */
export function probe(
  sock: RawSocket,
  address: string,
  id: number,
  intervalUs: number,
  fromUs: number,
  untilUs: number,
): void {
  const token = Buffer.alloc(8);
  let seq = 0;
  for (let next = fromUs; next < untilUs; next += intervalUs) {
    sleepUntil(next);
    try {
      sock.send(encodeEcho(4, id, seq, token), address);
    } catch {
      // No route or a full queue: that probe is lost, as a real client's would be.
    }
    seq = (seq + 1) & 0xffff;
  }
}
