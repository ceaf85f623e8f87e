/**
 * IPVS numbers from include/uapi/linux/ip_vs.h (checked against /usr/include/linux/ip_vs.h from
 * linux-libc-dev on Debian 12), written out by hand. Pure data.
 */

export const IPVS_GENL_NAME = 'IPVS';
export const IPVS_GENL_VERSION = 1;
export const IP_VS_SCHEDNAME_MAXLEN = 16;
export const IP_VS_PENAME_MAXLEN = 16;

export const IPVS_CMD = {
  NEW_SERVICE: 1,
  SET_SERVICE: 2,
  DEL_SERVICE: 3,
  GET_SERVICE: 4,
  NEW_DEST: 5,
  SET_DEST: 6,
  DEL_DEST: 7,
  GET_DEST: 8,
  NEW_DAEMON: 9,
  DEL_DAEMON: 10,
  GET_DAEMON: 11,
  SET_CONFIG: 12,
  GET_CONFIG: 13,
  SET_INFO: 14,
  GET_INFO: 15,
  ZERO: 16,
  FLUSH: 17,
} as const;

/** First-level attributes. */
export const IPVS_CMD_ATTR = {
  SERVICE: 1,
  DEST: 2,
  DAEMON: 3,
  TIMEOUT_TCP: 4,
  TIMEOUT_TCP_FIN: 5,
  TIMEOUT_UDP: 6,
} as const;

/** Inside IPVS_CMD_ATTR_SERVICE. */
export const IPVS_SVC_ATTR = {
  AF: 1, // u16
  PROTOCOL: 2, // u16
  ADDR: 3, // binary, union nf_inet_addr (16 bytes)
  PORT: 4, // __be16
  FWMARK: 5, // u32
  SCHED_NAME: 6, // NUL string, ≤ 15 bytes
  FLAGS: 7, // struct ip_vs_flags { u32 flags; u32 mask; }
  TIMEOUT: 8, // u32 seconds
  NETMASK: 9, // __be32: IPv4 mask, or the IPv6 prefix length as a raw u32
  STATS: 10, // nested, 32-bit counters (bytes are u64)
  PE_NAME: 11, // NUL string, ≤ 15 bytes
  STATS64: 12, // nested, all u64
} as const;

/** Inside IPVS_CMD_ATTR_DEST. */
export const IPVS_DEST_ATTR = {
  ADDR: 1, // binary, 16 bytes
  PORT: 2, // __be16
  FWD_METHOD: 3, // u32, IP_VS_CONN_F_* & FWD_MASK
  WEIGHT: 4, // u32
  U_THRESH: 5, // u32
  L_THRESH: 6, // u32
  ACTIVE_CONNS: 7, // u32
  INACT_CONNS: 8, // u32
  PERSIST_CONNS: 9, // u32
  STATS: 10, // nested
  ADDR_FAMILY: 11, // u16
  STATS64: 12, // nested
  TUN_TYPE: 13, // u8
  TUN_PORT: 14, // __be16
  TUN_FLAGS: 15, // u16
} as const;

/** Inside the STATS / STATS64 nests. */
export const IPVS_STATS_ATTR = {
  CONNS: 1,
  INPKTS: 2,
  OUTPKTS: 3,
  INBYTES: 4,
  OUTBYTES: 5,
  CPS: 6,
  INPPS: 7,
  OUTPPS: 8,
  INBPS: 9,
  OUTBPS: 10,
  PAD: 11,
} as const;

/** Top-level attributes of the GET_INFO reply. */
export const IPVS_INFO_ATTR = { VERSION: 1, CONN_TAB_SIZE: 2 } as const;

/** Forwarding methods (IP_VS_CONN_F_*). */
export const IP_VS_CONN_F = {
  FWD_MASK: 0x7,
  MASQ: 0,
  LOCALNODE: 1,
  TUNNEL: 2,
  DROUTE: 3,
} as const;

/** Service flags (IP_VS_SVC_F_*). sh and mh use SCHED1/SCHED2 for fallback/port. */
export const IP_VS_SVC_F = {
  PERSISTENT: 0x1,
  HASHED: 0x2,
  ONEPACKET: 0x4,
  SCHED1: 0x8,
  SCHED2: 0x10,
  SCHED3: 0x20,
  SCHED_SH_FALLBACK: 0x8,
  SCHED_SH_PORT: 0x10,
  SCHED_MH_FALLBACK: 0x8, // defined in the kernel's ip_vs_mh.c, not in the UAPI header
  SCHED_MH_PORT: 0x10,
} as const;

export const IP_VS_TUNNEL_TYPE = { ipip: 0, gue: 1, gre: 2 } as const;
export const IP_VS_TUNNEL_ENCAP_FLAG = { nocsum: 0, csum: 1, remcsum: 2 } as const;

export const IPPROTO = { TCP: 6, UDP: 17, SCTP: 132 } as const;
