/**
 * Keep the users of a CSV file whose age is at least a minimum, streaming (any size of file)
 * and writing the result atomically: the output is the old file or the whole new one, never
 * half of it. A missing `age` column stops the run; a bad row (an age that is not a number,
 * the wrong number of columns) is skipped and reported with its line number.
 *
 *   npx tsx examples/filter-users-csv.ts --input users.csv --output adults.csv --min-age 18
 */
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify/sync';
import { ConfigError, FileError, main, parseCliArgs } from 'sre-kit/errors';
import { writeAtomic } from 'sre-kit/fs';
import { z } from 'zod';

const HELP = `Usage: filter-users-csv --input <users.csv> --output <file.csv> [--min-age 18]

Copies the header and every row whose "age" is at least --min-age to --output (replaced
atomically). Rows with an age that is not a number or with the wrong number of columns are
skipped and reported on stderr with their line numbers.

Options:
  --input <file>     the CSV to read; its header must have an "age" column
  --output <file>    where the kept rows go
  --min-age <n>      the lowest age kept (default 18)
  -h, --help         show this help`;

const Args = z.object({
  input: z.string({ error: 'required' }).min(1),
  output: z.string({ error: 'required' }).min(1),
  'min-age': z.coerce.number().int().nonnegative().default(18),
  help: z.boolean().default(false),
});

/** Reports the first few bad rows one per line; a file with a million of them must not flood the terminal. */
const MAX_REPORTED = 20;

/** What csv-parse yields with `info: true`. */
type ParsedRecord = { record: string[]; info: { lines: number } };

/** The records of a CSV file with the line each starts on; read and parse errors name the file. */
async function* readCsv(path: string): AsyncGenerator<{ record: string[]; line: number }> {
  // pipeline (not .pipe) hands a read error on to the parser, so the loop below sees it.
  const parser = pipeline(
    createReadStream(path),
    parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true }),
    () => {},
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<ParsedRecord>) {
      // info.lines is the line a record ends on; a quoted field can span lines.
      yield { record, line: info.lines - record.join('').split('\n').length + 1 };
    }
  } catch (error) {
    const { code, lines } = error as { code?: unknown; lines?: number };
    if (typeof code !== 'string') throw error;
    const options = { cause: error, details: { path } };
    if (code.startsWith('CSV_'))
      throw new ConfigError('SRE_DATA_INVALID', `${path}:${lines}: not valid CSV`, options);
    if (code === 'ENOENT') throw new FileError('SRE_FILE_NOT_FOUND', `No file at ${path}`, options);
    throw new FileError('SRE_FILE_IO', `Cannot read ${path}`, options);
  }
}

await main(async ({ argv, signal }) => {
  if (argv.includes('--help') || argv.includes('-h')) return console.log(HELP);
  const { values: args } = parseCliArgs(argv, {
    options: {
      input: { type: 'string' },
      output: { type: 'string' },
      'min-age': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
  });
  let total = 0;
  let kept = 0;
  const bad: number[] = [];

  async function* keptRows(): AsyncGenerator<string> {
    let header: string[] | undefined;
    let ageColumn = -1;
    let batch: string[][] = [];
    for await (const { record, line } of readCsv(args.input)) {
      if (header === undefined) {
        header = record;
        ageColumn = header.findIndex((name) => name.trim().toLowerCase() === 'age');
        if (ageColumn < 0) {
          throw new ConfigError(
            'SRE_DATA_INVALID',
            `${args.input}: the header has no "age" column (columns: ${header.join(', ')})`,
          );
        }
        yield stringify([header]);
        continue;
      }
      total++;
      const age = record[ageColumn]?.trim() ?? '';
      const problem =
        record.length !== header.length
          ? `${record.length} columns, the header has ${header.length}`
          : /^\d+(\.\d+)?$/.test(age)
            ? undefined
            : `age ${JSON.stringify(age)} is not a number`;
      if (problem) {
        if (bad.push(line) <= MAX_REPORTED) console.error(`${args.input}:${line}: skipped: ${problem}`);
        continue;
      }
      if (Number(age) < args['min-age']) continue;
      kept++;
      batch.push(record);
      if (batch.length === 1000) {
        yield stringify(batch);
        batch = [];
      }
    }
    if (header === undefined)
      throw new ConfigError('SRE_DATA_INVALID', `${args.input}: empty, no header row`);
    if (batch.length > 0) yield stringify(batch);
  }

  await writeAtomic(args.output, keptRows(), { signal });
  if (bad.length > MAX_REPORTED) console.error(`… and ${bad.length - MAX_REPORTED} more bad rows`);
  const skipped = bad.length === 0 ? '' : `; ${bad.length} bad rows skipped (see stderr)`;
  console.log(`${kept} of ${total} rows with age >= ${args['min-age']} written to ${args.output}${skipped}`);
});
