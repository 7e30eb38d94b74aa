import { flattenBatches } from '../internal/batches.js';
import { NO_LEVEL } from './classify.js';
import { createFields, KEY, readJsonFields } from './json-line.js';
import { type LevelOptions, setUp } from './options.js';
import { type LogSource, readSource } from './source.js';
import { parseJsonTime, parseLineTime } from './time.js';

/** Options of {@link scanLog}. */
export interface ScanLogOptions extends LevelOptions {
  /** Only entries of these levels (canonical names). */
  levels?: readonly string[];
  /** Only entries of this level and above, by severity. */
  minLevel?: string;
  /** Only entries whose text matches. */
  match?: RegExp;
}

/** One entry of a log: a line, or with `multiline` a line and the lines that continue it. */
export interface LogEntry {
  /** 1-based number of the entry's first line. */
  lineNumber: number;
  /** Canonical level name, or `null` when the line has none. */
  level: string | null;
  /** ISO time of the entry (its own or inherited from the line above), or `null`. */
  timestamp: string | null;
  /** The entry's text, decoded as UTF-8 (invalid bytes become U+FFFD); lines joined by `\n`. */
  text: string;
}

/**
 * Reads a log (plain or gzip, a path, Buffer or stream) and yields the entries that pass
 * the filters, with their line numbers, in order. Levels are decided exactly as
 * `countLevels` decides them; `since`/`until` use the entry's timestamp (inherited by lines
 * without one). Only matching lines are decoded to strings.
 *
 * @example
 * ```ts
 * import { scanLog } from 'sre-kit/logs';
 *
 * for await (const entry of scanLog('/var/log/app.log.1.gz', { minLevel: 'ERROR', since: '2024-03-01T02:00:00Z' })) {
 *   console.log(`${entry.lineNumber}: ${entry.text}`);
 * }
 * ```
 */
export function scanLog(
  source: LogSource,
  options: ScanLogOptions = {},
): AsyncGenerator<LogEntry, void, undefined> {
  return flattenBatches(scanBatches(source, options));
}

async function* scanBatches(
  source: LogSource,
  options: ScanLogOptions,
): AsyncGenerator<LogEntry[], void, undefined> {
  const { table, classifier } = setUp('scanLog', options);
  const wanted = new Set<number>();
  const minIndex = options.minLevel === undefined ? 0 : table.names.indexOf(options.minLevel.toUpperCase());
  if (minIndex === -1)
    throw new TypeError(`scanLog(): minLevel ${options.minLevel} is not one of ${table.names.join(', ')}`);
  for (const [index, name] of table.names.entries()) {
    if (
      index >= minIndex &&
      (options.levels === undefined || options.levels.some((level) => level.toUpperCase() === name))
    )
      wanted.add(index);
  }
  const levelFilter = options.levels !== undefined || options.minLevel !== undefined;
  const since = options.since === undefined ? Number.NEGATIVE_INFINITY : new Date(options.since).getTime();
  const until = options.until === undefined ? Number.POSITIVE_INFINITY : new Date(options.until).getTime();
  if (Number.isNaN(since) || Number.isNaN(until))
    throw new TypeError('scanLog(): since and until must be valid dates');
  const year = options.year ?? new Date().getUTCFullYear();
  const fields = createFields();
  let lineNumber = 0;
  let time = Number.NaN;
  let entry: { lineNumber: number; level: number; time: number; parts: Buffer[] } | undefined;
  const finish = (into: LogEntry[]) => {
    if (entry === undefined) return;
    const current = entry;
    entry = undefined;
    if (levelFilter && !wanted.has(current.level)) return;
    if (
      !(current.time >= since && current.time < until) &&
      (options.since !== undefined || options.until !== undefined)
    )
      return;
    const text = current.parts.map((part) => part.toString('utf8')).join('\n');
    if (options.match && !options.match.test(text)) return;
    into.push({
      lineNumber: current.lineNumber,
      level: current.level >= 0 ? table.names[current.level]! : null,
      timestamp: Number.isNaN(current.time) ? null : new Date(current.time).toISOString(),
      text,
    });
  };
  const onLine = (line: Buffer, into: LogEntry[]) => {
    lineNumber++;
    const end = line.length > 0 && line[line.length - 1] === 0x0d ? line.length - 1 : line.length;
    const body = line.subarray(0, end);
    let own = parseLineTime(body, 0, end, year);
    if (Number.isNaN(own) && body[0] === 0x7b && readJsonFields(body, 0, end, fields)) {
      for (const key of [KEY.time, KEY.timestamp, KEY['@t'], KEY.ts]) {
        if (fields.start[key] === -1) continue;
        own = parseJsonTime(body.toString('latin1', fields.start[key]!, fields.end[key]!));
        break;
      }
    }
    if (!Number.isNaN(own)) time = own;
    if (options.multiline && Number.isNaN(own) && entry !== undefined) {
      entry.parts.push(Buffer.from(body));
      return;
    }
    finish(into);
    const level = classifier.classify(body, 0, end);
    entry = { lineNumber, level: level >= 0 ? level : NO_LEVEL, time, parts: [Buffer.from(body)] };
    if (!options.multiline) finish(into);
  };
  let carry: Buffer | undefined;
  let first = true;
  for await (let chunk of readSource(source, options.signal)) {
    if (first && chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf) chunk = chunk.subarray(3);
    first = false;
    if (carry !== undefined) chunk = Buffer.concat([carry, chunk]);
    carry = undefined;
    const batch: LogEntry[] = [];
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      onLine(chunk.subarray(start, newline), batch);
      start = newline + 1;
    }
    if (start < chunk.length) carry = Buffer.from(chunk.subarray(start));
    if (batch.length > 0) yield batch;
  }
  const last: LogEntry[] = [];
  if (carry !== undefined) onLine(carry, last);
  finish(last);
  if (last.length > 0) yield last;
}
