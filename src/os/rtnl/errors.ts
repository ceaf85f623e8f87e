/**
 * RtnlError: a kernel refusal of one rtnetlink request, shaped like a Node system error
 * (`code` 'EEXIST', `errno` -17, `syscall` 'rtnetlink') and naming the request that failed:
 * "add address 192.0.2.100/24 dev eth0: EEXIST". `saCode` is stayalive's catalogue code.
 */
import { NetlinkError } from '../netlink/error.js';

export class RtnlError extends NetlinkError {
  constructor(request: string, errno: number, detail?: string, options?: { cause?: unknown }) {
    super('rtnetlink', request, errno, detail, options);
    this.name = 'RtnlError';
  }
}
