/**
 * IpvsUnavailableError: this kernel has no IPVS (the generic netlink family "IPVS" is not
 * registered and could not be loaded). Code ENOENT, like the nlctrl answer it comes from.
 */
import { GenlError } from '../genl/errors.js';

export class IpvsUnavailableError extends GenlError {
  constructor(options?: { cause?: unknown }) {
    super('kernel has no IPVS', 2, 'generic netlink family IPVS not found', options);
    this.name = 'IpvsUnavailableError';
    // The catalogue message keepalived users will read; the errno stays in `code`.
    this.message = 'kernel has no IPVS (generic netlink family IPVS not found)';
  }
}
