/**
 * Generic netlink for stayalive: family resolution through nlctrl and request/ack/dump for any
 * family, every message encoded in TypeScript over the addon's netlink socket.
 *
 *   const genl = GenlClient.open();
 *   const fam = await genl.resolveFamily('IPVS'); // GenlFamilyNotFoundError (ENOENT) if absent
 */
export { GenlClient, type GenlOptions } from './client.js';
export { GenlError, GenlFamilyNotFoundError } from './errors.js';
export {
  decodeFamily,
  decodeGenl,
  encodeGenl,
  encodeGetFamily,
  frameGenl,
  type GenlBody,
  type GenlFamily,
  type GenlOp,
} from './messages.js';
export { GENL_HDRLEN, GENL_ID_CTRL, CTRL_CMD, CTRL_ATTR } from './constants.js';
