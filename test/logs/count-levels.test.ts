import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { countLevels, scanLog } from '../../src/logs/index.js';
import { countInRanges } from '../../src/logs/parallel.js';
import {
  countLineLevels,
  EDGE_CASES,
  generateLogBuffer,
  type LogTruth,
  writeLogFile,
} from '../fixtures/logs/generate.js';

const MB = 1024 * 1024;
let dir: string;
let plain: string;
let gzipped: string;
let truth: LogTruth;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-count-'));
  plain = join(dir, 'mixed.log');
  gzipped = join(dir, 'mixed.log.gz');
  truth = await writeLogFile(plain, { bytes: 50 * MB, seed: 7 });
  await writeLogFile(gzipped, { bytes: 50 * MB, seed: 7, gzip: true });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function expectTruth(
  actual: Awaited<ReturnType<typeof countLevels>>,
  expected: { lines: number; unmatchedLines: number; levels: object; unrecognized: object },
): void {
  expect({
    lines: actual.lines,
    unmatchedLines: actual.unmatchedLines,
    levels: actual.levels,
    unrecognized: actual.unrecognized,
  }).toEqual({
    lines: expected.lines,
    unmatchedLines: expected.unmatchedLines,
    levels: expected.levels,
    unrecognized: expected.unrecognized,
  });
}

describe('countLevels() against the generator truth', () => {
  it('counts 50 MB of mixed logs exactly', async () => {
    const counts = await countLevels(plain);
    expectTruth(counts, truth);
    expect(counts.bytes).toBe(truth.bytes);
  });

  it('counts the same file gzipped exactly', async () => {
    expectTruth(await countLevels(gzipped), truth);
  });

  it('counts within each time window of the truth (a line without a timestamp inherits one)', async () => {
    for (const window of truth.windows) {
      const counts = await countLevels(plain, { since: window.since, year: truth.year });
      expectTruth(counts, { ...window, levels: window.counts });
    }
  });

  it('adds several files together and reports each', async () => {
    const counts = await countLevels([plain, gzipped]);
    expect(counts.lines).toBe(2 * truth.lines);
    expect(counts.levels.ERROR).toBe(2 * truth.levels.ERROR);
    expect(counts.files?.map((file) => file.source)).toEqual([plain, gzipped]);
    expectTruth(counts.files![1]!, truth);
  });
});

describe('countLevels() with parallel: true', () => {
  it('counts a large plain file on worker threads exactly', async () => {
    const large = join(dir, 'large.log');
    const largeTruth = await writeLogFile(large, { bytes: 70 * MB, seed: 21 });
    const counts = await countLevels(large, { parallel: true });
    expectTruth(counts, largeTruth);
    expect(counts.bytes).toBe(largeTruth.bytes);
    await rm(large);
  }, 120_000);

  it('tiles a file into ranges that count every line exactly once, whatever the cut points', async () => {
    const { size } = await stat(plain);
    for (const threads of [2, 3, 7, 16]) {
      const parts = await countInRanges(plain, size, {}, false, threads);
      const lines = parts.reduce((sum, part) => sum + part.lines, 0);
      const errors = parts.reduce((sum, part) => sum + part.counts[5]!, 0);
      const bytes = parts.reduce((sum, part) => sum + part.bytes, 0);
      expect({ threads, lines, errors, bytes }).toEqual({
        threads,
        lines: truth.lines,
        errors: truth.levels.ERROR,
        bytes: truth.bytes,
      });
    }
  }, 120_000);
});

describe('countLevels() on every edge case', () => {
  it.each(EDGE_CASES.map((edge) => [`${edge.rule}: ${edge.name}`, edge] as const))(
    '%s',
    async (_name, edge) => {
      expectTruth(await countLevels(edge.bytes), countLineLevels(edge.expected));
    },
  );

  it('counts a 1 MB line, an empty file, and a file without a final newline', async () => {
    const long = Buffer.concat([
      Buffer.from('2024-03-01T00:00:00Z '),
      Buffer.alloc(MB, 'x'),
      Buffer.from(' ERROR end\nnext INFO\n'),
    ]);
    expect((await countLevels(long)).levels).toMatchObject({ ERROR: 1, INFO: 1 });
    expect(await countLevels(Buffer.alloc(0))).toMatchObject({ lines: 0, unmatchedLines: 0, bytes: 0 });
    expect(await countLevels(Buffer.from('a WARN\nlast ERROR'))).toMatchObject({
      lines: 2,
      levels: { WARNING: 1, ERROR: 1 },
    });
  });

  it('strips a BOM split across stream chunks, and lets a repeated "log" key replace the first', async () => {
    const bom = Readable.from([
      Buffer.from([0xef]),
      Buffer.from([0xbb, 0xbf]),
      Buffer.from('{"msg":"INFO here","level":"error"}\n'),
    ]);
    expect((await countLevels(bom)).levels).toMatchObject({ ERROR: 1, INFO: 0 });
    const repeated = await countLevels(Buffer.from('{"log":{"level":"error"},"log":{"x":1}}\n'));
    expect(repeated).toMatchObject({ lines: 1, unmatchedLines: 1 });
  });

  it('reads multi-member gzip (cat a.gz b.gz) and streams', async () => {
    const both = Buffer.concat([gzipSync('one INFO\n'), gzipSync('two ERROR\n')]);
    expect((await countLevels(both)).levels).toMatchObject({ INFO: 1, ERROR: 1 });
    expect((await countLevels(Readable.from([both]))).levels).toMatchObject({ INFO: 1, ERROR: 1 });
    expect((await countLevels(Readable.from(['split IN', 'FO here\n', 'x']))).levels.INFO).toBe(1);
  });

  it('stops at a truncated gzip file with the counts so far', async () => {
    const { buffer: bytes } = generateLogBuffer({ bytes: 4 * MB, seed: 3 });
    const zipped = gzipSync(bytes);
    const cut = join(dir, 'cut.log.gz');
    await writeFile(cut, zipped.subarray(0, Math.floor(zipped.length / 2)));
    const error = await countLevels(cut).catch((e) => e);
    expect(hasCode(error, 'SRE_FILE_CORRUPT')).toBe(true);
    expect(error.message).toContain('cut.log.gz');
    expect(error.details.bytesRead).toBeGreaterThan(MB);
    expect(error.details.counts.lines).toBeGreaterThan(1000);
  });

  it('counts every occurrence in occurrences mode, like the textbook regex', async () => {
    const counts = await countLevels(Buffer.from('ERROR: disk error, retry ERROR\nINFO ok\n'), {
      mode: 'occurrences',
    });
    expect(counts.levels).toMatchObject({ ERROR: 3, INFO: 1 });
  });

  it('takes custom levels, aliases, case sensitivity and numeric conventions', async () => {
    const text = Buffer.from('VERBOSE a\nerror b\nERROR c\n{"level":0}\n');
    const custom = await countLevels(text, { levelNames: ['VERBOSE', 'ERROR'], caseSensitive: true });
    expect(custom.levels).toEqual({ VERBOSE: 1, ERROR: 1 });
    expect(custom.unrecognized).toEqual({ 0: 1 });
    const winston = await countLevels(text, { numericLevels: 'winston' });
    expect(winston.levels.ERROR).toBe(3);
    const folded = await countLevels(Buffer.from('WARN x\n'), { aliases: {} });
    expect(folded.levels.WARNING).toBe(0);
    expect(hasCode(await countLevels(text, { aliases: { X: 'NOPE' } }).catch((e) => e), 'SRE_USAGE')).toBe(
      true,
    );
  });
});

describe('chunk boundaries (property)', () => {
  it('gives the same counts however the bytes are split', async () => {
    const { buffer: bytes } = generateLogBuffer({ bytes: 64 * 1024, seed: 11 });
    const expected = await countLevels(bytes);
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }),
        async (cuts) => {
          const points = [0, ...cuts.sort((a, b) => a - b), bytes.length];
          const chunks = points.slice(1).map((end, index) => bytes.subarray(points[index], end));
          const counts = await countLevels(Readable.from(chunks));
          expect(counts).toEqual(expected);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('scanLog()', () => {
  it('yields the ERROR and CRITICAL entries with their line numbers, as countLevels counts them', async () => {
    let errors = 0;
    let last = 0;
    for await (const entry of scanLog(plain, { minLevel: 'ERROR' })) {
      expect(['ERROR', 'CRITICAL']).toContain(entry.level);
      expect(entry.lineNumber).toBeGreaterThan(last);
      last = entry.lineNumber;
      errors++;
    }
    expect(errors).toBe(truth.levels.ERROR + truth.levels.CRITICAL);
  });

  it('filters by levels, time and a match, and keeps stack traces with their entry in multiline mode', async () => {
    const text = [
      '2024-03-01T10:00:00Z INFO start',
      '2024-03-01T10:00:01Z ERROR boom',
      '    at handler (app.js:1)',
      '2024-03-01T10:00:02Z ERROR again timeout',
      '2024-03-01T11:00:00Z WARN late',
    ].join('\n');
    const found = [];
    for await (const entry of scanLog(Buffer.from(text), {
      levels: ['ERROR'],
      until: '2024-03-01T10:30:00Z',
      multiline: true,
    }))
      found.push(entry);
    expect(found).toEqual([
      {
        lineNumber: 2,
        level: 'ERROR',
        timestamp: '2024-03-01T10:00:01.000Z',
        text: '2024-03-01T10:00:01Z ERROR boom\n    at handler (app.js:1)',
      },
      {
        lineNumber: 4,
        level: 'ERROR',
        timestamp: '2024-03-01T10:00:02.000Z',
        text: '2024-03-01T10:00:02Z ERROR again timeout',
      },
    ]);
    const matched = [];
    for await (const entry of scanLog(Buffer.from(text), { match: /timeout|late/ }))
      matched.push(entry.lineNumber);
    expect(matched).toEqual([4, 5]);
  });
});
