/**
 * Requests built ahead and sent later, in a SendBatch, without asking for an ack: for the one
 * place where microseconds count, a VRRP takeover, whose VIPs must exist before its first
 * gratuitous ARP. rtnetlink applies a request inside the sending sendmsg(), so once that returns
 * the object is in place (or the request failed). No promise, no sequence bookkeeping, no timer: the caller
 * follows with the normal acked request, which reports any failure (EEXIST there means the
 * early request worked). Failures also come back here as NLMSG_ERROR; they are counted and
 * dropped. I/O module (a second rtnetlink socket of its own).
 */
import { NetlinkProtocol, NetlinkSocket, type SendBatch } from '../native.js';
import { encodeAddress } from './address-codec.js';
import { NLM_F_CREATE, NLM_F_EXCL, NLM_F_REQUEST, NLMSG_ERROR, RTM } from './constants.js';
import { encodeMessage, parseMessages } from './messages.js';
import type { AddressSpec } from './types.js';

/** The bytes of an "add address" request (sequence 0: nothing waits for its answer). */
export function unackedAddAddress(spec: AddressSpec): Buffer {
  return encodeMessage({
    type: RTM.NEWADDR,
    flags: NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL,
    seq: 0,
    payload: encodeAddress(spec),
  });
}

export class UnackedSender {
  private sock: NetlinkSocket | null = null;
  /** Requests the kernel refused (NLMSG_ERROR with a non-zero errno). */
  refused = 0;

  private socket(): NetlinkSocket {
    if (this.sock) return this.sock;
    const s = NetlinkSocket.open(NetlinkProtocol.ROUTE);
    s.on('message', (m) => {
      try {
        for (const msg of parseMessages(m.data)) {
          if (msg.type === NLMSG_ERROR && msg.payload.length >= 4 && msg.payload.readInt32LE(0))
            this.refused++;
        }
      } catch {
        this.refused++; // a malformed reply: count it, the acked request tells the story
      }
    });
    s.on('error', () => undefined); // ENOBUFS on a flood of refusals: the acked path reports
    s.unref();
    this.sock = s;
    return s;
  }

  /** Adds the requests to `batch`, on this sender's socket, to go out with batch.run(). */
  addTo(batch: SendBatch, msgs: readonly Buffer[]): void {
    const s = this.socket();
    for (const m of msgs) batch.add(s, m);
  }

  close(): void {
    this.sock?.close();
    this.sock = null;
  }
}
