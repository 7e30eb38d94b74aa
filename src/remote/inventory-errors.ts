import type { ZodError } from 'zod';
import { ConfigError, formatPath, fromZodError } from '../errors/index.js';
import type { TextPosition } from './inventory-text.js';

/** One problem of an invalid inventory, as listed in the error's `details.issues`. */
export interface InventoryIssue {
  /** The path in the data, e.g. `hosts[3].port`. */
  readonly path: string;
  readonly message: string;
  /** The host entry the problem is in: its index in `hosts` and its name when it has one. */
  readonly entry?: { readonly index: number; readonly name?: string };
  /** The field inside the entry, e.g. `port` or `groups[1]`. */
  readonly field?: string;
  readonly line?: number;
  readonly column?: number;
}

/**
 * Turns a failed inventory validation into one `SRE_CONFIG_INVALID` error naming the file,
 * and for each problem the line, the entry (index and name) and the field, e.g.
 * `Invalid inventory hosts.yaml: line 14: hosts[3] (web-4).port: expected number, received "22a"`.
 * The error of fromZodError (which holds the ZodError) is the cause.
 */
export function toInventoryError(
  error: ZodError,
  source: string,
  input: unknown,
  locate: (path: readonly PropertyKey[]) => TextPosition | undefined,
): ConfigError {
  const base = fromZodError(error, { source, input });
  const described = base.details.issues as { path: string; message: string }[];
  const entries = Array.isArray(input) ? input : (input as { hosts?: unknown } | null)?.hosts;
  const issues = error.issues.map((issue, at): InventoryIssue => {
    const message = described[at]?.message ?? issue.message;
    const position = locate(issue.path);
    const located =
      position === undefined
        ? {}
        : { line: position.line, ...(position.column === undefined ? {} : { column: position.column }) };
    const [first, index] = issue.path;
    if (first !== 'hosts' || typeof index !== 'number')
      return { path: formatPath(issue.path), message, ...located };
    const name = Array.isArray(entries) ? (entries[index] as { name?: unknown } | null)?.name : undefined;
    const rest = issue.path.slice(2);
    return {
      path: formatPath(issue.path),
      message,
      entry: typeof name === 'string' && name !== '' ? { index, name } : { index },
      ...(rest.length === 0 ? {} : { field: formatPath(rest) }),
      ...located,
    };
  });
  const shown = issues.slice(0, 10).map(render);
  if (issues.length > 10) shown.push(`and ${issues.length - 10} more`);
  return new ConfigError('SRE_CONFIG_INVALID', `Invalid inventory ${source}: ${shown.join('; ')}`, {
    cause: base,
    details: { source, issues },
  });
}

function render(issue: InventoryIssue): string {
  const line = issue.line === undefined ? '' : `line ${issue.line}: `;
  if (issue.entry === undefined) return `${line}${issue.path}: ${issue.message}`;
  const name = issue.entry.name === undefined ? '' : ` (${issue.entry.name})`;
  const field =
    issue.field === undefined ? '' : issue.field.startsWith('[') ? issue.field : `.${issue.field}`;
  return `${line}hosts[${issue.entry.index}]${name}${field}: ${issue.message}`;
}
