/**
 * Errors with stable codes, kept causes, a JSON form, a retryable flag and an exit code;
 * `main()`, which runs a script with signal handling and clean failure output; and
 * `parseCliArgs()`, which turns bad arguments into usage errors.
 *
 * @module errors
 */

export type { JsonObject, JsonValue } from '../internal/json-safe.js';
export type { Logger } from '../internal/logger.js';
export {
  AbortError,
  CommandError,
  ConfigError,
  createError,
  type ErrorForCode,
  ensureError,
  FileError,
  LockError,
  RemoteError,
  SecretError,
  SreError,
  type SreErrorOptions,
  TimeoutError,
} from './classes.js';
export { type CliSpec, parseCliArgs } from './cli.js';
export { type CodesOf, ERROR_CODES, type ErrorFamily, type SreErrorCode } from './codes.js';
export { type FormatErrorOptions, formatError } from './format.js';
export { hasCode, isSreError } from './guards.js';
export { type MainContext, type MainOptions, main } from './main.js';
export { isRetryable } from './retryable.js';
export type { SerializedError } from './serialize.js';
export { type FromZodErrorOptions, formatPath, fromZodError } from './zod.js';
