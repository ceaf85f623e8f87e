/**
 * GenlError: a kernel refusal of one generic netlink request, shaped like a Node system error
 * (`code` 'ENOENT', `errno` -2, `syscall` 'genetlink') and naming the request:
 * "resolve generic netlink family foo: ENOENT (generic netlink family foo not found)".
 */
import { ErrorCodes } from '../../core/errors.js';
import { errnoName } from '../netlink/index.js';

export class GenlError extends Error {
  readonly code: string;
  /** Negative, as Node and libuv report it. */
  readonly errno: number;
  readonly syscall = 'genetlink';
  readonly saCode = ErrorCodes.OS;
  readonly request: string;
  readonly detail?: string;

  constructor(request: string, errno: number, detail?: string, options?: { cause?: unknown }) {
    const code = errnoName(errno);
    super(`${request}: ${code}${detail ? ` (${detail})` : ''}`, options);
    this.name = 'GenlError';
    this.code = code;
    this.errno = -Math.abs(errno);
    this.request = request;
    if (detail) this.detail = detail;
  }
}

/** The family is not registered in this kernel (nlctrl answered ENOENT). */
export class GenlFamilyNotFoundError extends GenlError {
  readonly family: string;
  constructor(family: string, options?: { cause?: unknown }) {
    super(
      `resolve generic netlink family ${family}`,
      2,
      `generic netlink family ${family} not found`,
      options,
    );
    this.name = 'GenlFamilyNotFoundError';
    this.family = family;
  }
}
