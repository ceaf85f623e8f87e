/**
 * `~SEQ(var,[start,][step,]end) text`, `~SEQx(...)` and
 * `~LST(var|{v1,v2}, val|{val,val}, ...) text` parsing, as keepalived 2.2.7
 * reads them. Pure.
 *
 * A parsed entry yields (variable bindings, text) pairs one at a time; the
 * preprocessor keeps them on a stack so that a line produced by one entry
 * can itself start another (nesting, or several on one line).
 *
 * keepalived details kept on purpose:
 * - numbers are read like strtol(…, 0): `0x10` is hex, `010` octal, an empty
 *   field is 0;
 * - with only `end`, start is 1 (or -1 if end < 0) and step is ±1 towards
 *   end, so `~SEQ(i,0)` gives 1 then 0;
 * - `~LST` value sets with fewer values than variables leave the rest empty;
 * - ~SEQ parameters are macro-expanded first (the caller passes `expand`).
 */

export interface SeqEntry {
  /** Yields the next bindings, or undefined when done. */
  next(): [string, string][] | undefined;
  /** True once the last bindings have been handed out. */
  readonly done: boolean;
  /** The text to run once per binding. */
  text: string;
}

/** strtol(s, &end, 0) on `s` from `i`: value and the index after the number. */
export function strtol(s: string, i: number): { value: number; end: number } {
  let j = i;
  while (s[j] === ' ' || s[j] === '\t') j++;
  let sign = 1;
  if (s[j] === '+' || s[j] === '-') {
    if (s[j] === '-') sign = -1;
    j++;
  }
  let base = 10;
  if (
    s[j] === '0' &&
    (s[j + 1] === 'x' || s[j + 1] === 'X') &&
    /[0-9a-fA-F]/.test(s[j + 2] ?? '')
  ) {
    base = 16;
    j += 2;
  } else if (s[j] === '0') base = 8;
  const digits = base === 16 ? /[0-9a-fA-F]/ : base === 8 ? /[0-7]/ : /[0-9]/;
  const start = j;
  let v = 0;
  while (j < s.length && digits.test(s[j])) v = v * base + parseInt(s[j++], base);
  if (j === start) return { value: 0, end: i }; // no digits: strtol leaves the pointer alone
  return { value: sign * v, end: j };
}

const skipWs = (s: string, i: number): number => {
  while (s[i] === ' ' || s[i] === '\t') i++;
  return i;
};

/**
 * Parse `~SEQ…`/`~SEQx…` at the start of `buf`. Returns an entry, or an error
 * message (keepalived's wording) or null for "not a ~SEQ" (reported by the
 * caller as an invalid specification).
 */
export function parseSeq(
  buf: string,
  expand: (params: string) => string | null,
): SeqEntry | string | null {
  let p = 4;
  const hex = buf[p] === 'x';
  if (hex) p++;
  p = skipWs(buf, p);
  if (buf[p++] !== '(') return null;
  p = skipWs(buf, p);
  const varStart = p;
  while (p < buf.length && !' \t,)'.includes(buf[p])) p++;
  const name = buf.slice(varStart, p);
  p = skipWs(buf, p);
  if (p >= buf.length || buf[p] === ')' || name === '') return `Invalid ~SEQ definition '${buf}'`;
  p = skipWs(buf, p + 1);
  const close = buf.indexOf(')', p);
  if (close < 0) return `Invalid ~SEQ definition '${buf}'`;
  const params = expand(buf.slice(p, close + 1));
  if (params === null) return `~SEQ parameter is multiline definition '${buf}'`;
  const nums: number[] = [];
  let q = 0;
  for (;;) {
    const r = strtol(params, q);
    nums.push(r.value);
    q = skipWs(params, r.end);
    if (params[q] === ')') break;
    if (params[q] !== ',' || nums.length === 3) return `Invalid ~SEQ definition '${buf}'`;
    q++;
  }
  let start: number;
  let step: number;
  let end: number;
  if (nums.length === 1) {
    end = nums[0];
    step = end < 1 ? -1 : 1;
    start = end < 0 ? -1 : 1;
  } else if (nums.length === 2) {
    [start, end] = nums;
    step = start <= end ? 1 : -1;
  } else {
    [start, step, end] = nums;
    if (step === 0 || (start < end && step < 0) || (start > end && step > 0))
      return `Invalid ~SEQ values '${buf}'`;
  }
  if (hex && (start < 0 || end < 0)) return `~SEQx is only valid for positive numbers '${buf}'`;
  const text = buf.slice(skipWs(buf, close + 1));
  let cur = start;
  let done = false;
  return {
    text,
    get done() {
      return done;
    },
    next() {
      if (done) return undefined;
      const v = hex ? cur.toString(16) : String(cur);
      cur += step;
      if ((step > 0 && cur > end) || (step < 0 && cur < end)) done = true;
      return [[name, v]];
    },
  };
}

/** Parse `~LST(...)` at the start of `buf`; null if malformed, a string for keepalived's error. */
export function parseLst(buf: string): SeqEntry | string | null {
  let p = skipWs(buf, 4);
  if (buf[p++] !== '(') return null;
  p = skipWs(buf, p);
  let endChar = ',';
  if (buf[p] === '{') {
    endChar = '}';
    p = skipWs(buf, p + 1);
  }
  const vars: string[] = [];
  for (;;) {
    const s = p;
    while (p < buf.length && !' \t,}'.includes(buf[p])) p++;
    vars.push(buf.slice(s, p));
    p = skipWs(buf, p);
    if (buf[p] === endChar) break;
    if (buf[p] !== ',') return null;
    p = skipWs(buf, p + 1);
  }
  if (buf[p] === '}') p = skipWs(buf, p + 1);
  if (buf[p++] !== ',') return null;
  p = skipWs(buf, p);
  const sets: string[][] = [];
  for (;;) {
    let end = ',';
    if (buf[p] === '{') {
      end = '}';
      p = skipWs(buf, p + 1);
    }
    const vals: string[] = [];
    for (;;) {
      const s = p;
      while (p < buf.length && !' \t,})'.includes(buf[p])) p++;
      vals.push(buf.slice(s, p));
      p = skipWs(buf, p);
      if (buf[p] === end || (buf[p] === ')' && end === ',')) break;
      if (buf[p] !== ',') return null;
      p = skipWs(buf, p + 1);
      if (vals.length >= vars.length) return `~LST specification has too many values '${buf}'`;
    }
    while (vals.length < vars.length) vals.push('');
    sets.push(vals);
    if (buf[p] === '}' && end === '}') p = skipWs(buf, p + 1);
    if (buf[p] === ')') break;
    if (buf[p] !== ',') return null;
    p = skipWs(buf, p + 1);
  }
  const text = buf.slice(skipWs(buf, p + 1));
  let i = 0;
  return {
    text,
    get done() {
      return i >= sets.length;
    },
    next() {
      if (i >= sets.length) return undefined;
      const set = sets[i++];
      return vars.map((v, k): [string, string] => [v, set[k]]);
    },
  };
}
