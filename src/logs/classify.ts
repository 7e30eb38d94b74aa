import { createFields, KEY, readJsonFields } from './json-line.js';
import { NUMERIC_LEVELS, type NumericLevels } from './levels.js';
import { BYTE_CLASS, firstToken, packWord, type TokenTable } from './tokens.js';

/** A line has no level. */
export const NO_LEVEL = -1;
/** A line names a level this table does not know; see {@link Classifier.unrecognized}. */
export const UNRECOGNIZED = -2;

/** The numeric tables as level names, mapped to indexes of the token table. */
export interface Classifier {
  /** Level index of `bytes[start, end)` (no newline, no `\r`), {@link NO_LEVEL} or {@link UNRECOGNIZED}. */
  classify(bytes: Uint8Array, start: number, end: number): number;
  /** The value that made the last {@link UNRECOGNIZED} result. */
  unrecognized: string;
  /** Numeric JSON levels of the chosen convention → level index (what the WASM kernel is loaded with). */
  readonly numeric: ReadonlyMap<number, number>;
  /** Syslog severities 0–7 → level index. */
  readonly syslog: ReadonlyMap<number, number>;
}

const SPACE = 0x20;
const TAB = 0x09;

/**
 * Builds the line classifier that implements the rules written on `countLevels`: JSON
 * fields (and Docker's wrapper), syslog `<PRI>`, logfmt `level=`, then the first whole-word
 * level token.
 */
export function createClassifier(table: TokenTable, numericLevels: NumericLevels): Classifier {
  const fields = createFields();
  const toIndex = (table_: Readonly<Record<number, string>>) => {
    const out = new Map<number, number>();
    for (const [number, name] of Object.entries(table_)) {
      const index = table.names.indexOf(name);
      if (index !== -1) out.set(Number(number), index);
    }
    return out;
  };
  const numeric = toIndex(NUMERIC_LEVELS[numericLevels]);
  const syslog = toIndex(NUMERIC_LEVELS.syslog);
  const classifier: Classifier = {
    unrecognized: '',
    numeric,
    syslog,
    classify(bytes, start, end) {
      let p = start;
      while (p < end && (bytes[p] === SPACE || bytes[p] === TAB)) p++;
      if (bytes[p] === 0x7b && readJsonFields(bytes, p, end, fields)) return jsonLevel(bytes, true);
      return textLevel(bytes, start, end);
    },
  };

  function textLevel(bytes: Uint8Array, start: number, end: number): number {
    if (bytes[start] === 0x3c) {
      const pri = syslogPriority(bytes, start, end);
      if (pri !== -1) return syslog.get(pri % 8) ?? NO_LEVEL;
    }
    const value = logfmtLevel(bytes, start, end);
    if (value !== -1) return wordLevel(bytes, value, logfmtEnd);
    return firstToken(table, bytes, start, end);
  }

  function jsonLevel(bytes: Uint8Array, unwrap: boolean): number {
    const { start, end, kind } = fields;
    if (unwrap && start[KEY.log]! !== -1 && kind[KEY.log] === 0x22 && start[KEY.stream]! !== -1) {
      // Docker's json-file wrapper: the level is the wrapped line's.
      let inner = Buffer.from(
        JSON.parse(
          Buffer.from(
            bytes.buffer,
            bytes.byteOffset + start[KEY.log]!,
            end[KEY.log]! - start[KEY.log]!,
          ).toString('latin1'),
        ),
        'latin1',
      );
      if (inner[inner.length - 1] === 0x0a) inner = inner.subarray(0, inner.length - 1);
      if (inner[inner.length - 1] === 0x0d) inner = inner.subarray(0, inner.length - 1);
      let p = 0;
      while (p < inner.length && (inner[p] === SPACE || inner[p] === TAB)) p++;
      if (inner[p] === 0x7b && readJsonFields(inner, p, inner.length, fields)) return jsonLevel(inner, false);
      return textLevel(inner, 0, inner.length);
    }
    for (const key of [
      KEY.level,
      KEY.lvl,
      KEY.severity,
      KEY['log.level'],
      -1,
      KEY['@l'],
      KEY.levelname,
      KEY.severityText,
      KEY.PRIORITY,
    ]) {
      // -1 stands for the nested {"log":{"level":…}}, right after a literal "log.level" key.
      const from = key === -1 ? fields.nestedLevelStart : start[key]!;
      if (from === -1) continue;
      const to = key === -1 ? fields.nestedLevelEnd : end[key]!;
      const first = key === -1 ? fields.nestedLevelKind : kind[key]!;
      return valueLevel(bytes, from, to, first, key === KEY.PRIORITY);
    }
    return start[KEY['@t']]! !== -1 ? table.names.indexOf('INFO') : NO_LEVEL;
  }

  /** The level a JSON value names: a level word in any case, or a number (digits in a string too). */
  function valueLevel(
    bytes: Uint8Array,
    from: number,
    to: number,
    first: number,
    isPriority: boolean,
  ): number {
    // Fast paths without allocation: a quoted word of letters, or a plain integer.
    if (first === 0x22 && to - from > 2 && to - from <= 12) {
      let letters = true;
      for (let i = from + 1; i < to - 1 && letters; i++) letters = BYTE_CLASS[bytes[i]!] === 1;
      const level = letters ? table.words.get(packWord(bytes, from + 1, to - 1)) : undefined;
      if (level !== undefined) return level;
    } else if (first >= 0x30 && first <= 0x39 && to - from <= 6) {
      let value = 0;
      let i = from;
      for (; i < to && bytes[i]! >= 0x30 && bytes[i]! <= 0x39; i++) value = value * 10 + bytes[i]! - 0x30;
      const level = i === to ? (isPriority ? syslog : numeric).get(value) : undefined;
      if (level !== undefined) return level;
    }
    const raw = Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1');
    const isString = first === 0x22;
    const isNumber = first === 0x2d || (first >= 0x30 && first <= 0x39);
    if (!isString && !isNumber) return unrecognized(raw);
    const text = (
      isString ? (raw.includes('\\') ? (JSON.parse(raw) as string) : raw.slice(1, -1)) : raw
    ).trim();
    if (isNumber || /^\d+$/.test(text))
      return (isPriority ? syslog : numeric).get(Number(text)) ?? unrecognized(text);
    return wordLevel(Buffer.from(text, 'latin1'), 0, text.length);
  }

  /** A whole value that is a level word, in any case (`level=warn`, `"level":"Warning"`). */
  function wordLevel(bytes: Uint8Array, from: number, to: number): number {
    let letters = to > from;
    for (let i = from; i < to && letters; i++) letters = BYTE_CLASS[bytes[i]!] === 1;
    const level = letters ? table.words.get(packWord(bytes, from, to)) : undefined;
    return (
      level ?? unrecognized(Buffer.from(bytes.buffer, bytes.byteOffset + from, to - from).toString('latin1'))
    );
  }

  function unrecognized(value: string): number {
    classifier.unrecognized = value;
    return UNRECOGNIZED;
  }

  /** End of the value found by the last {@link logfmtLevel}. */
  let logfmtEnd = 0;

  /** The start of a logfmt `level=` / `lvl=` value (at the line start or after a space), or -1. */
  function logfmtLevel(bytes: Uint8Array, start: number, end: number): number {
    for (let i = start; i < end - 3; i++) {
      if (bytes[i] !== 0x6c || (i > start && bytes[i - 1] !== SPACE)) continue;
      let p = -1;
      if (
        bytes[i + 1] === 0x65 &&
        bytes[i + 2] === 0x76 &&
        bytes[i + 3] === 0x65 &&
        bytes[i + 4] === 0x6c &&
        bytes[i + 5] === 0x3d
      )
        p = i + 6;
      else if (bytes[i + 1] === 0x76 && bytes[i + 2] === 0x6c && bytes[i + 3] === 0x3d) p = i + 4;
      if (p === -1) continue;
      if (bytes[p] === 0x22) {
        const close = bytes.indexOf(0x22, p + 1);
        logfmtEnd = close === -1 || close > end ? end : close;
        return p + 1;
      }
      let q = p;
      while (q < end && bytes[q] !== SPACE) q++;
      logfmtEnd = q;
      return p;
    }
    return -1;
  }

  return classifier;
}

/** The number N of a `<N>` prefix (1 to 3 digits, at most 191), or -1. */
function syslogPriority(bytes: Uint8Array, start: number, end: number): number {
  let value = 0;
  let p = start + 1;
  while (p < end && p - start <= 3 && bytes[p]! >= 0x30 && bytes[p]! <= 0x39)
    value = value * 10 + bytes[p++]! - 0x30;
  if (p === start + 1 || bytes[p] !== 0x3e || value > 191) return -1;
  return value;
}
