/**
 * BFD control packet codec (RFC 5880 §4.1) and the receive checks of §6.8.6 that need no
 * session, plus RFC 5881's GTSM rule. Pure code: no I/O, Uint8Array in and out.
 *
 * Decoding is total: any bytes give a packet or a typed drop `{ ok: false, reason, detail }`
 * naming the field and its value, never an exception. An authentication section is parsed
 * (type, length, key id) and then rejected as `auth-unsupported`: stayalive, like a
 * keepalived built without auth, runs no BFD authentication.
 * Checks that need the session table (Your Discriminator matches nothing, packet arrived for
 * a session in AdminDown) are made by the session registry and reuse these reasons.
 * Encoding throws RangeError on out-of-range fields: its input comes from validated config.
 */

export const BFD_VERSION = 1;
export const BFD_CONTROL_PORT = 3784;
export const BFD_MIN_LENGTH = 24;
/** RFC 5881 §5: single-hop packets are sent with, and must arrive with, TTL/hop limit 255. */
export const BFD_TTL = 255;
/** RFC 5881 §4: source ports for control packets. */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;

export type BfdStateName = 'AdminDown' | 'Down' | 'Init' | 'Up';
export const STATE_NAMES: readonly BfdStateName[] = ['AdminDown', 'Down', 'Init', 'Up'];
export const STATE_CODE: Readonly<Record<BfdStateName, number>> = {
  AdminDown: 0,
  Down: 1,
  Init: 2,
  Up: 3,
};

/** RFC 5880 §4.1 diagnostic codes. */
export const Diag = {
  NONE: 0,
  DETECTION_EXPIRED: 1,
  ECHO_FAILED: 2,
  NEIGHBOR_DOWN: 3,
  FORWARDING_RESET: 4,
  PATH_DOWN: 5,
  CONCAT_PATH_DOWN: 6,
  ADMIN_DOWN: 7,
  REVERSE_CONCAT_PATH_DOWN: 8,
} as const;

export const DIAG_TEXT: readonly string[] = [
  'No Diagnostic',
  'Control Detection Time Expired',
  'Echo Function Failed',
  'Neighbor Signaled Session Down',
  'Forwarding Plane Reset',
  'Path Down',
  'Concatenated Path Down',
  'Administratively Down',
  'Reverse Concatenated Path Down',
];

export function diagText(code: number): string {
  return DIAG_TEXT[code] ?? `Reserved (${code})`;
}

/** The authentication section, parsed only to be reported: stayalive verifies none. */
export interface BfdAuth {
  type: number;
  length: number;
  keyId: number | null;
}

/** One control packet; intervals are microseconds as on the wire. */
export interface BfdControl {
  diag: number;
  state: BfdStateName;
  poll: boolean;
  final: boolean;
  /** C: control plane independent. */
  cpi: boolean;
  demand: boolean;
  detectMult: number;
  myDisc: number;
  yourDisc: number;
  desiredMinTx: number;
  requiredMinRx: number;
  requiredMinEchoRx: number;
}

export interface BfdPacket extends BfdControl {
  version: number;
  length: number;
  multipoint: boolean;
  auth: BfdAuth | null;
}

export const DROP_REASONS = [
  'too-short',
  'version',
  'length',
  'detect-mult',
  'multipoint',
  'my-disc',
  'your-disc-zero',
  'poll-and-final',
  'diag',
  'auth-unsupported',
  'ttl',
  'no-session',
  'source',
  'admin-down',
] as const;
export type BfdDropReason = (typeof DROP_REASONS)[number];

export interface BfdDrop {
  ok: false;
  reason: BfdDropReason;
  detail: { field: string; value: number | string; message: string };
}

export type BfdDecodeResult = { ok: true; packet: BfdPacket } | BfdDrop;

export function drop(
  reason: BfdDropReason,
  field: string,
  value: number | string,
  message: string,
): BfdDrop {
  return { ok: false, reason, detail: { field, value, message } };
}

const u32 = (b: Uint8Array, o: number): number =>
  ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

/**
 * Decodes one UDP payload. Drops, in RFC 5880 §6.8.6 order: version ≠ 1, Length < 24
 * (26 with A) or > the payload, Detect Mult 0, M set, My Discriminator 0, Your Discriminator
 * 0 outside Down/AdminDown, P and F together (§4.1 "MUST NOT"), an unassigned Diag (> 8, as
 * keepalived), then A set (no local authentication).
 */
export function decodeBfd(data: Uint8Array): BfdDecodeResult {
  if (data.length < BFD_MIN_LENGTH) {
    return drop('too-short', 'payload', data.length, `payload of ${data.length} bytes < 24`);
  }
  const version = data[0] >> 5;
  if (version !== BFD_VERSION) return drop('version', 'version', version, `version ${version}`);
  const flags = data[1];
  const authBit = (flags & 0x04) !== 0;
  const length = data[3];
  const minLength = authBit ? BFD_MIN_LENGTH + 2 : BFD_MIN_LENGTH;
  if (length < minLength || length > data.length) {
    return drop(
      'length',
      'length',
      length,
      `length ${length} outside ${minLength}..${data.length} (payload)`,
    );
  }
  const detectMult = data[2];
  if (detectMult === 0) return drop('detect-mult', 'detectMult', 0, 'detect multiplier 0');
  const multipoint = (flags & 0x01) !== 0;
  if (multipoint) return drop('multipoint', 'multipoint', 1, 'M bit set');
  const myDisc = u32(data, 4);
  if (myDisc === 0) return drop('my-disc', 'myDisc', 0, 'my discriminator 0');
  const yourDisc = u32(data, 8);
  const state = STATE_NAMES[flags >> 6];
  if (yourDisc === 0 && state !== 'Down' && state !== 'AdminDown') {
    return drop('your-disc-zero', 'yourDisc', 0, `your discriminator 0 in state ${state}`);
  }
  const poll = (flags & 0x20) !== 0;
  const final = (flags & 0x10) !== 0;
  if (poll && final) return drop('poll-and-final', 'flags', flags, 'P and F both set');
  const diag = data[0] & 0x1f;
  // keepalived discards unassigned codes too; RFC 5880 defines 0..8.
  if (diag > 8) return drop('diag', 'diag', diag, `diagnostic ${diag} is not assigned`);
  if (authBit) {
    const auth = decodeAuth(data.subarray(BFD_MIN_LENGTH, length));
    return drop(
      'auth-unsupported',
      'authType',
      auth.type,
      `authentication type ${auth.type} (len ${auth.length}) present; stayalive has none configured`,
    );
  }
  return {
    ok: true,
    packet: {
      version,
      diag,
      state,
      poll,
      final,
      cpi: (flags & 0x08) !== 0,
      demand: (flags & 0x02) !== 0,
      multipoint,
      detectMult,
      length,
      myDisc,
      yourDisc,
      desiredMinTx: u32(data, 12),
      requiredMinRx: u32(data, 16),
      requiredMinEchoRx: u32(data, 20),
      auth: null,
    },
  };
}

/** The auth section's header; length ≥ 2 is guaranteed by decodeBfd. */
export function decodeAuth(section: Uint8Array): BfdAuth {
  return {
    type: section[0],
    length: section[1],
    keyId: section.length >= 3 && section[0] !== 1 ? section[2] : null,
  };
}

/** RFC 5881 §5 (GTSM): without authentication, anything not at TTL/hop limit 255 is dropped. */
export function checkTtl(ttl: number | undefined): BfdDrop | null {
  if (ttl === BFD_TTL) return null;
  return drop('ttl', 'ttl', ttl ?? 'unknown', `TTL/hop limit ${ttl ?? 'unknown'} ≠ 255`);
}

function checkU32(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) {
    throw new RangeError(`BFD ${name} ${v} is not a 32-bit unsigned integer`);
  }
}

/** Encodes the 24-byte mandatory section (no authentication, M = 0, version 1). */
export function encodeBfd(p: BfdControl): Uint8Array {
  if (!Number.isInteger(p.diag) || p.diag < 0 || p.diag > 31) {
    throw new RangeError(`BFD diag ${p.diag} out of 0..31`);
  }
  if (!Number.isInteger(p.detectMult) || p.detectMult < 1 || p.detectMult > 255) {
    throw new RangeError(`BFD detect multiplier ${p.detectMult} out of 1..255`);
  }
  if (p.poll && p.final) throw new RangeError('BFD packet with both P and F');
  checkU32('my discriminator', p.myDisc);
  checkU32('your discriminator', p.yourDisc);
  checkU32('desired min tx', p.desiredMinTx);
  checkU32('required min rx', p.requiredMinRx);
  checkU32('required min echo rx', p.requiredMinEchoRx);
  const b = new Uint8Array(BFD_MIN_LENGTH);
  const view = new DataView(b.buffer);
  b[0] = (BFD_VERSION << 5) | p.diag;
  b[1] =
    (STATE_CODE[p.state] << 6) |
    (p.poll ? 0x20 : 0) |
    (p.final ? 0x10 : 0) |
    (p.cpi ? 0x08 : 0) |
    (p.demand ? 0x02 : 0);
  b[2] = p.detectMult;
  b[3] = BFD_MIN_LENGTH;
  view.setUint32(4, p.myDisc);
  view.setUint32(8, p.yourDisc);
  view.setUint32(12, p.desiredMinTx);
  view.setUint32(16, p.requiredMinRx);
  view.setUint32(20, p.requiredMinEchoRx);
  return b;
}

/** One line for logs and test failures. */
export function describeBfd(p: BfdControl): string {
  const flags = [p.poll && 'P', p.final && 'F', p.cpi && 'C', p.demand && 'D'].filter(Boolean);
  return (
    `${p.state} diag=${p.diag} flags=${flags.join('') || '-'} mult=${p.detectMult} ` +
    `my=0x${p.myDisc.toString(16)} your=0x${p.yourDisc.toString(16)} ` +
    `tx=${p.desiredMinTx} rx=${p.requiredMinRx} echo=${p.requiredMinEchoRx}`
  );
}
