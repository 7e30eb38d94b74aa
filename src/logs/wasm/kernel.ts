import type { Classifier } from '../classify.js';
import type { TokenTable } from '../tokens.js';
import { KERNEL_WASM_BASE64 } from './kernel-wasm.js';

/** The running totals the kernel adds to (the fields of `Totals` in counter.ts it touches). */
export interface KernelTotals {
  counts: Float64Array;
  lines: number;
  unmatchedLines: number;
}

/** Counts plain-text lines with the WebAssembly SIMD kernel (src/logs/wasm/kernel.c). */
export interface WasmCounter {
  /**
   * Counts the complete lines of `bytes[start, end)` into `totals`, as LineCounter's
   * JavaScript loop does, except the lines it cannot settle alone (a level value that names
   * no level, a JSON value that is not a short word or integer…): those go to
   * `onSpecial(lineStart, lineEnd)` (the end without `\n` and `\r`), which must classify and
   * count them (`lines` included). Returns where the unfinished last line
   * starts; with `final` that line is counted too and `end` is returned.
   */
  feed(
    bytes: Uint8Array,
    start: number,
    end: number,
    final: boolean,
    totals: KernelTotals,
    onSpecial: (lineStart: number, lineEnd: number) => void,
  ): number;
}

/** The part of the WebAssembly API used here; absent under `node --jitless`. */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

interface KernelExports {
  memory: { buffer: ArrayBuffer; grow(pages: number): number };
  data_base(): number;
  counts(): number;
  specials(): number;
  numeric_levels(): number;
  syslog_levels(): number;
  set_info_level(level: number): void;
  configure(slots: number, maxLength: number, caseSensitive: number): number;
  add_word(key: bigint, level: number): number;
  count(begin: number, end: number, final: number): number;
}

/** `(func (result v128) i32.const 0 i8x16.splat)`: validates only where SIMD is supported. */
const SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7b, 0x03, 0x02, 0x01,
  0x00, 0x0a, 0x08, 0x01, 0x06, 0x00, 0x41, 0x00, 0xfd, 0x0f, 0x0b,
]);

/** Bytes copied into the kernel's memory per call; a slice and its copy stay in L2. */
const SLICE = 256 * 1024;
/** Slack after a slice: the sentinel newline and the 64 bytes the SIMD loads may read past it. */
const PADDING = 80;
const PAGE = 65536;
/** Counts slots before lines, unmatched and specials in the kernel's results (MAX_LEVELS). */
const LEVEL_SLOTS = 64;
const TABLE_SLOTS = 4096;
/** Numeric JSON levels the kernel looks up itself (NUMERIC_SLOTS); others go to JavaScript. */
const NUMERIC_SLOTS = 128;

let compiled: { api: WasmApi; module: object } | null | undefined;

/** Compiles the kernel on first use (nothing happens at import), or null without SIMD. */
function getKernel(): { api: WasmApi; module: object } | null {
  if (compiled !== undefined) return compiled;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  compiled =
    api?.validate(SIMD_PROBE) === true
      ? { api, module: new api.Module(Buffer.from(KERNEL_WASM_BASE64, 'base64')) }
      : null;
  return compiled;
}

/**
 * A kernel instance loaded with the word table and the classifier's numeric tables, or
 * `undefined` where WebAssembly SIMD is unavailable (or the table is too big for it): then
 * the JavaScript loop is the one to use.
 */
export function createWasmCounter(
  table: TokenTable,
  levels: Pick<Classifier, 'numeric' | 'syslog'>,
): WasmCounter | undefined {
  const kernel = getKernel();
  if (kernel === null || table.names.length > LEVEL_SLOTS || table.words.size * 4 > TABLE_SLOTS)
    return undefined;
  const exports = new kernel.api.Instance(kernel.module, {}).exports as KernelExports;
  let slots = 64;
  while (slots < table.words.size * 4) slots *= 2;
  if (exports.configure(slots, table.maxLength, table.caseSensitive ? 1 : 0) === 0)
    throw new Error(`wasm kernel: cannot take ${slots} slots and words of ${table.maxLength} letters`);
  for (const [word, level] of table.words)
    if (exports.add_word(BigInt(word), level) === 0) throw new Error(`wasm kernel: cannot add word ${word}`);
  // Level index + 1 per number, 0 for none: the kernel hands a number without a level to JavaScript.
  const memory = new Uint8Array(exports.memory.buffer);
  const numericAt = exports.numeric_levels() >>> 0;
  for (const [value, level] of levels.numeric)
    if (value < NUMERIC_SLOTS) memory[numericAt + value] = level + 1;
  const syslogAt = exports.syslog_levels() >>> 0;
  for (const [value, level] of levels.syslog) if (value < 8) memory[syslogAt + value] = level + 1;
  exports.set_info_level(table.names.indexOf('INFO') + 1);
  return new Counter(exports, table.names.length);
}

class Counter implements WasmCounter {
  readonly #exports: KernelExports;
  readonly #levels: number;
  readonly #base: number;
  readonly #countsAt: number;
  readonly #specialsAt: number;
  #memory: Uint8Array;
  #words: Uint32Array;

  constructor(exports: KernelExports, levels: number) {
    this.#exports = exports;
    this.#levels = levels;
    this.#base = exports.data_base() >>> 0;
    this.#countsAt = (exports.counts() >>> 0) / 4;
    this.#specialsAt = (exports.specials() >>> 0) / 4;
    this.#memory = new Uint8Array(exports.memory.buffer);
    this.#words = new Uint32Array(exports.memory.buffer);
  }

  feed(
    bytes: Uint8Array,
    start: number,
    end: number,
    final: boolean,
    totals: KernelTotals,
    onSpecial: (lineStart: number, lineEnd: number) => void,
  ): number {
    let at = start;
    // Each turn counts at least one line or returns, so the loop ends.
    while (at < end) {
      let to = end;
      if (end - at > SLICE) {
        // Cut at a line end, so only the last slice can hold an unfinished line.
        const newline = bytes.lastIndexOf(0x0a, at + SLICE - 1);
        const next = newline >= at ? newline : bytes.indexOf(0x0a, at + SLICE);
        if (next !== -1) to = next + 1;
      }
      const stop = this.#run(bytes, at, to, final && to === end, totals, onSpecial);
      if (stop === at) break;
      at = stop;
    }
    return at;
  }

  /** One kernel call over `bytes[from, to)`; returns where it stopped. */
  #run(
    bytes: Uint8Array,
    from: number,
    to: number,
    final: boolean,
    totals: KernelTotals,
    onSpecial: (lineStart: number, lineEnd: number) => void,
  ): number {
    const length = to - from;
    const base = this.#base;
    this.#reserve(base + length + PADDING);
    const memory = this.#memory;
    memory.set(length === bytes.length ? bytes : bytes.subarray(from, to), base);
    memory[base + length] = 0x0a;
    const stop = (this.#exports.count(base, base + length, final ? 1 : 0) >>> 0) - base + from;
    const words = this.#words;
    const counts = this.#countsAt;
    for (let level = 0; level < this.#levels; level++) totals.counts[level]! += words[counts + level]!;
    totals.lines += words[counts + LEVEL_SLOTS]!;
    totals.unmatchedLines += words[counts + LEVEL_SLOTS + 1]!;
    const specials = words[counts + LEVEL_SLOTS + 2]!;
    const offset = from - base;
    for (let i = this.#specialsAt, last = i + 2 * specials; i < last; i += 2)
      onSpecial(words[i]! + offset, words[i + 1]! + offset);
    return stop;
  }

  /** Grows the memory to hold `size` bytes; the views are remade when it grows. */
  #reserve(size: number): void {
    const memory = this.#exports.memory;
    if (memory.buffer.byteLength >= size) return;
    memory.grow(Math.ceil((size - memory.buffer.byteLength) / PAGE));
    this.#memory = new Uint8Array(memory.buffer);
    this.#words = new Uint32Array(memory.buffer);
  }
}
