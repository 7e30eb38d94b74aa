import { type Classifier, NO_LEVEL, UNRECOGNIZED } from './classify.js';
import { createFields, KEY, readJsonFields } from './json-line.js';
import { parseJsonTime, parseLineTime } from './time.js';
import { countTokens, firstToken, type TokenTable } from './tokens.js';
import { createWasmCounter, type WasmCounter } from './wasm/kernel.js';

/** A time window, and whether lines without a timestamp continue the entry above them. */
export interface TimeWindow {
  since: number;
  until: number;
  multiline: boolean;
  /** The year of syslog timestamps, which have none. */
  year: number;
}

const NEWLINE = 0x0a;
const CR = 0x0d;
const LEVEL_EQ = Buffer.from('level=');
const LVL_EQ = Buffer.from('lvl=');

/** Running totals of one source (or several added together). */
export interface Totals {
  counts: Float64Array;
  lines: number;
  unmatchedLines: number;
  bytes: number;
  unrecognized: Map<string, number>;
}

export function createTotals(levels: number): Totals {
  return { counts: new Float64Array(levels), lines: 0, unmatchedLines: 0, bytes: 0, unrecognized: new Map() };
}

/**
 * Counts the levels of whole lines in a byte buffer. The hot path reads no more of a line
 * than it must: the newline is found with the native `indexOf`, and unless the line can be
 * JSON, syslog or logfmt (its first byte, or a `level=` found by one native search per
 * chunk, says so) only the bytes up to the first level word are looked at.
 */
export class LineCounter {
  readonly totals: Totals;
  readonly #table: TokenTable;
  readonly #classifier: Classifier;
  readonly #occurrences: boolean;
  readonly #window: TimeWindow | undefined;
  readonly #fields = createFields();
  /** The WebAssembly SIMD loop for plain lines, where it runs and the counting allows it. */
  readonly #kernel: WasmCounter | undefined;
  #atStart = true;
  /** The timestamp of the last line that had one; lines without one inherit it. */
  #time = Number.NaN;

  constructor(
    table: TokenTable,
    classifier: Classifier,
    occurrences: boolean,
    totals: Totals,
    window?: TimeWindow,
    useWasm = true,
  ) {
    this.#table = table;
    this.#classifier = classifier;
    this.#occurrences = occurrences;
    this.totals = totals;
    this.#window = window;
    this.#kernel =
      useWasm && !occurrences && window === undefined ? createWasmCounter(table, classifier) : undefined;
  }

  /** Marks the start of a new source; its first line may carry a BOM unless it starts mid-file. */
  startSource(atFileStart = true): void {
    this.#atStart = atFileStart;
    this.#time = Number.NaN;
  }

  /**
   * Counts the complete lines of `buffer[0, end)` and returns where the unfinished last line
   * starts; with `final`, that line is counted too and `end` is returned.
   */
  feed(buffer: Buffer, end: number, final: boolean): number {
    const view = end === buffer.length ? buffer : buffer.subarray(0, end);
    let start = 0;
    if (this.#atStart && !final && end < 3 && isBomPrefix(view, end)) return 0; // wait for the whole BOM
    if (this.#atStart && end >= 3 && view[0] === 0xef && view[1] === 0xbb && view[2] === 0xbf) start = 3;
    if (end > 0 || final) this.#atStart = false;
    if (this.#kernel !== undefined) {
      return this.#kernel.feed(view, start, end, final, this.totals, (from, to) =>
        this.#line(view, from, to, true),
      );
    }
    let nextLevelEq = -1;
    let nextLvlEq = -1;
    while (start < end) {
      let newline = view.indexOf(NEWLINE, start);
      if (newline === -1) {
        if (!final) break;
        newline = end;
      }
      const lineEnd = newline > start && view[newline - 1] === CR ? newline - 1 : newline;
      if (nextLevelEq !== Number.POSITIVE_INFINITY && nextLevelEq < start) {
        nextLevelEq = view.indexOf(LEVEL_EQ, start);
        if (nextLevelEq === -1) nextLevelEq = Number.POSITIVE_INFINITY;
      }
      if (nextLvlEq !== Number.POSITIVE_INFINITY && nextLvlEq < start) {
        nextLvlEq = view.indexOf(LVL_EQ, start);
        if (nextLvlEq === -1) nextLvlEq = Number.POSITIVE_INFINITY;
      }
      this.#line(view, start, lineEnd, nextLevelEq < lineEnd || nextLvlEq < lineEnd);
      start = newline + 1;
    }
    return final ? end : Math.min(start, end);
  }

  #line(view: Buffer, start: number, end: number, mayBeLogfmt: boolean): void {
    const totals = this.totals;
    if (this.#window !== undefined && !this.#inWindow(view, start, end, this.#window)) return;
    totals.lines++;
    if (this.#occurrences) {
      countTokens(this.#table, view, start, end, totals.counts);
      return;
    }
    const first = view[start];
    // Rules 2–4 (JSON, syslog, logfmt) can only apply when one of these holds.
    const special = first === 0x7b || first === 0x20 || first === 0x09 || first === 0x3c || mayBeLogfmt;
    const level = special
      ? this.#classifier.classify(view, start, end)
      : firstToken(this.#table, view, start, end);
    if (level >= 0) {
      totals.counts[level]!++;
      return;
    }
    totals.unmatchedLines++;
    if (level === UNRECOGNIZED) {
      const value = this.#classifier.unrecognized;
      totals.unrecognized.set(value, (totals.unrecognized.get(value) ?? 0) + 1);
    } else if (level !== NO_LEVEL) {
      throw new Error(`unexpected classifier result ${level}`);
    }
  }

  /**
   * Whether the line counts in the window: its own timestamp, or the one above it. In
   * multiline mode a line without a timestamp continues the entry above and is not counted
   * on its own (it still adds to `lines` when the entry is in the window).
   */
  #inWindow(view: Buffer, start: number, end: number, window: TimeWindow): boolean {
    let time = parseLineTime(view, start, end, window.year);
    if (Number.isNaN(time) && view[start] === 0x7b && readJsonFields(view, start, end, this.#fields)) {
      for (const key of [KEY.time, KEY.timestamp, KEY['@t'], KEY.ts]) {
        const from = this.#fields.start[key]!;
        if (from === -1) continue;
        time = parseJsonTime(view.toString('latin1', from, this.#fields.end[key]!));
        break;
      }
    }
    const own = !Number.isNaN(time);
    if (own) this.#time = time;
    const inside = this.#time >= window.since && this.#time < window.until;
    if (!own && window.multiline) {
      if (inside) this.totals.lines++;
      return false;
    }
    return inside;
  }
}

/** Whether the first `end` bytes (fewer than 3) could be the start of a UTF-8 BOM. */
function isBomPrefix(view: Buffer, end: number): boolean {
  const bom = [0xef, 0xbb, 0xbf];
  for (let i = 0; i < end; i++) if (view[i] !== bom[i]) return false;
  return true;
}
