import { CsvError, parse } from 'csv-parse/sync';
import { ConfigError } from '../errors/index.js';
import type { ParsedInventoryText, TextPosition } from './inventory-text.js';

/** The columns a CSV inventory may have; `name` is required, the others optional. */
export const CSV_COLUMNS = [
  'name',
  'host',
  'port',
  'user',
  'identityFile',
  'groups',
  'tags',
  'jump',
] as const;
const LISTS = new Set(['groups', 'tags']);

/**
 * Parses a CSV inventory: a header row naming the columns, one host per row, `groups` and
 * `tags` as `a;b` lists, empty cells meaning "not set". `#` lines are comments. The port
 * becomes a number when it is one, so that the schema can say what else it got.
 */
export function parseCsvInventory(text: string, source: string): ParsedInventoryText {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      comment: '#',
      comment_no_infix: true,
      // csv-parse's types do not model `info: true`, which turns each record into `{ record, info }`.
    }) as unknown as typeof records;
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const line = (error as CsvError & { lines?: number }).lines;
    throw new ConfigError(
      'SRE_CONFIG_INVALID',
      `${source}${line === undefined ? '' : `:${line}`}: not valid CSV: ${error.message}`,
      { cause: error, details: { source, ...(line === undefined ? {} : { line }), csvCode: error.code } },
    );
  }
  const [header, ...rows] = records;
  const columns = header === undefined ? [] : validateHeader(header.record, header.info.lines, source);
  const hosts = rows.map(({ record }) => {
    const entry: Record<string, unknown> = {};
    record.forEach((cell, index) => {
      const column = columns[index]!;
      if (cell === '') return;
      if (LISTS.has(column))
        entry[column] = cell
          .split(';')
          .map((item) => item.trim())
          .filter(Boolean);
      else if (column === 'port' && /^\d+$/.test(cell)) entry[column] = Number(cell);
      else entry[column] = cell;
    });
    return entry;
  });
  const lines = rows.map((row) => row.info.lines);
  const locate = (path: readonly PropertyKey[]): TextPosition | undefined => {
    const line = path[0] === 'hosts' && typeof path[1] === 'number' ? lines[path[1]] : undefined;
    return line === undefined ? undefined : { line };
  };
  return { data: { hosts }, locate };
}

function validateHeader(header: readonly string[], line: number, source: string): string[] {
  const fail = (problem: string): never => {
    throw new ConfigError(
      'SRE_CONFIG_INVALID',
      `${source}:${line}: ${problem}; the columns are ${CSV_COLUMNS.join(', ')} (name is required)`,
      { details: { source, line, header: [...header] } },
    );
  };
  const seen = new Set<string>();
  for (const column of header) {
    if (!(CSV_COLUMNS as readonly string[]).includes(column))
      fail(`unknown column ${JSON.stringify(column)}`);
    if (seen.has(column)) fail(`column ${JSON.stringify(column)} appears twice`);
    seen.add(column);
  }
  if (!seen.has('name')) fail('the header has no "name" column');
  return [...header];
}
