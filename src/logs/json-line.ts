import { JSON_LEVEL_FIELDS } from './levels.js';

/**
 * A JSON-line reader that works on bytes: it validates the line as one JSON object (a line
 * that is not one is a text line) and picks out the few fields that carry a level, without
 * decoding the line to a string or building objects.
 */

/** The top-level fields that matter, as found on one line. */
export interface JsonFields {
  /** Value start/end for each field of interest (by key), -1 when absent. */
  start: Int32Array;
  end: Int32Array;
  /** The byte a value starts with: `"` string, `{` object, a digit or `-` number… */
  kind: Uint8Array;
  /** Position of `"level"` inside a `"log"` object value, -1 when absent. */
  nestedLevelStart: number;
  nestedLevelEnd: number;
  nestedLevelKind: number;
}

/** The keys read: the level fields in the order they are looked for, Docker's wrapper (log, stream), the time fields. */
export const KEYS = [...JSON_LEVEL_FIELDS, 'log', 'stream', '@t', 'time', 'timestamp', 'ts'] as const;
export const KEY = Object.fromEntries(KEYS.map((key, index) => [key, index])) as Record<
  (typeof KEYS)[number],
  number
>;
const KEY_BYTES = KEYS.map((key) => Buffer.from(key));

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MAX_DEPTH = 256;

export function createFields(): JsonFields {
  return {
    start: new Int32Array(KEYS.length),
    end: new Int32Array(KEYS.length),
    kind: new Uint8Array(KEYS.length),
    nestedLevelStart: -1,
    nestedLevelEnd: -1,
    nestedLevelKind: 0,
  };
}

function skipWs(b: Uint8Array, p: number, end: number): number {
  while (p < end) {
    const c = b[p]!;
    if (c !== 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) break;
    p++;
  }
  return p;
}

/** `p` is at the opening quote; returns the position after the closing quote, or -1. */
function skipString(b: Uint8Array, p: number, end: number): number {
  p++;
  while (p < end) {
    const c = b[p]!;
    if (c === QUOTE) return p + 1;
    if (c === BACKSLASH) {
      const e = b[p + 1];
      if (e === 0x75) {
        for (let k = 2; k < 6; k++) {
          const h = b[p + k];
          if (
            h === undefined ||
            !((h >= 0x30 && h <= 0x39) || (h >= 0x41 && h <= 0x46) || (h >= 0x61 && h <= 0x66))
          )
            return -1;
        }
        p += 6;
        continue;
      }
      if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== 0x2f &&
        e !== 0x62 &&
        e !== 0x66 &&
        e !== 0x6e &&
        e !== 0x72 &&
        e !== 0x74
      )
        return -1;
      p += 2;
      continue;
    }
    if (c < 0x20) return -1;
    p++;
  }
  return -1;
}

function skipDigits(b: Uint8Array, p: number, end: number): number {
  const from = p;
  while (p < end && b[p]! >= 0x30 && b[p]! <= 0x39) p++;
  return p === from ? -1 : p;
}

function skipNumber(b: Uint8Array, start: number, end: number): number {
  let p = b[start] === 0x2d ? start + 1 : start;
  p = b[p] === 0x30 ? p + 1 : skipDigits(b, p, end);
  if (p !== -1 && b[p] === 0x2e) p = skipDigits(b, p + 1, end);
  if (p !== -1 && (b[p] === 0x65 || b[p] === 0x45)) {
    p++;
    if (b[p] === 0x2b || b[p] === 0x2d) p++;
    p = skipDigits(b, p, end);
  }
  return p;
}

function skipLiteral(b: Uint8Array, p: number, end: number, word: string): number {
  if (p + word.length > end) return -1;
  for (let k = 0; k < word.length; k++) if (b[p + k] !== word.charCodeAt(k)) return -1;
  return p + word.length;
}

/** Skips any JSON value at `p`; returns the position after it, or -1 when it is not valid. */
function skipValue(b: Uint8Array, p: number, end: number, depth: number): number {
  const c = b[p];
  if (c === QUOTE) return skipString(b, p, end);
  if (c === 0x7b || c === 0x5b) {
    if (depth > MAX_DEPTH) return -1;
    const close = c === 0x7b ? 0x7d : 0x5d;
    p = skipWs(b, p + 1, end);
    if (b[p] === close) return p + 1;
    for (;;) {
      if (c === 0x7b) {
        if (b[p] !== QUOTE) return -1;
        p = skipString(b, p, end);
        if (p === -1) return -1;
        p = skipWs(b, p, end);
        if (b[p] !== 0x3a) return -1;
        p = skipWs(b, p + 1, end);
      }
      p = skipValue(b, p, end, depth + 1);
      if (p === -1) return -1;
      p = skipWs(b, p, end);
      if (b[p] === 0x2c) {
        p = skipWs(b, p + 1, end);
        continue;
      }
      return b[p] === close ? p + 1 : -1;
    }
  }
  if (c === 0x74) return skipLiteral(b, p, end, 'true');
  if (c === 0x66) return skipLiteral(b, p, end, 'false');
  if (c === 0x6e) return skipLiteral(b, p, end, 'null');
  if (c === 0x2d || (c !== undefined && c >= 0x30 && c <= 0x39)) return skipNumber(b, p, end);
  return -1;
}

/** Which key of interest the raw (unescaped) key bytes `[from, to)` are, or -1. */
function keyIndex(b: Uint8Array, from: number, to: number): number {
  const length = to - from;
  for (let k = 0; k < KEY_BYTES.length; k++) {
    const key = KEY_BYTES[k]!;
    if (key.length !== length) continue;
    let same = true;
    for (let i = 0; i < length; i++) {
      if (b[from + i] !== key[i]) {
        same = false;
        break;
      }
    }
    if (same) return k;
  }
  return -1;
}

/** Finds `"level"` directly inside the object at `p` (the value of `"log"`). */
function findNestedLevel(b: Uint8Array, p: number, end: number, out: JsonFields): void {
  p = skipWs(b, p + 1, end);
  while (b[p] === QUOTE) {
    const keyEnd = skipString(b, p, end);
    const isLevel = keyEnd - p - 2 === 5 && keyIndex(b, p + 1, keyEnd - 1) === KEY.level;
    p = skipWs(b, skipWs(b, keyEnd, end) + 1, end);
    const valueEnd = skipValue(b, p, end, 1);
    if (isLevel) {
      out.nestedLevelStart = p;
      out.nestedLevelEnd = valueEnd;
      out.nestedLevelKind = b[p]!;
    }
    p = skipWs(b, valueEnd, end);
    if (b[p] !== 0x2c) return;
    p = skipWs(b, p + 1, end);
  }
}

/**
 * Reads `b[start, end)` as one JSON object and records the fields of interest in `out`.
 * Returns false when the bytes are not exactly one valid JSON object (then the line is text).
 * Keys written with escapes are not recognised (no logger writes `"l\u0065vel"`).
 */
export function readJsonFields(b: Uint8Array, start: number, end: number, out: JsonFields): boolean {
  out.start.fill(-1);
  out.nestedLevelStart = -1;
  let p = skipWs(b, start, end);
  if (b[p] !== 0x7b) return false;
  p = skipWs(b, p + 1, end);
  if (b[p] === 0x7d) return skipWs(b, p + 1, end) === end;
  for (;;) {
    if (b[p] !== QUOTE) return false;
    const keyEnd = skipString(b, p, end);
    if (keyEnd === -1) return false;
    const key = keyIndex(b, p + 1, keyEnd - 1);
    p = skipWs(b, keyEnd, end);
    if (b[p] !== 0x3a) return false;
    p = skipWs(b, p + 1, end);
    const valueEnd = skipValue(b, p, end, 1);
    if (valueEnd === -1) return false;
    if (key !== -1) {
      // A repeated key: the last one wins, as in JSON.parse.
      out.start[key] = p;
      out.end[key] = valueEnd;
      out.kind[key] = b[p]!;
      // A repeated "log" key replaces the first one, nested level included.
      if (key === KEY.log) out.nestedLevelStart = -1;
      if (key === KEY.log && b[p] === 0x7b) findNestedLevel(b, p, valueEnd, out);
    }
    p = skipWs(b, valueEnd, end);
    if (b[p] === 0x2c) {
      p = skipWs(b, p + 1, end);
      continue;
    }
    if (b[p] !== 0x7d) return false;
    return skipWs(b, p + 1, end) === end;
  }
}
