import { DEFAULT_ALIASES, LEVELS } from './levels.js';

/** Byte classes: 1 an ASCII letter, 2 another word byte (digit, `_`, any byte >= 0x80), 0 a boundary. */
export const BYTE_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let byte = 0; byte < 256; byte++) {
    const letter = (byte >= 0x41 && byte <= 0x5a) || (byte >= 0x61 && byte <= 0x7a);
    const word = (byte >= 0x30 && byte <= 0x39) || byte === 0x5f || byte >= 0x80;
    table[byte] = letter ? 1 : word ? 2 : 0;
  }
  return table;
})();

/** How level words are recognised: the level names, their aliases and the case rule. */
export interface TokenTable {
  /** Level names in severity order; results are indexes into this list. */
  names: readonly string[];
  /** Packed upper-case word → level index. */
  words: Map<number, number>;
  /** The longest word, in bytes. */
  maxLength: number;
  caseSensitive: boolean;
}

/** Options that shape the token table. */
export interface TokenOptions {
  levels?: readonly string[];
  aliases?: Readonly<Record<string, string>>;
  caseSensitive?: boolean;
}

/**
 * Packs up to 9 ASCII letters, upper-cased, into one number (5 bits a letter plus the
 * length), exact in a double. Returns -1 for longer words.
 */
export function packWord(bytes: Uint8Array, start: number, end: number): number {
  const length = end - start;
  // Nine letters and the length stay below 2^53, so the double is exact.
  if (length > 9) return -1;
  let packed = length;
  for (let i = start; i < end; i++) packed = packed * 32 + ((bytes[i]! & 0xdf) - 0x40);
  return packed;
}

/** Builds the table from level names and aliases; throws on an alias that names no level. */
export function createTokenTable(options: TokenOptions = {}): TokenTable {
  const names = (options.levels ?? LEVELS).map((name) => name.toUpperCase());
  if (names.length === 0 || names.length > LEVEL_SLOTS)
    throw new TypeError(`levels must list 1 to ${LEVEL_SLOTS} names`);
  const aliases = options.aliases ?? (options.levels ? {} : DEFAULT_ALIASES);
  const words = new Map<number, number>();
  let maxLength = 0;
  const add = (word: string, index: number) => {
    if (!/^[A-Za-z]{1,9}$/.test(word))
      throw new TypeError(`level word ${JSON.stringify(word)} must be 1 to 9 ASCII letters`);
    words.set(packWord(Buffer.from(word), 0, word.length), index);
    maxLength = Math.max(maxLength, word.length);
  };
  for (const [index, name] of names.entries()) add(name, index);
  for (const [alias, target] of Object.entries(aliases)) {
    const index = names.indexOf(target.toUpperCase());
    if (index === -1)
      throw new TypeError(
        `alias ${alias} folds into ${target}, which is not one of the levels (${names.join(', ')})`,
      );
    add(alias.toUpperCase(), index);
  }
  return { names, words, maxLength, caseSensitive: options.caseSensitive ?? false };
}

/**
 * The case rule: case-sensitive, a word must be written in upper case as listed; otherwise
 * UPPER, lower and Title case count (INFO, info, Info) but not mixed case (iNfO).
 */
function caseAllowed(bytes: Uint8Array, start: number, end: number, caseSensitive: boolean): boolean {
  let upper = 0;
  for (let i = start; i < end; i++) if (bytes[i]! < 0x61) upper++;
  const length = end - start;
  if (upper === length) return true;
  if (caseSensitive) return false;
  return upper === 0 || (upper === 1 && bytes[start]! < 0x61);
}

/** Room for the level index in a {@link findToken} result. */
export const LEVEL_SLOTS = 64;

/**
 * Finds the first whole-word level token in `bytes[start, end)`: a run of ASCII letters
 * with no letter, digit, `_` or non-ASCII byte on either side that is a level word in an
 * allowed case. Returns `end of the word * LEVEL_SLOTS + level index`, or -1. (One number,
 * so the hot loop allocates nothing.)
 */
export function findToken(table: TokenTable, bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end) {
    const cls = BYTE_CLASS[bytes[i]!]!;
    if (cls === 0) {
      i++;
      continue;
    }
    let j = i + 1;
    let letters = cls === 1;
    for (; j < end; j++) {
      const next = BYTE_CLASS[bytes[j]!]!;
      if (next === 0) break;
      if (next !== 1) letters = false;
    }
    if (letters && j - i <= table.maxLength) {
      const level = table.words.get(packWord(bytes, i, j));
      if (level !== undefined && caseAllowed(bytes, i, j, table.caseSensitive))
        return j * LEVEL_SLOTS + level;
    }
    i = j;
  }
  return -1;
}

/** The level of the first whole-word level token of a line, or -1. */
export function firstToken(table: TokenTable, bytes: Uint8Array, start: number, end: number): number {
  const found = findToken(table, bytes, start, end);
  return found === -1 ? -1 : found % LEVEL_SLOTS;
}

/** Counts every whole-word level token of a line into `counts` (the textbook per-occurrence count). */
export function countTokens(
  table: TokenTable,
  bytes: Uint8Array,
  start: number,
  end: number,
  counts: Float64Array,
): void {
  let from = start;
  for (;;) {
    const found = findToken(table, bytes, from, end);
    if (found === -1) return;
    counts[found % LEVEL_SLOTS]!++;
    from = Math.floor(found / LEVEL_SLOTS);
  }
}
