import { stringify } from 'csv-stringify/sync';
import { z } from 'zod';
import { fromZodError } from '../errors/index.js';
import type { HostResult } from './types.js';
import { flattenResult, inferColumns, toCellText } from './writers-csv.js';

/** Options of {@link toJSON}. */
export interface ToJsonOptions {
  /** Spaces of indentation; 0 writes one line. @default 2 */
  indent?: number;
}

/**
 * Results as a JSON array. For an array of results, the whole text; for an async iterable
 * (`collectStream`), the same text in pieces, one per result as it arrives, so a long run
 * is written as it goes (`writeAtomic` takes either).
 *
 * @example
 * ```ts
 * import { writeAtomic } from 'sre-kit/fs';
 * import { collect, collectStream, toJSON } from 'sre-kit/remote';
 *
 * await writeAtomic('results.json', toJSON(await collect(hosts, { metrics: ['cpu'] })));
 * await writeAtomic('results.json', toJSON(collectStream(hosts, { metrics: ['cpu'] })));
 * ```
 */
export function toJSON(results: Iterable<HostResult>, options?: ToJsonOptions): string;
export function toJSON(
  results: AsyncIterable<HostResult>,
  options?: ToJsonOptions,
): AsyncGenerator<string, void, undefined>;
export function toJSON(
  results: Iterable<HostResult> | AsyncIterable<HostResult>,
  options: ToJsonOptions = {},
): string | AsyncGenerator<string, void, undefined> {
  const indent =
    validate('toJSON', z.strictObject({ indent: z.int().min(0).max(10).optional() }), options).indent ?? 2;
  if (isAsync(results)) return jsonPieces(results, indent);
  return `${JSON.stringify([...results], null, indent)}\n`;
}

async function* jsonPieces(
  results: AsyncIterable<HostResult>,
  indent: number,
): AsyncGenerator<string, void, undefined> {
  // Byte for byte what JSON.stringify gives for the whole array: each element indented one level.
  const pad = ' '.repeat(indent);
  const newline = indent === 0 ? '' : '\n';
  let first = true;
  for await (const result of results) {
    const body = JSON.stringify(result, null, indent).replaceAll('\n', `\n${pad}`);
    yield `${first ? '[' : ','}${newline}${pad}${body}`;
    first = false;
  }
  yield first ? '[]\n' : `${newline}]\n`;
}

/**
 * Results as NDJSON: one line of JSON per result, each ending in `\n`. Lazy: from an
 * async iterable (`collectStream`), each line is yielded as its result arrives.
 *
 * @example
 * ```ts
 * import { collectStream, toNDJSON } from 'sre-kit/remote';
 *
 * for await (const line of toNDJSON(collectStream(hosts, { commands: { kernel: 'uname -r' } }))) {
 *   process.stdout.write(line);
 * }
 * ```
 */
export function toNDJSON(results: Iterable<HostResult>): Generator<string, void, undefined>;
export function toNDJSON(results: AsyncIterable<HostResult>): AsyncGenerator<string, void, undefined>;
export function toNDJSON(
  results: Iterable<HostResult> | AsyncIterable<HostResult>,
): Generator<string, void, undefined> | AsyncGenerator<string, void, undefined> {
  if (isAsync(results)) {
    return (async function* () {
      for await (const result of results) yield `${JSON.stringify(result)}\n`;
    })();
  }
  return (function* () {
    for (const result of results) yield `${JSON.stringify(result)}\n`;
  })();
}

/** Options of {@link toCSV}. */
export interface CsvOptions {
  /**
   * Exactly these columns, by flattened name: `host`, `ok`, `startedAt`, `durationMs`,
   * `error.code`, `error.message`, `cpu.percent`, `memory.usedPercent`, `load.load1`,
   * `uptime.seconds`, `os.kernelRelease`, `disk./var.usePercent`,
   * `commands.<name>.exitCode` (or `.stdout`, `.stderr`, `.durationMs`), `metrics.errors`…
   * @default the base columns, every metric the results have, and `mounts` and `commands`
   */
  columns?: readonly string[];
  /** The mount points whose `usePercent` and `availableBytes` get columns; `'all'` for every one seen. @default ['/'] */
  mounts?: readonly string[] | 'all';
  /** The commands whose exit codes get columns. @default those the results ran */
  commands?: readonly string[];
  /** Write the header row. @default true */
  header?: boolean;
  /** @default ',' */
  delimiter?: string;
}

const CsvOptionsSchema = z.strictObject({
  columns: z.array(z.string().min(1)).min(1).optional(),
  mounts: z.union([z.literal('all'), z.array(z.string().min(1))]).optional(),
  commands: z.array(z.string().min(1)).optional(),
  header: z.boolean().optional(),
  delimiter: z
    .string()
    .length(1)
    .regex(/^[^"\r\n]$/, 'a delimiter is one character, not a quote or newline')
    .optional(),
});

/**
 * Results as CSV (csv-stringify), one row per host with the metrics flattened into columns
 * (`cpu.percent`, `memory.usedPercent`, `disk./.usePercent`, `commands.<name>.exitCode`),
 * the failure in `error.code` and `error.message`, and failed metrics in `metrics.errors`.
 * Cells that a spreadsheet would run as a formula (starting with `= + - @`, tab, CR or LF)
 * get a leading `'`; numbers are left as they are. Yields the header, then one piece per
 * row. The columns, unless given, come from all the results of an array; from an async
 * iterable (`collectStream`), from the first host that is ok: rows of failed hosts that
 * arrive before it wait for it, and the rest are written as they arrive.
 *
 * @throws `SRE_USAGE` for bad options.
 *
 * @example
 * ```ts
 * import { writeAtomic } from 'sre-kit/fs';
 * import { collectStream, toCSV } from 'sre-kit/remote';
 *
 * const results = collectStream(hosts, { metrics: ['cpu', 'memory', 'disk'], commands: { kernel: 'uname -r' } });
 * await writeAtomic('metrics.csv', toCSV(results, { mounts: ['/', '/var'] }));
 * ```
 */
export function toCSV(
  results: Iterable<HostResult>,
  options?: CsvOptions,
): Generator<string, void, undefined>;
export function toCSV(
  results: AsyncIterable<HostResult>,
  options?: CsvOptions,
): AsyncGenerator<string, void, undefined>;
export function toCSV(
  results: Iterable<HostResult> | AsyncIterable<HostResult>,
  options: CsvOptions = {},
): Generator<string, void, undefined> | AsyncGenerator<string, void, undefined> {
  const valid = validate('toCSV', CsvOptionsSchema, options);
  const choice = { mounts: valid.mounts ?? ['/'], commands: valid.commands };
  const line = (cells: readonly string[]): string =>
    stringify([cells], { delimiter: valid.delimiter ?? ',', record_delimiter: '\n' });
  const header = valid.header ?? true;
  const start = (known: readonly HostResult[]): { columns: string[]; text: string } => {
    const columns = valid.columns ? [...valid.columns] : inferColumns(known, choice);
    return { columns, text: header ? line(columns.map(toCellText)) : '' };
  };
  const row = (columns: readonly string[], result: HostResult): string => {
    const cells = flattenResult(result);
    return line(columns.map((column) => toCellText(cells.get(column))));
  };
  if (!isAsync(results)) {
    return (function* () {
      const all = [...results];
      const { columns, text } = start(all);
      if (text !== '') yield text;
      for (const result of all) yield row(columns, result);
    })();
  }
  return (async function* () {
    let columns: string[] | undefined = valid.columns ? [...valid.columns] : undefined;
    const waiting: HostResult[] = [];
    if (columns !== undefined && header) yield line(columns.map(toCellText));
    for await (const result of results) {
      if (columns !== undefined) {
        yield row(columns, result);
        continue;
      }
      waiting.push(result);
      if (!result.ok) continue;
      const started = start(waiting);
      columns = started.columns;
      yield started.text + waiting.map((held) => row(started.columns, held)).join('');
      waiting.length = 0;
    }
    if (columns === undefined) {
      const started = start(waiting);
      const text = started.text + waiting.map((held) => row(started.columns, held)).join('');
      if (text !== '') yield text;
    }
  })();
}

function isAsync<T>(value: Iterable<T> | AsyncIterable<T>): value is AsyncIterable<T> {
  return typeof (value as AsyncIterable<T>)[Symbol.asyncIterator] === 'function';
}

function validate<S extends z.ZodType>(fn: string, schema: S, options: unknown): z.output<S> {
  const result = schema.safeParse(options);
  if (!result.success)
    throw fromZodError(result.error, { source: `${fn}() options`, input: options, code: 'SRE_USAGE' });
  return result.data;
}
