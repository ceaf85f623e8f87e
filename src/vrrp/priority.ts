/**
 * Priority maths and election order for one VRRP instance, pure.
 *
 * effective = base + Σ tracker contributions, clamped to [1, 254]; an owner
 * (base 255) never changes and trackers can never reach 255 (keepalived
 * vrrp_set_effective_priority). A weight-0 tracker does not move the priority:
 * while it fails (or, with `reverse`, while it succeeds) the instance is in
 * FAULT. The tie-break between equal priorities compares primary addresses as
 * unsigned numbers in network order (RFC 5798 §6.4.3).
 */

export const PRIORITY_OWNER = 255;
export const PRIORITY_STOP = 0;
export const PRIORITY_MIN = 1;
export const PRIORITY_MAX_TRACKED = 254;

/** One tracked object (interface, script, process, BFD…) as it stands now. */
export interface TrackerState {
  /** −253..253 (track_file −254..254); 0 means "FAULT while down". */
  weight: number;
  /** keepalived's `reverse`: the contribution applies in the opposite state. */
  reverse: boolean;
  ok: boolean;
}

/** A track_file value: contributes value × weight; 0-weight files fault on a non-zero value. */
export interface TrackedValue {
  weight: number;
  value: number;
}

/**
 * What one tracker adds now. keepalived adds a positive weight while the
 * object is up and a negative one while it is down; `reverse` negates both.
 */
export function trackerContribution(t: TrackerState): number {
  if (t.weight === 0) return 0;
  const applies = t.weight > 0 ? t.ok : !t.ok;
  if (!applies) return 0;
  return t.reverse ? -t.weight : t.weight;
}

/** Whether a tracker puts the instance in FAULT (only weight 0 can). */
export function trackerFaults(t: TrackerState): boolean {
  return t.weight === 0 && t.ok === t.reverse;
}

/** track_file contribution: value × weight, with 0-weight faulting on non-zero or < −253 values. */
export function fileContribution(f: TrackedValue): { add: number; fault: boolean } {
  if (f.weight === 0) return { add: 0, fault: f.value !== 0 };
  const add = f.value * f.weight;
  return { add: add > 253 ? 253 : add, fault: add < -253 };
}

/** Clamp a tracked total into [1, 254]; an owner stays 255 whatever the trackers say. */
export function clampPriority(base: number, total: number): number {
  if (base === PRIORITY_OWNER) return PRIORITY_OWNER;
  if (total < PRIORITY_MIN) return PRIORITY_MIN;
  if (total > PRIORITY_MAX_TRACKED) return PRIORITY_MAX_TRACKED;
  return Math.trunc(total);
}

export interface EffectivePriority {
  priority: number;
  /** A weight-0 tracker (or a file) is failing: the instance belongs in FAULT. */
  fault: boolean;
}

export function effectivePriority(
  base: number,
  trackers: readonly TrackerState[],
  files: readonly TrackedValue[] = [],
): EffectivePriority {
  let total = base;
  let fault = false;
  for (const t of trackers) {
    total += trackerContribution(t);
    fault ||= trackerFaults(t);
  }
  for (const f of files) {
    const c = fileContribution(f);
    total += c.add;
    fault ||= c.fault;
  }
  return { priority: clampPriority(base, total), fault };
}

/** Parse an IPv4 or IPv6 literal into network-order bytes; null when it is neither. */
export function addressBytes(text: string): number[] | null {
  if (text.includes(':')) return ipv6Bytes(text);
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p) || Number(p) > 255) return null;
    out.push(Number(p));
  }
  return out;
}

function ipv6Bytes(text: string): number[] | null {
  const zone = text.indexOf('%');
  const bare = zone >= 0 ? text.slice(0, zone) : text;
  const halves = bare.split('::');
  if (halves.length > 2) return null;
  const groups = (s: string): number[] | null => {
    if (s === '') return [];
    const out: number[] = [];
    const parts = s.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i];
      if (i === parts.length - 1 && p.includes('.')) {
        const v4 = addressBytes(p);
        if (!v4) return null;
        out.push((v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]);
      } else {
        if (!/^[0-9a-f]{1,4}$/i.test(p)) return null;
        out.push(parseInt(p, 16));
      }
    }
    return out;
  };
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...new Array<number>(missing).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

/**
 * Compare two primary addresses as unsigned network-order numbers: 1 when
 * `a` is higher (wins the tie-break), −1 when lower, 0 when equal, of
 * different families, or unparsable (keepalived treats a family mismatch as equal).
 */
export function compareAddresses(a: string, b: string): -1 | 0 | 1 {
  const x = addressBytes(a);
  const y = addressBytes(b);
  if (!x || !y || x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] !== y[i]) return x[i] > y[i] ? 1 : -1;
  }
  return 0;
}
