/**
 * Data types shared by the VRRP codec (packet.ts), the receive checks (validate.ts) and their
 * users. Data only.
 */

export type IpFamily = 4 | 6;
export type VrrpVersion = 2 | 3;

/**
 * How a received advert's checksum was computed (protocols.md §1.3):
 * - 'pseudo-header': v2 has none, so v2 never reports this; v3 with the IPv4/IPv6 pseudo-header
 *   using the packet's real destination (keepalived 2.2.7, FRR 8.4, all IPv6).
 * - 'v2-style': v3/IPv4 over the message only (RFC 9568, keepalived `v3_checksum_as_v2`); always
 *   the form of v2 packets.
 * - 'pseudo-header-mcast-dst': v3/IPv4 unicast whose pseudo-header used 224.0.0.18 as the
 *   destination (keepalived < 1.3.6; keepalived's `old_unicast_checksum`).
 */
export type ChecksumForm = 'pseudo-header' | 'v2-style' | 'pseudo-header-mcast-dst';

/** Why a received packet was not used. Each is counted separately by the receiver. */
export type DropReason =
  | 'frame' // not an IPv4/IPv6 Ethernet frame, or too short for one
  | 'ip-header' // malformed IP header (version, IHL, header checksum, IPv6 payload length)
  | 'protocol' // IP protocol / next header is not 112 (AH is not supported)
  | 'ttl' // TTL/hop limit not 255 (multicast), or outside a unicast peer's min/max ttl
  | 'version' // not 2 or 3, v2 over IPv6, or not the configured version
  | 'type' // type ≠ 1 (advertisement)
  | 'vrid' // VRID 0, or not the instance's
  | 'length' // shorter or longer than the header's count says, or IPv4 total length ≠ received
  | 'addr-count' // count ≠ number of configured VIPs
  | 'checksum'
  | 'auth-type' // v2 auth type unknown or different from ours
  | 'auth' // v2 PASS data differs
  | 'advert-interval' // v2 interval ≠ ours; v3 interval 0 (erratum 8301)
  | 'addr-list' // a configured VIP missing; IPv6 first address not link-local when required
  | 'dst-mode' // multicast packet on a unicast instance or the reverse
  | 'unicast-src'; // unicast source is not a configured peer (check_unicast_src)

export const DROP_REASONS: readonly DropReason[] = [
  'frame',
  'ip-header',
  'protocol',
  'ttl',
  'version',
  'type',
  'vrid',
  'length',
  'addr-count',
  'checksum',
  'auth-type',
  'auth',
  'advert-interval',
  'addr-list',
  'dst-mode',
  'unicast-src',
];

export interface VrrpDrop {
  ok: false;
  reason: DropReason;
  /** Field name and value, for the log line ("ttl=64, expected 255"). */
  detail: string;
}

/** The IP layer of a received advert, as the socket (or the frame) gave it. */
export interface IpInfo {
  family: IpFamily;
  src: string;
  dst: string;
  /** IPv4 TTL or IPv6 hop limit; null when the caller did not get it (no ancillary data). */
  ttl: number | null;
  /** 112 for VRRP. */
  protocol: number;
  /** IPv4 header length in bytes (IHL × 4); 0 for IPv6 (the caller strips the header). */
  headerLength: number;
  /** Whether the destination is a multicast address. */
  multicast: boolean;
}

/** The fields that go on the wire. v2 is IPv4 only. */
export interface VrrpAdvertFields {
  version: VrrpVersion;
  /** 1 = advertisement; other values only come from decoding and are dropped before that. */
  type?: number;
  vrid: number;
  priority: number;
  /** VIPs in wire order, as text (IPv4 dotted quad, IPv6 RFC 5952). */
  addresses: string[];
  /**
   * The interval in centiseconds for both versions: v3 carries it as is (12 bits), v2 carries
   * seconds (intervalCs / 100, one byte).
   */
  intervalCs: number;
  /** v2: 0 none, 1 PASS, 2 AH. Ignored for v3. */
  authType?: number;
  /** v2: the 8 authentication bytes (PASS: the password, zero padded). Zero when absent. */
  authData?: Uint8Array;
  /** v3: the 4 reserved bits (sent as 0, kept on decode for an exact round trip). */
  reserved?: number;
}

/** A decoded advert: the wire fields plus what the IP layer and the checksum said. */
export interface VrrpAdvert extends Required<VrrpAdvertFields> {
  family: IpFamily;
  /** The count byte (equals addresses.length after a successful decode). */
  count: number;
  checksum: number;
  checksumForm: ChecksumForm;
  ip: IpInfo;
}

export type DecodeResult = { ok: true; advert: VrrpAdvert } | VrrpDrop;

export interface UnicastPeerExpectation {
  address: string;
  /** keepalived `unicast_peer { ip min_ttl N max_ttl M }`; defaults 0 and 255. */
  minTtl?: number;
  maxTtl?: number;
}

/** What the local instance expects; the inputs of validateAdvert (keepalived vrrp_check_packet). */
export interface AdvertExpectations {
  version: VrrpVersion;
  vrid: number;
  /** Configured VIPs of this instance's family (order does not matter). */
  addresses: string[];
  /** Local interval in centiseconds (v2 compares it with the packet's; v3 does not). */
  intervalCs: number;
  /** v2 auth: 'PASS' with its password (keepalived keeps the first 8 bytes), or none. */
  authType?: 'PASS' | null;
  authPass?: string | null;
  /** Unicast mode: peers configured. The TTL check is then per peer (min/max ttl). */
  unicastPeers?: UnicastPeerExpectation[];
  /** `check_unicast_src` (instance or global). */
  checkUnicastSrc?: boolean;
  /**
   * `skip_check_adv_addr`: in BACKUP, skip the address list check when the advert comes from
   * the master we already follow. Give `currentMaster` (null in MASTER state or when unknown).
   */
  skipCheckAdvAddr?: boolean;
  currentMaster?: string | null;
  /** RFC 5798 erratum 8300: the first IPv6 address must be link-local (keepalived: no check). */
  requireLinkLocalFirst?: boolean;
}

export type ValidateResult = { ok: true } | VrrpDrop;

export type DropCounters = Record<DropReason, number>;
