/**
 * GenlError: a kernel refusal of one generic netlink request, shaped like a Node system error
 * (`code` 'ENOENT', `errno` -2, `syscall` 'genetlink') and naming the request:
 * "resolve generic netlink family foo: ENOENT (generic netlink family foo not found)".
 */
import { NetlinkError } from '../netlink/error.js';

export class GenlError extends NetlinkError {
  constructor(request: string, errno: number, detail?: string, options?: { cause?: unknown }) {
    super('genetlink', request, errno, detail, options);
    this.name = 'GenlError';
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
