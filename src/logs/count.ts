import { open } from 'node:fs/promises';
import { ConfigError, FileError, isSreError } from '../errors/index.js';
import { createTotals, LineCounter, type Totals } from './counter.js';
import { ChunkFeeder } from './feed.js';
import { type LevelOptions, setUp } from './options.js';
import { countInRanges, PARALLEL_MIN_BYTES } from './parallel.js';
import { type LogSource, readSource, sourceName } from './source.js';

/** Options of {@link countLevels}. */
export interface CountLevelsOptions extends LevelOptions {
  /** `'lines'`: one level per line. `'occurrences'`: every level word counts (the textbook regex count). @default 'lines' */
  mode?: 'lines' | 'occurrences';
  /**
   * Count a large plain file (64 MiB and more) in byte ranges on worker threads, one per
   * core. Gzip files, streams and counts with a time window or `multiline` (where a line
   * depends on the lines above it) are counted on the calling thread whatever this says.
   * @default false
   */
  parallel?: boolean;
}

/** Counts of one source, or of all together. */
export interface LevelTotals {
  /** Lines per canonical level (every level is present, zeros included). */
  levels: Record<string, number>;
  lines: number;
  /** Lines with no level, or one that names no known level. */
  unmatchedLines: number;
  /** Decompressed bytes read. */
  bytes: number;
  /** Level values that name no level (a numeric level outside the convention, `level=verbose`…), by value. */
  unrecognized: Record<string, number>;
}

/** What {@link countLevels} found: the totals, and with several sources each one's. */
export interface LevelCounts extends LevelTotals {
  files?: Array<LevelTotals & { source: string }>;
}

/**
 * Counts log lines per level over files (plain or gzip, several concatenated members too),
 * Buffers or streams, at the speed of the disk and with flat memory.
 *
 * A line's level, exactly:
 * 1. Lines end at `\n` (a `\r` before it is dropped); a BOM on the first line is ignored.
 * 2. A line whose first non-blank character is `{` and that is one valid JSON object takes
 *    its level from the first of `level`, `lvl`, `severity`, `log.level` (nested or dotted),
 *    `@l`, `levelname`, `severityText`, `PRIORITY`: a level word in any case, or a number
 *    (pino by default, see `numericLevels`; `PRIORITY` is syslog). Docker's
 *    `{"log": "…", "stream": …}` wrapper is unwrapped first; Serilog's `@t` without `@l` is INFO.
 * 3. A text line starting with syslog's `<PRI>` takes the severity in it.
 * 4. A text line with a logfmt `level=` or `lvl=` key takes its value.
 * 5. Otherwise: the first whole-word level token — a run of ASCII letters with no letter,
 *    digit, `_` or non-ASCII byte beside it, written UPPER, lower or Title case — so
 *    `[ERROR]`, `error:` and `level=info` count and `INFORMATION`, `ERRORS`, `ERROR_RATE`,
 *    `info2` do not. WARN, ERR, FATAL, CRIT, EMERG and ALERT fold into WARNING, ERROR and
 *    CRITICAL.
 * A value that names no level is counted in `unrecognized`, never guessed.
 *
 * @throws `SRE_FILE_NOT_FOUND`, `SRE_FILE_CORRUPT` (a truncated gzip file; `details` has the
 *   counts up to where it broke), `SRE_USAGE` for bad options, `SRE_ABORTED`.
 *
 * @example
 * ```ts
 * import { countLevels } from 'sre-kit/logs';
 *
 * const counts = await countLevels(['/var/log/app.log', '/var/log/app.log.1.gz'], { since: '2024-03-01T02:00:00Z' });
 * console.log(counts.levels.ERROR, counts.files?.map((f) => f.source));
 * ```
 */
export async function countLevels(
  source: LogSource | readonly LogSource[],
  options: CountLevelsOptions = {},
): Promise<LevelCounts> {
  const { table, classifier, window } = setUp('countLevels', options);
  const sources = Array.isArray(source) ? (source as readonly LogSource[]) : [source as LogSource];
  for (const [index, each] of sources.entries()) {
    const ok =
      typeof each === 'string' ||
      each instanceof Uint8Array ||
      (typeof each === 'object' && each !== null && Symbol.asyncIterator in each);
    if (!ok)
      throw new ConfigError(
        'SRE_USAGE',
        `countLevels(): source ${index} must be a path, a Buffer or a readable stream, received ${each === null ? 'null' : typeof each}`,
      );
  }
  const all = createTotals(table.names.length);
  const files: Array<LevelTotals & { source: string }> = [];
  for (const [index, each] of sources.entries()) {
    const totals = createTotals(table.names.length);
    const counter = new LineCounter(table, classifier, options.mode === 'occurrences', totals, window);
    const name = sourceName(each, index);
    const size =
      options.parallel && window === undefined && typeof each === 'string' ? await plainFileSize(each) : 0;
    if (size >= PARALLEL_MIN_BYTES) {
      const { parallel: _, mode: __, ...levelOptions } = options;
      for (const part of await countInRanges(
        each as string,
        size,
        levelOptions,
        options.mode === 'occurrences',
      ))
        add(totals, part);
    } else {
      await countSource(each, name, counter, options.signal, () => toResult(table.names, totals));
    }
    files.push({ source: name, ...toResult(table.names, totals) });
    add(all, totals);
  }
  const result: LevelCounts = toResult(table.names, all);
  if (sources.length > 1) result.files = files;
  return result;
}

async function countSource(
  source: LogSource,
  name: string,
  counter: LineCounter,
  signal: AbortSignal | undefined,
  partial: () => LevelTotals,
): Promise<void> {
  counter.startSource();
  const feeder = new ChunkFeeder(counter);
  try {
    // Chunks are reused buffers: the feeder keeps only the unfinished line, as a copy.
    for await (const chunk of readSource(source, signal, true)) {
      counter.totals.bytes += chunk.length;
      feeder.push(chunk);
    }
  } catch (error) {
    // A damaged gzip stream (zlib's Z_* codes) is the file's fault; anything else is thrown as is.
    const code = (error as NodeJS.ErrnoException).code;
    if (isSreError(error) || typeof code !== 'string' || !code.startsWith('Z_')) throw error;
    throw new FileError(
      'SRE_FILE_CORRUPT',
      `Cannot read ${name} to the end: ${(error as Error).message} (after ${counter.totals.bytes} bytes)`,
      {
        cause: error,
        details: {
          source: name,
          bytesRead: counter.totals.bytes,
          counts: partial() as unknown as Record<string, unknown>,
        },
      },
    );
  }
  feeder.end();
}

/** The size of a file that is not gzip, or 0 (gzip, or unreadable: the normal path reports it). */
async function plainFileSize(path: string): Promise<number> {
  try {
    const handle = await open(path, 'r');
    try {
      const head = Buffer.alloc(2);
      await handle.read(head, 0, 2, 0);
      return head[0] === 0x1f && head[1] === 0x8b ? 0 : (await handle.stat()).size;
    } finally {
      await handle.close();
    }
  } catch {
    return 0;
  }
}

function add(into: Totals, from: Totals): void {
  for (let i = 0; i < from.counts.length; i++) into.counts[i]! += from.counts[i]!;
  into.lines += from.lines;
  into.unmatchedLines += from.unmatchedLines;
  into.bytes += from.bytes;
  for (const [value, count] of from.unrecognized)
    into.unrecognized.set(value, (into.unrecognized.get(value) ?? 0) + count);
}

function toResult(names: readonly string[], totals: Totals): LevelTotals {
  return {
    levels: Object.fromEntries(names.map((name, index) => [name, totals.counts[index]!])),
    lines: totals.lines,
    unmatchedLines: totals.unmatchedLines,
    bytes: totals.bytes,
    unrecognized: Object.fromEntries(totals.unrecognized),
  };
}
