import { FileError } from '../errors/index.js';
import type { JsonValue } from '../internal/json-safe.js';

/** How a JSON file is laid out, so that a rewrite keeps it. */
export interface JsonFormat {
  indent: string | number;
  finalNewline: boolean;
  bom: boolean;
}

/**
 * Parses JSON text. Invalid JSON, an empty file and a file of NUL bytes are all errors that
 * name the line and column: nothing is ever read as `{}`.
 */
export function parseJsonText(text: string, path: string): JsonValue {
  const body = text.startsWith('\uFEFF') ? text.slice(1) : text;
  if (body.trim() === '') {
    throw new FileError(
      'SRE_FILE_INVALID_JSON',
      `${path} is not valid JSON: the file is empty${text.length > 0 ? ' (whitespace only)' : ''}`,
      {
        details: { path, line: 1, column: 1, size: text.length },
      },
    );
  }
  try {
    return JSON.parse(body) as JsonValue;
  } catch (error) {
    const match = /at position (\d+)/.exec((error as Error).message);
    const position = match ? Number(match[1]) : body.length;
    const before = body.slice(0, position).split('\n');
    const line = before.length;
    const column = (before.at(-1)?.length ?? 0) + 1;
    const reason = (error as Error).message
      .replace(/ in JSON at position \d+.*$/s, '')
      .replace(/^Unexpected token '?\u0000'?,.*$/s, 'Unexpected NUL byte');
    throw new FileError('SRE_FILE_INVALID_JSON', `${path}:${line}:${column}: not valid JSON: ${reason}`, {
      cause: error,
      details: { path, line, column },
    });
  }
}

/** Reads the indentation, final newline and BOM of existing JSON text. */
export function detectFormat(text: string): JsonFormat {
  const indent = /^[{[][ \t]*\r?\n([ \t]+)\S/.exec(text.replace(/^\uFEFF/, ''))?.[1];
  const compact = !/\n/.test(text.trimEnd());
  return {
    indent: indent ?? (compact ? 0 : 2),
    finalNewline: text.endsWith('\n'),
    bom: text.startsWith('\uFEFF'),
  };
}

/** The default layout of a new file: two spaces and a final newline. */
export const DEFAULT_FORMAT: JsonFormat = { indent: 2, finalNewline: true, bom: false };

/** Serialises a value in the given layout. */
export function formatJson(value: unknown, format: JsonFormat): string {
  const body = JSON.stringify(value, null, format.indent);
  return `${format.bom ? '\uFEFF' : ''}${body}${format.finalNewline ? '\n' : ''}`;
}
