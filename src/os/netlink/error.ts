/**
 * NetlinkError: a kernel refusal of one netlink request, shaped like a Node system error
 * (`code` 'EEXIST', `errno` -17, `syscall` 'rtnetlink' | 'genetlink') and naming the request
 * that failed: "add address 192.0.2.100/24 dev eth0: EEXIST". `saCode` is stayalive's
 * catalogue code. Each family subclasses it for its own name and syscall.
 */
import { ErrorCodes } from '../../core/errors.js';
import { errnoName } from '../rtnl/messages.js';

export class NetlinkError extends Error {
  readonly code: string;
  /** Negative, as Node and libuv report it. */
  readonly errno: number;
  readonly syscall: string;
  readonly saCode = ErrorCodes.OS;
  /** What was asked, e.g. "add address 192.0.2.100/24 dev eth0". */
  readonly request: string;
  /** The kernel's extended-ack text, when it sent one. */
  readonly detail?: string;

  constructor(
    syscall: string,
    request: string,
    errno: number,
    detail?: string,
    options?: { cause?: unknown },
  ) {
    const code = errnoName(errno);
    super(`${request}: ${code}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'NetlinkError';
    this.syscall = syscall;
    this.code = code;
    this.errno = -Math.abs(errno);
    this.request = request;
    if (detail) this.detail = detail;
  }
}
