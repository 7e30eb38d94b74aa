import type { ZodError } from 'zod';
import { safeGet } from '../internal/json-safe.js';
import { ConfigError } from './classes.js';
import type { CodesOf } from './codes.js';

/** Options of {@link fromZodError}. */
export interface FromZodErrorOptions {
  /** What was validated, named in the message: a file path, `options of run()`, `--port`. */
  source?: string;
  /** The value that was validated; lets the message show what was received at each path. */
  input?: unknown;
  /**
   * The code of the resulting error.
   * @default 'SRE_CONFIG_INVALID'
   */
  code?: CodesOf<'ConfigError'>;
}

type Issue = ZodError['issues'][number];

/**
 * Turns a zod failure into a `ConfigError` whose message names each bad path, what was
 * expected and what was received, for example
 * `Invalid hosts.yaml: hosts[3].port: expected number, received "22a"`.
 * `details.issues` lists `{ path, message }` for each problem.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { fromZodError } from 'sre-kit/errors';
 *
 * const Config = z.object({ port: z.number() });
 * const input = JSON.parse('{"port":"80"}');
 * const parsed = Config.safeParse(input);
 * if (!parsed.success) throw fromZodError(parsed.error, { source: 'app.json', input });
 * ```
 */
export function fromZodError(error: ZodError, options: FromZodErrorOptions = {}): ConfigError {
  const issues = error.issues.map((issue) => ({
    path: formatPath(issue.path),
    message: describeIssue(issue, options),
  }));
  const shown = issues.slice(0, 10).map((issue) => `${issue.path}: ${issue.message}`);
  if (issues.length > 10) shown.push(`and ${issues.length - 10} more`);
  const prefix = options.source === undefined ? 'Invalid input' : `Invalid ${options.source}`;
  return new ConfigError(options.code ?? 'SRE_CONFIG_INVALID', `${prefix}: ${shown.join('; ')}`, {
    cause: error,
    details: { ...(options.source === undefined ? {} : { source: options.source }), issues },
  });
}

/**
 * Formats a JSON path for messages; the empty path is `(root)`.
 *
 * @example
 * ```ts
 * import { formatPath } from 'sre-kit/errors';
 *
 * formatPath(['hosts', 3, 'port']); // 'hosts[3].port'
 * ```
 */
export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][\w$-]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

function describeIssue(issue: Issue, options: FromZodErrorOptions): string {
  if (issue.code === 'invalid_type') {
    const received =
      'input' in issue ? { found: true, value: issue.input } : lookup(options.input, issue.path);
    if (!received.found) {
      // Without the input (no `input` option, no `reportInput`), zod's own text still says
      // what it got ("expected number, received string"); only "received undefined" is a missing key.
      const text = issue.message.replace(/^Invalid input: /, '');
      return text.endsWith('received undefined') ? `required, expected ${issue.expected}` : text;
    }
    if (received.value === undefined) return `required, expected ${issue.expected}`;
    return `expected ${issue.expected}, received ${describeReceived(received.value)}`;
  }
  return issue.message.replace(/^Invalid input: /, '');
}

function lookup(input: unknown, path: readonly PropertyKey[]): { found: boolean; value?: unknown } {
  if (input === undefined) return { found: false };
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return { found: false };
    current = safeGet(() => (current as Record<PropertyKey, unknown>)[key]);
  }
  return { found: true, value: current };
}

function describeReceived(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return `${typeof value} ${String(value)}`;
}
