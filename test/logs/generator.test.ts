import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALIASES, JSON_LEVEL_FIELDS, LEVELS, NUMERIC_LEVELS } from '../../src/logs/levels.js';
import {
  countLineLevels,
  EDGE_CASES,
  generateLog,
  generateLogBuffer,
  type LogTruth,
  parseSize,
  START_TIME,
  writeLogFile,
} from '../fixtures/logs/generate.js';
import {
  REFERENCE_TABLES,
  referenceCounts,
  referenceLineLevels,
  splitLines,
} from '../fixtures/logs/reference.js';
import { levelsSince, lineTimes, type TimeReading } from '../fixtures/logs/reference-time.js';
import { startScript, tsxBin } from '../helpers/run-script.js';

const MiB = 1024 * 1024;

/** The counts part of a truth, in the shape the reference returns. */
const countsOf = (truth: LogTruth) => ({
  lines: truth.lines,
  unmatchedLines: truth.unmatchedLines,
  levels: truth.levels,
  unrecognized: truth.unrecognized,
  bytes: truth.bytes,
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-loggen-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('the reference classifier on hand-written edge cases', () => {
  it.each(EDGE_CASES.map((c) => [`rule ${c.rule}: ${c.name}`, c] as const))('%s', (_, c) => {
    expect(referenceLineLevels(c.bytes)).toEqual(c.expected);
  });

  it('the cases cover every rule and every named pitfall', () => {
    expect(new Set(EDGE_CASES.map((c) => c.rule))).toEqual(new Set(['1', '2a', '2b', '2c', '3', '4', '5']));
    const inputs = EDGE_CASES.map((c) => c.input).join('\n');
    for (const needle of [
      'INFORMATION',
      'ERRORS',
      'DEBUGGER',
      'ERROR_RATE',
      'info2',
      '\xc3\xa9ERROR',
      'iNfO',
      '\xef\xbb\xbf',
      '\r\n',
      '"stream"',
      '"level":35',
      '"@t"',
      '"PRIORITY":"3"',
      'msg="upstream error, retrying" level=warn',
      '<11>',
      '{"log":{"level":',
      '"log.level"',
    ])
      expect(inputs, needle).toContain(needle);
  });

  it('holds the same tables as src/logs/levels.ts', () => {
    expect(REFERENCE_TABLES.CANONICAL).toEqual(LEVELS);
    expect(REFERENCE_TABLES.ALIASES).toEqual(DEFAULT_ALIASES);
    expect(REFERENCE_TABLES.PINO_TABLE).toEqual(NUMERIC_LEVELS.pino);
    expect(REFERENCE_TABLES.SYSLOG_TABLE).toEqual(NUMERIC_LEVELS.syslog);
    expect(REFERENCE_TABLES.JSON_FIELDS).toEqual(JSON_LEVEL_FIELDS);
  });
});

describe.each([1, 2, 3, 4])('a generated log of 2 MiB, seed %i', (seed) => {
  let log: ReturnType<typeof generateLogBuffer>;
  beforeAll(() => {
    log = generateLogBuffer({ bytes: 2 * MiB, seed, bom: seed % 2 === 0, record: true });
  });

  it('the reference counts equal the truth', () => {
    expect(referenceCounts(log.buffer)).toEqual(countsOf(log.truth));
    expect(log.buffer.length).toBe(log.truth.bytes);
  });

  it('the reference agrees with the level each line was written with', () => {
    const lines = splitLines(log.buffer);
    const levels = referenceLineLevels(log.buffer);
    expect(lines.length).toBe(log.records.length);
    const disagreements = log.records
      .map((record, i) => ({
        line: i + 1,
        text: lines[i],
        written: record.text,
        wrote: record.level,
        reference: levels[i],
      }))
      .filter((d) => d.text !== d.written || JSON.stringify(d.wrote) !== JSON.stringify(d.reference));
    expect(disagreements.slice(0, 5)).toEqual([]);
  });

  it.each(['strict', 'lenient'] as TimeReading[])(
    'the time windows hold when timestamps are read %s',
    (reading) => {
      expect(log.truth.windows).toHaveLength(3);
      for (const window of log.truth.windows) {
        const since = Date.parse(window.since);
        expect(since % 1000).toBe(0);
        expect(levelsSince(log.buffer, since, reading, log.truth.year, countLineLevels)).toEqual({
          lines: window.lines,
          unmatchedLines: window.unmatchedLines,
          levels: window.counts,
          unrecognized: window.unrecognized,
        });
      }
    },
  );

  it('its timestamps never go back (up to the ms a format leaves out)', () => {
    const times = lineTimes(log.buffer, 'lenient', log.truth.year);
    const backwards = times.filter((t, i) => i > 0 && t !== undefined && t < times[i - 1]! - 999);
    expect(times[0]).toBe(START_TIME);
    expect(backwards).toEqual([]);
    const last = times.at(-1)!;
    const midpoint = Date.parse(log.truth.windows[1]!.since);
    expect(START_TIME < midpoint && midpoint < last).toBe(true);
  });

  it('has the promised mix', () => {
    const { truth, buffer, records } = log;
    const text = buffer.toString('latin1');
    expect(Object.keys(truth.mix).sort()).toEqual(
      [
        'app',
        'decoy',
        'docker',
        'json',
        'logfmt',
        'long',
        'misc',
        'nginx-access',
        'nginx-error',
        'python',
        'stack-trace',
        'syslog-file',
        'syslog-pri',
      ].sort(),
    );
    const l = truth.levels;
    expect(l.INFO > l.DEBUG && l.DEBUG > l.WARNING && l.WARNING > l.ERROR && l.ERROR > l.CRITICAL).toBe(true);
    expect(l.TRACE > 0 && l.NOTICE > 0 && l.CRITICAL > 0).toBe(true);
    expect(truth.unrecognized['35']).toBeGreaterThan(0);
    expect(truth.unmatchedLines).toBeGreaterThan(truth.lines / 10);
    expect(truth.bytes / truth.lines).toBeGreaterThanOrEqual(100);
    expect(truth.bytes / truth.lines).toBeLessThanOrEqual(150);
    expect(records.some((r) => r.eol === '\r\n')).toBe(true);
    expect(records.some((r) => r.text === '')).toBe(true);
    expect(records.some((r) => r.text.length >= 5000)).toBe(true);
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(buffer)).toThrow();
    for (const needle of [
      'INFORMATION',
      'ERRORS',
      'DEBUGGER',
      'ERROR_RATE',
      'info2',
      '\xc3\xa9ERROR',
      'iNfO',
      '{"log":"',
      '"@t":"',
      '"PRIORITY":"',
      '"log.level":"',
      '"log":{"level":"',
      '"@l":"',
      '"levelname":"',
      '"level":35,',
      ' msg="',
      '\tat ',
      'Traceback (most recent call last):',
      ' [error] ',
    ])
      expect(text, needle).toContain(needle);
    expect(text).toMatch(/^<\d{1,3}>/m);
  });
});

describe('generateLog', () => {
  it('is deterministic: same seed, same bytes; another seed, other bytes', () => {
    const a = generateLogBuffer({ bytes: 256 * 1024, seed: 7 });
    const b = generateLogBuffer({ bytes: 256 * 1024, seed: 7 });
    const c = generateLogBuffer({ bytes: 256 * 1024, seed: 8 });
    expect(a.buffer.equals(b.buffer)).toBe(true);
    expect(a.truth).toEqual(b.truth);
    expect(a.buffer.equals(c.buffer)).toBe(false);
  });

  it('streams chunks of about 1 MiB that add up to the same log', () => {
    const log = generateLog({ bytes: 3 * MiB, seed: 9 });
    expect(() => log.truth).toThrow(/end/);
    const chunks = [...log.chunks];
    expect(chunks.length).toBeGreaterThanOrEqual(3);
    expect(chunks.every((chunk) => chunk.length <= 1.1 * MiB)).toBe(true);
    const whole = generateLogBuffer({ bytes: 3 * MiB, seed: 9 });
    expect(Buffer.concat(chunks).equals(whole.buffer)).toBe(true);
    expect(log.truth).toEqual(whole.truth);
  });

  it('writes to a stream with backpressure and resolves with the truth', async () => {
    const options = { bytes: 2.5 * MiB, seed: 10 };
    const received: Buffer[] = [];
    const sink = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _encoding, done) {
        received.push(chunk);
        setImmediate(done);
      },
    });
    const truth = await generateLog(options).writeTo(sink);
    const expected = generateLogBuffer(options);
    expect(truth).toEqual(expected.truth);
    expect(Buffer.concat(received).equals(expected.buffer)).toBe(true);
  });

  it('writes a plain or gzipped file with the same truth', async () => {
    const options = { bytes: 1.5 * MiB, seed: 11 };
    const expected = generateLogBuffer(options);
    const plain = join(dir, 'plain.log');
    const gzipped = join(dir, 'gzipped.log.gz');
    expect(await writeLogFile(plain, options)).toEqual(expected.truth);
    expect(await writeLogFile(gzipped, { ...options, gzip: true })).toEqual(expected.truth);
    expect((await readFile(plain)).equals(expected.buffer)).toBe(true);
    expect(gunzipSync(await readFile(gzipped)).equals(expected.buffer)).toBe(true);
  });

  it('can end without a final newline', () => {
    const { buffer, truth } = generateLogBuffer({
      bytes: 64 * 1024,
      seed: 5,
      finalNewline: false,
      bom: true,
    });
    expect(buffer.at(-1)).not.toBe(0x0a);
    expect(buffer.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf]))).toBe(true);
    expect(referenceCounts(buffer)).toEqual(countsOf(truth));
  });

  it('writes nothing for 0 bytes, and refuses a bad size', () => {
    const { buffer, truth } = generateLogBuffer({ bytes: 0, seed: 1 });
    expect(buffer.length).toBe(0);
    expect(truth.lines).toBe(0);
    expect(() => generateLog({ bytes: -1, seed: 1 })).toThrow(/bytes/);
    expect(() => generateLog({ bytes: 10, seed: 1.5 })).toThrow(/seed/);
  });

  it('parses sizes the way the CLI takes them', () => {
    expect(parseSize('50M')).toBe(50 * MiB);
    expect(parseSize('1G')).toBe(1024 * MiB);
    expect(parseSize('256K')).toBe(256 * 1024);
    expect(parseSize('1000')).toBe(1000);
    expect(() => parseSize('lots')).toThrow(/--bytes/);
  });

  it('has a CLI that writes the log and its truth', async () => {
    const out = join(dir, 'cli.log');
    const truthFile = join(dir, 'cli.json');
    const script = startScript(tsxBin, [
      'test/fixtures/logs/generate.ts',
      '--bytes',
      '300K',
      '--seed',
      '5',
      '--out',
      out,
      '--truth',
      truthFile,
    ]);
    const result = await script.done(30_000);
    expect(result.exitCode, result.stderr).toBe(0);
    const expected = generateLogBuffer({ bytes: 300 * 1024, seed: 5 });
    expect(JSON.parse(await readFile(truthFile, 'utf8'))).toEqual(expected.truth);
    expect((await readFile(out)).equals(expected.buffer)).toBe(true);
  });
});
