import { type JsonObject, safeGet, safeString, toJsonSafe } from '../internal/json-safe.js';
import { hasBrand } from './brand.js';

/**
 * The JSON form of an error and its cause chain. `kind` says what was thrown: an sre-kit
 * error, another `Error`, an `AggregateError`, or a value that is not an Error at all.
 */
export interface SerializedError {
  kind: 'sre' | 'error' | 'aggregate' | 'value';
  name: string;
  message: string;
  code?: string;
  retryable?: boolean;
  exitCode?: number;
  details?: JsonObject;
  stack?: string;
  cause?: SerializedError;
  errors?: SerializedError[];
}

const MAX_CHAIN = 32;

/**
 * Turns any thrown value into JSON, cause chain and aggregated errors included. Cycles end
 * in a `[Circular]` link; getters that throw are read as `[unreadable: …]`.
 */
export function serializeError(value: unknown, seen: Set<unknown> = new Set()): SerializedError {
  if (!(value instanceof Error) && !hasBrand(value)) {
    return { kind: 'value', name: 'NonError', message: describeValue(value) };
  }
  if (seen.has(value) || seen.size >= MAX_CHAIN) {
    return { kind: 'value', name: 'Circular', message: '[Circular: this cause was already shown above]' };
  }
  seen.add(value);
  const error = value as Error & Record<string, unknown>;
  const sre = hasBrand(error);
  const errors = safeGet(() => error.errors);
  const out: SerializedError = {
    kind: sre ? 'sre' : Array.isArray(errors) ? 'aggregate' : 'error',
    name: safeString(() => error.name),
    message: safeString(() => error.message),
  };
  const code = safeGet(() => error.code);
  if (typeof code === 'string' || typeof code === 'number') out.code = String(code);
  if (sre) {
    out.retryable = safeGet(() => error.retryable) === true;
    const exitCode = safeGet(() => error.exitCode);
    if (typeof exitCode === 'number') out.exitCode = exitCode;
    out.details = (toJsonSafe(safeGet(() => error.details) ?? {}) as JsonObject | undefined) ?? {};
  }
  const stack = safeGet(() => error.stack);
  if (typeof stack === 'string') out.stack = stack;
  if (Array.isArray(errors)) out.errors = errors.map((item) => serializeError(item, new Set(seen)));
  const hasCause = safeGet(() => 'cause' in error) === true;
  if (hasCause) {
    let cause: unknown;
    try {
      cause = error.cause;
    } catch (readError) {
      cause = new Error(`[unreadable cause: ${safeString(() => (readError as Error).message)}]`);
    }
    out.cause = serializeError(cause, seen);
  }
  return out;
}

/** A short, safe description of a thrown non-Error value. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'string')
    return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value);
  if (typeof value === 'object') {
    const json = safeGet(() => JSON.stringify(toJsonSafe(value)));
    return json === undefined ? '[object]' : json.length > 200 ? `${json.slice(0, 200)}…` : json;
  }
  return safeString(() => String(value));
}
