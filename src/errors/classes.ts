import { type JsonObject, toJsonSafe } from '../internal/json-safe.js';
import { hasBrand, SRE_ERROR_BRAND } from './brand.js';
import { type CodesOf, ERROR_CODES, type ErrorFamily, isKnownCode, type SreErrorCode } from './codes.js';
import { describeValue, type SerializedError, serializeError } from './serialize.js';

/** What every error constructor takes besides its code and message. */
export interface SreErrorOptions {
  /** The error that caused this one; always kept. */
  cause?: unknown;
  /** JSON-safe context: paths, commands, exit codes. Never secret values. */
  details?: Record<string, unknown>;
  /** Overrides the code's default retryable flag. */
  retryable?: boolean;
  /** Overrides the code's default exit code. */
  exitCode?: number;
}

/**
 * The base of every error sre-kit throws: a stable `code`, the `cause` it wraps, JSON-safe
 * `details`, a `retryable` flag and the `exitCode` a script should end with. The codes and
 * their defaults are listed in {@link ERROR_CODES}.
 *
 * @example
 * ```ts
 * import { SreError } from 'sre-kit/errors';
 *
 * const error = new SreError('SRE_INTERNAL', 'The queue was empty after a successful take', {
 *   details: { queue: 'jobs' },
 * });
 * const copy = SreError.fromJSON(JSON.parse(JSON.stringify(error)));
 * ```
 */
export class SreError extends Error {
  declare readonly [SRE_ERROR_BRAND]: true;
  override name: string = 'SreError';
  /** The stable code: `SRE_` and the family. */
  readonly code: SreErrorCode;
  /** JSON-safe context of the failure. */
  readonly details: JsonObject;
  /** Whether trying again may succeed. */
  readonly retryable: boolean;
  /** The exit code a script ends with when this error ends it (sysexits.h). */
  readonly exitCode: number;

  constructor(code: SreErrorCode, message: string, options: SreErrorOptions = {}) {
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    Object.defineProperty(this, SRE_ERROR_BRAND, { value: true });
    const defaults = ERROR_CODES[code] ?? ERROR_CODES.SRE_INTERNAL;
    this.code = code;
    this.details = (toJsonSafe(options.details ?? {}) as JsonObject | undefined) ?? {};
    this.retryable = options.retryable ?? defaults.retryable;
    this.exitCode = options.exitCode ?? defaults.exitCode;
  }

  /** The whole cause chain as plain JSON; {@link SreError.fromJSON} turns it back into errors. */
  toJSON(): SerializedError {
    return serializeError(this);
  }

  /**
   * Rebuilds an error, with its cause chain, from {@link SreError.toJSON} output. Known
   * codes come back as their class; plain errors as `Error` / `AggregateError`.
   */
  static fromJSON(json: SerializedError): Error {
    return reviveError(json);
  }
}

/** Invalid configuration, options, arguments or input data (`SRE_CONFIG_INVALID`, `SRE_USAGE`, `SRE_DATA_INVALID`). */
export class ConfigError extends SreError {
  override name = 'ConfigError';
  declare readonly code: CodesOf<'ConfigError'>;
  constructor(code: CodesOf<'ConfigError'>, message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** A file that is missing, unreadable or not what it should be (`SRE_FILE_*`). */
export class FileError extends SreError {
  override name = 'FileError';
  declare readonly code: CodesOf<'FileError'>;
  constructor(code: CodesOf<'FileError'>, message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** A lock that could not be taken or was lost (`SRE_LOCK_*`). */
export class LockError extends SreError {
  override name = 'LockError';
  declare readonly code: CodesOf<'LockError'>;
  constructor(code: CodesOf<'LockError'>, message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** A local command that could not run or did not succeed (`SRE_COMMAND_*`). */
export class CommandError extends SreError {
  override name = 'CommandError';
  declare readonly code: CodesOf<'CommandError'>;
  constructor(code: CodesOf<'CommandError'>, message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** A host that could not be reached, trusted or logged into, or whose command failed (`SRE_REMOTE_*`). */
export class RemoteError extends SreError {
  override name = 'RemoteError';
  declare readonly code: CodesOf<'RemoteError'>;
  constructor(code: CodesOf<'RemoteError'>, message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** A secret that is missing or unsafe, or a rotation that failed (`SRE_SECRET_*`, `SRE_ROTATION_FAILED`). */
export class SecretError extends SreError {
  override name = 'SecretError';
  declare readonly code: CodesOf<'SecretError'>;
  constructor(code: CodesOf<'SecretError'>, message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** An operation that passed its deadline (`SRE_TIMEOUT`). */
export class TimeoutError extends SreError {
  override name = 'TimeoutError';
  declare readonly code: 'SRE_TIMEOUT';
  constructor(code: 'SRE_TIMEOUT', message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** An operation stopped through its `signal` (`SRE_ABORTED`); `cause` is the signal's reason. */
export class AbortError extends SreError {
  override name = 'AbortError';
  declare readonly code: 'SRE_ABORTED';
  constructor(code: 'SRE_ABORTED', message: string, options?: SreErrorOptions) {
    super(code, message, options);
  }
}

/** The class of each family, used to rebuild errors from JSON and to narrow by code. */
const FAMILIES = {
  SreError,
  ConfigError,
  FileError,
  LockError,
  CommandError,
  RemoteError,
  SecretError,
  TimeoutError,
  AbortError,
} satisfies Record<ErrorFamily, new (code: never, message: string, options?: SreErrorOptions) => SreError>;

/** The class that carries `code`, for example `ErrorForCode<'SRE_LOCK_TIMEOUT'>` is `LockError`. */
export type ErrorForCode<C extends SreErrorCode> = InstanceType<
  (typeof FAMILIES)[(typeof ERROR_CODES)[C]['family']]
> & { readonly code: C };

/**
 * Creates the error of the right class for a code: `createError('SRE_LOCK_TIMEOUT', …)` is a `LockError`.
 *
 * @example
 * ```ts
 * import { createError } from 'sre-kit/errors';
 *
 * const error = createError('SRE_LOCK_TIMEOUT', 'Timed out waiting for /etc/app.json.lock');
 * error.name; // 'LockError'
 * error.retryable; // true
 * ```
 */
export function createError<C extends SreErrorCode>(
  code: C,
  message: string,
  options?: SreErrorOptions,
): ErrorForCode<C> {
  const Family = FAMILIES[ERROR_CODES[code].family] as unknown as new (
    code: C,
    message: string,
    options?: SreErrorOptions,
  ) => ErrorForCode<C>;
  return new Family(code, message, options);
}

function reviveError(json: SerializedError): Error {
  const options: SreErrorOptions = {};
  if (json.cause) options.cause = reviveError(json.cause);
  let error: Error;
  if (json.kind === 'sre') {
    const sreOptions: SreErrorOptions = {
      ...options,
      details: json.details ?? {},
      ...(json.retryable === undefined ? {} : { retryable: json.retryable }),
      ...(json.exitCode === undefined ? {} : { exitCode: json.exitCode }),
    };
    if (isKnownCode(json.code)) {
      error = createError(json.code, json.message, sreOptions);
    } else {
      // A code from a newer version of the package: keep it (and its flags), with the base class.
      error = new SreError('SRE_INTERNAL', json.message, sreOptions);
      Object.defineProperty(error, 'code', { value: json.code ?? 'SRE_INTERNAL', enumerable: true });
    }
  } else if (json.kind === 'aggregate') {
    error = new AggregateError((json.errors ?? []).map(reviveError), json.message, options);
  } else {
    error = new Error(json.message, options);
    if (json.code !== undefined) Object.assign(error, { code: json.code });
  }
  if (json.kind !== 'sre' || !(json.name in FAMILIES)) error.name = json.name;
  if (json.stack !== undefined) error.stack = json.stack;
  return error;
}

/**
 * Returns `value` if it is an Error; otherwise wraps it in an `SRE_NON_ERROR_THROWN`
 * error that says what was thrown (`throw null`, a thrown string…).
 *
 * @example
 * ```ts
 * import { ensureError } from 'sre-kit/errors';
 *
 * try {
 *   legacyPlugin();
 * } catch (thrown) {
 *   const error = ensureError(thrown); // `throw 'oops'` becomes an Error saying so
 *   console.error(error.message);
 * }
 * ```
 */
export function ensureError(value: unknown): Error {
  if (value instanceof Error || hasBrand(value)) return value as Error;
  return new SreError('SRE_NON_ERROR_THROWN', `A non-Error value was thrown: ${describeValue(value)}`, {
    cause: value,
  });
}
