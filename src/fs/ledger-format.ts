import type { FileHandle } from 'node:fs/promises';
import { FileError } from '../errors/index.js';
import type { LedgerEntry } from './ledger-store.js';

/**
 * The first line of every ledger file. It marks the file as a ledger, so that a ledger path
 * pointed at some other file by mistake is refused instead of appended to, and it leaves
 * room for a later format.
 */
export const LEDGER_HEADER = '{"format":"sre-kit-ledger","version":1}\n';
const FORMAT = 'sre-kit-ledger';
const VERSION = 1;
const OUTCOMES: ReadonlySet<unknown> = new Set(['processed', 'failed', 'quarantined']);
const CHUNK_BYTES = 1 << 20;
const MAX_HEADER_BYTES = 4096;
const NEWLINE = 0x0a;

/** What a ledger file held when it was loaded. */
export interface LoadedLedger {
  /** The last entry of each identity. */
  entries: Map<string, LedgerEntry>;
  /** Entry lines in the file, skipped ones included (the header is not counted). */
  lines: number;
  /** Complete lines that did not parse as an entry; they are left out. */
  skippedLines: number;
  /** The first skipped line, for the report. */
  firstSkipped: { line: number; reason: string } | undefined;
  /** Whether the file holds a complete header line (false for an empty or torn-at-birth file). */
  hasHeader: boolean;
  /** Bytes up to the end of the last complete line. */
  validBytes: number;
  /** Bytes after the last newline: a write cut short by a crash. */
  tornBytes: number;
}

/** Why `value` is not a ledger entry (naming the field and what it held), or `undefined` when it is one. */
export function entryProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return `an entry must be an object, received ${show(value)}`;
  const entry = value as Record<string, unknown>;
  if (typeof entry.id !== 'string' || entry.id === '')
    return `id must be a non-empty string, received ${show(entry.id)}`;
  if (typeof entry.path !== 'string') return `path must be a string, received ${show(entry.path)}`;
  if (!OUTCOMES.has(entry.outcome))
    return `outcome must be 'processed', 'failed' or 'quarantined', received ${show(entry.outcome)}`;
  if (typeof entry.at !== 'string') return `at must be an ISO time string, received ${show(entry.at)}`;
  if (entry.attempts !== undefined && !(Number.isInteger(entry.attempts) && (entry.attempts as number) >= 0))
    return `attempts must be a non-negative integer, received ${show(entry.attempts)}`;
  const error = entry.error as Record<string, unknown> | null | undefined;
  if (
    error !== undefined &&
    (typeof error !== 'object' ||
      error === null ||
      typeof error.code !== 'string' ||
      typeof error.message !== 'string')
  )
    return `error must be an object with a string code and message, received ${show(error)}`;
  return undefined;
}

function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // a cycle or a BigInt
  }
  text ??= String(value);
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}

/**
 * Reads a ledger file in 1 MiB chunks. A line is committed once its newline is on disk: the
 * bytes after the last newline are a torn write and are left out (the caller truncates them).
 * A complete line that does not parse as an entry is skipped and counted; a first line that
 * is not the header means the file is not a ledger, and it is refused.
 *
 * @throws `SRE_FILE_CORRUPT` when the file is not a ledger or is of a newer format.
 */
export async function loadLedger(handle: FileHandle, path: string): Promise<LoadedLedger> {
  const loaded: LoadedLedger = {
    entries: new Map(),
    lines: 0,
    skippedLines: 0,
    firstSkipped: undefined,
    hasHeader: false,
    validBytes: 0,
    tornBytes: 0,
  };
  let lineNumber = 0;
  const take = (line: string) => {
    lineNumber++;
    if (lineNumber === 1) {
      checkHeader(line, path);
      loaded.hasHeader = true;
      return;
    }
    loaded.lines++;
    let value: unknown;
    let problem: string | undefined;
    try {
      value = JSON.parse(line);
      problem = entryProblem(value);
    } catch {
      problem = 'it is not valid JSON';
    }
    if (problem === undefined) {
      const entry = value as LedgerEntry;
      loaded.entries.set(entry.id, entry);
      return;
    }
    loaded.skippedLines++;
    loaded.firstSkipped ??= { line: lineNumber, reason: problem };
  };
  const { size } = await handle.stat();
  let carry = Buffer.alloc(0);
  // Bounded by the size the file had when the load began; the lock keeps writers out.
  for (let position = 0; position < size; ) {
    const chunk = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, size - position));
    const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
    if (bytesRead === 0) break;
    position += bytesRead;
    const data = carry.length > 0 ? Buffer.concat([carry, chunk.subarray(0, bytesRead)]) : chunk;
    const end = data.subarray(0, carry.length + bytesRead).lastIndexOf(NEWLINE);
    if (end >= 0) {
      // One decode per chunk: a newline never falls inside a multi-byte character.
      for (const line of data.toString('utf8', 0, end).split('\n')) take(line);
    }
    carry = data.subarray(end + 1, carry.length + bytesRead);
    loaded.validBytes = position - carry.length;
    // No header is that long: refuse before reading a whole foreign file into memory.
    if (lineNumber === 0 && carry.length > MAX_HEADER_BYTES) checkHeader('', path);
  }
  loaded.tornBytes = carry.length;
  // No complete line at all: a header torn while the file was being created, or some other file.
  if (!loaded.hasHeader && !LEDGER_HEADER.startsWith(carry.toString('utf8')))
    checkHeader(carry.toString('utf8'), path);
  return loaded;
}

function checkHeader(line: string, path: string): void {
  let header: { format?: unknown; version?: unknown } | undefined;
  try {
    header = JSON.parse(line) as typeof header;
  } catch {
    // reported below
  }
  if (header?.format !== FORMAT)
    throw new FileError(
      'SRE_FILE_CORRUPT',
      `${path} is not an sre-kit ledger (its first line is not the ledger header); refusing to append to it`,
      // The line itself stays out of the error: the path may name a file that holds secrets.
      { details: { path } },
    );
  if (header.version !== VERSION)
    throw new FileError(
      'SRE_FILE_CORRUPT',
      `${path} is a ledger of format version ${String(header.version)}; this version of sre-kit reads version ${VERSION}`,
      { details: { path, version: String(header.version) } },
    );
}
