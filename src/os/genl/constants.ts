/**
 * Generic netlink numbers from linux/genetlink.h, written out by hand. Pure data.
 */

/** struct genlmsghdr: cmd u8, version u8, reserved u16. */
export const GENL_HDRLEN = 4;
/** The controller family ("nlctrl") has this fixed id (NLMSG_MIN_TYPE). */
export const GENL_ID_CTRL = 0x10;
/** nlctrl's own version; the kernel does not check the version of requests. */
export const CTRL_VERSION = 2;
/** Family names are at most 15 bytes plus the NUL (GENL_NAMSIZ 16). */
export const GENL_NAMSIZ = 16;

export const CTRL_CMD = {
  NEWFAMILY: 1,
  DELFAMILY: 2,
  GETFAMILY: 3,
} as const;

export const CTRL_ATTR = {
  FAMILY_ID: 1,
  FAMILY_NAME: 2,
  VERSION: 3,
  HDRSIZE: 4,
  MAXATTR: 5,
  OPS: 6,
  MCAST_GROUPS: 7,
} as const;

export const CTRL_ATTR_OP = { ID: 1, FLAGS: 2 } as const;
export const CTRL_ATTR_MCAST_GRP = { NAME: 1, ID: 2 } as const;

/** Operation flags in CTRL_ATTR_OP_FLAGS. */
export const GENL_ADMIN_PERM = 0x01;
export const GENL_CMD_CAP_DO = 0x02;
export const GENL_CMD_CAP_DUMP = 0x04;
