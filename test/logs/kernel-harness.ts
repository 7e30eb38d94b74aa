// Shared by the kernel tests: the ways of counting one buffer that must agree (every line
// through the classifier, LineCounter with and without WASM, the kernel alone), fed in pieces.
import { expect } from 'vitest';
import { type Classifier, createClassifier, UNRECOGNIZED } from '../../src/logs/classify.js';
import { createTotals, LineCounter } from '../../src/logs/counter.js';
import { createTokenTable, type TokenOptions, type TokenTable } from '../../src/logs/tokens.js';
import { createWasmCounter } from '../../src/logs/wasm/kernel.js';

/** Counts in one comparable shape. */
export interface Result {
  levels: number[];
  lines: number;
  unmatchedLines: number;
  unrecognized: Record<string, number>;
}

export interface Setup {
  table: TokenTable;
  classifier: Classifier;
}

export const setups = {
  default: setUp({}),
  caseSensitive: setUp({ caseSensitive: true }),
  // A one-letter alias, a 9-letter level (the longest that packs exactly), words of every length.
  custom: setUp({
    levels: ['LOW', 'MEDIUM', 'HIGH', 'ABCDEFGHJ'],
    aliases: { MINOR: 'LOW', Q: 'MEDIUM', SEVERE: 'HIGH', CATASTROP: 'ABCDEFGHJ' },
  }),
};

export function setUp(options: TokenOptions): Setup {
  const table = createTokenTable(options);
  return { table, classifier: createClassifier(table, 'pino') };
}

export function finish(
  counts: Float64Array,
  lines: number,
  unmatched: number,
  unrecognized: Map<string, number>,
) {
  return {
    levels: [...counts],
    lines,
    unmatchedLines: unmatched,
    unrecognized: Object.fromEntries([...unrecognized].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** The truth by the JavaScript rules: every line through the classifier, no fast path. */
export function countByClassifier({ table, classifier }: Setup, bytes: Buffer): Result {
  const counts = new Float64Array(table.names.length);
  const unrecognized = new Map<string, number>();
  let lines = 0;
  let unmatched = 0;
  let start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  while (start < bytes.length) {
    const found = bytes.indexOf(0x0a, start);
    const newline = found === -1 ? bytes.length : found;
    const end = newline > start && bytes[newline - 1] === 0x0d ? newline - 1 : newline;
    const level = classifier.classify(bytes, start, end);
    lines++;
    if (level >= 0) counts[level]!++;
    else unmatched++;
    if (level === UNRECOGNIZED)
      unrecognized.set(classifier.unrecognized, (unrecognized.get(classifier.unrecognized) ?? 0) + 1);
    start = newline + 1;
  }
  return finish(counts, lines, unmatched, unrecognized);
}

/** LineCounter as countLevels drives it, fed in pieces cut at `cuts`. */
export function countByLineCounter(
  { table, classifier }: Setup,
  bytes: Buffer,
  cuts: readonly number[],
  useWasm: boolean,
): Result {
  const totals = createTotals(table.names.length);
  const counter = new LineCounter(table, classifier, false, totals, undefined, useWasm);
  counter.startSource();
  feedInPieces(bytes, cuts, (buffer, final) => counter.feed(buffer, buffer.length, final));
  return finish(totals.counts, totals.lines, totals.unmatchedLines, totals.unrecognized);
}

/** The kernel, fed in pieces cut at `cuts`; special lines go to the classifier, as LineCounter does. */
export function countByKernel(
  { table, classifier }: Setup,
  bytes: Buffer,
  cuts: readonly number[] = [],
): Result {
  const kernel = createWasmCounter(table, classifier);
  if (kernel === undefined) throw new Error('WebAssembly SIMD is not available');
  const totals = createTotals(table.names.length);
  let atStart = true;
  feedInPieces(bytes, cuts, (buffer, final) => {
    const bom = atStart && buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
    if (buffer.length > 0 || final) atStart = false;
    return kernel.feed(buffer, bom, buffer.length, final, totals, (start, end) => {
      totals.lines++;
      const level = classifier.classify(buffer, start, end);
      if (level >= 0) totals.counts[level]!++;
      else totals.unmatchedLines++;
      if (level === UNRECOGNIZED)
        totals.unrecognized.set(
          classifier.unrecognized,
          (totals.unrecognized.get(classifier.unrecognized) ?? 0) + 1,
        );
    });
  });
  return finish(totals.counts, totals.lines, totals.unmatchedLines, totals.unrecognized);
}

/** Feeds `bytes` in pieces, carrying the unfinished line over as count.ts does. */
export function feedInPieces(
  bytes: Buffer,
  cuts: readonly number[],
  feed: (buffer: Buffer, final: boolean) => number,
): void {
  let carry = Buffer.alloc(0);
  let from = 0;
  for (const cut of [...cuts.filter((at) => at > 0 && at < bytes.length)].sort((a, b) => a - b)) {
    const buffer = Buffer.concat([carry, bytes.subarray(from, cut)]);
    carry = Buffer.from(buffer.subarray(feed(buffer, false)));
    from = cut;
  }
  const buffer = Buffer.concat([carry, bytes.subarray(from)]);
  feed(Buffer.from(buffer.subarray(feed(buffer, false))), true);
}

export function expectSame(setup: Setup, bytes: Buffer, cuts: readonly number[] = []): Result {
  const truth = countByClassifier(setup, bytes);
  expect(countByKernel(setup, bytes, cuts)).toEqual(truth);
  expect(countByLineCounter(setup, bytes, cuts, true)).toEqual(truth);
  expect(countByLineCounter(setup, bytes, cuts, false)).toEqual(truth);
  return truth;
}

export const latin1 = (text: string) => Buffer.from(text, 'latin1');
export const utf8 = (text: string) => Buffer.from(text, 'utf8').toString('latin1');
