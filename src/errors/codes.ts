/**
 * The stable error codes, one family per subclass. A code never changes meaning once
 * released; new failure modes get new codes.
 *
 * | code | class | exit code | retryable | meaning |
 * | --- | --- | --- | --- | --- |
 * | `SRE_USAGE` | ConfigError | 64 | no | bad command-line arguments or options |
 * | `SRE_CONFIG_INVALID` | ConfigError | 78 | no | a config, inventory or option failed validation |
 * | `SRE_DATA_INVALID` | ConfigError | 65 | no | input data (not config) failed validation |
 * | `SRE_FILE_NOT_FOUND` | FileError | 66 | no | a file or directory does not exist |
 * | `SRE_FILE_PERMISSION` | FileError | 77 | no | the file cannot be read or written by this user |
 * | `SRE_FILE_INVALID_JSON` | FileError | 65 | no | the file is not valid JSON (line and column in `details`) |
 * | `SRE_FILE_CORRUPT` | FileError | 65 | no | the file's contents are damaged (a truncated gzip stream) |
 * | `SRE_FILE_IO` | FileError | 74 | no | any other I/O failure |
 * | `SRE_LOCK_TIMEOUT` | LockError | 75 | yes | the lock was not acquired within `lockTimeoutMs` |
 * | `SRE_LOCK_HELD` | LockError | 75 | no | the lock is held by someone else and waiting was not asked for |
 * | `SRE_LOCK_COMPROMISED` | LockError | 75 | yes | the lock was taken over while held; the work was abandoned |
 * | `SRE_COMMAND_USAGE` | CommandError | 64 | no | the command was given in an unsafe or invalid form |
 * | `SRE_COMMAND_NOT_FOUND` | CommandError | 69 | no | the executable is not on PATH |
 * | `SRE_COMMAND_NOT_EXECUTABLE` | CommandError | 77 | no | the file exists but cannot be executed |
 * | `SRE_COMMAND_FAILED` | CommandError | 70 | no | non-zero exit or killed by a signal |
 * | `SRE_COMMAND_TIMEOUT` | CommandError | 75 | yes | the command passed its deadline and was killed |
 * | `SRE_COMMAND_OUTPUT_TOO_LARGE` | CommandError | 74 | no | stdout or stderr passed `maxOutputBytes` |
 * | `SRE_REMOTE_CONNECT` | RemoteError | 69 | yes | DNS failure, connection refused or host unreachable |
 * | `SRE_REMOTE_CONNECT_TIMEOUT` | RemoteError | 75 | yes | no connection within `connectTimeoutMs` |
 * | `SRE_REMOTE_HANDSHAKE` | RemoteError | 69 | yes | the SSH handshake failed or was cut |
 * | `SRE_REMOTE_AUTH` | RemoteError | 77 | no | every authentication method was rejected |
 * | `SRE_REMOTE_HOST_KEY_UNKNOWN` | RemoteError | 77 | no | the host key is not in known_hosts |
 * | `SRE_REMOTE_HOST_KEY_CHANGED` | RemoteError | 77 | no | the host key differs from known_hosts, or is revoked |
 * | `SRE_REMOTE_COMMAND_FAILED` | RemoteError | 70 | no | a remote command exited non-zero |
 * | `SRE_REMOTE_COMMAND_TIMEOUT` | RemoteError | 75 | no | a remote command passed `commandTimeoutMs` |
 * | `SRE_SECRET_NOT_FOUND` | SecretError | 78 | no | a required secret is in none of the places looked at |
 * | `SRE_SECRET_INSECURE_PERMISSIONS` | SecretError | 77 | no | a secret file is readable by others or not owned by this user |
 * | `SRE_ROTATION_FAILED` | SecretError | 70 | no | a rotation step failed (and was rolled back where possible) |
 * | `SRE_TIMEOUT` | TimeoutError | 75 | yes | an operation passed its deadline |
 * | `SRE_ABORTED` | AbortError | 130 | no | the operation was aborted through its `signal` |
 * | `SRE_INTERNAL` | SreError | 70 | no | a bug or an unexpected state |
 * | `SRE_NON_ERROR_THROWN` | SreError | 70 | no | something threw a value that is not an Error (wrapped) |
 *
 * @module
 */
export const ERROR_CODES = {
  SRE_USAGE: { family: 'ConfigError', exitCode: 64, retryable: false },
  SRE_CONFIG_INVALID: { family: 'ConfigError', exitCode: 78, retryable: false },
  SRE_DATA_INVALID: { family: 'ConfigError', exitCode: 65, retryable: false },
  SRE_FILE_NOT_FOUND: { family: 'FileError', exitCode: 66, retryable: false },
  SRE_FILE_PERMISSION: { family: 'FileError', exitCode: 77, retryable: false },
  SRE_FILE_INVALID_JSON: { family: 'FileError', exitCode: 65, retryable: false },
  SRE_FILE_CORRUPT: { family: 'FileError', exitCode: 65, retryable: false },
  SRE_FILE_IO: { family: 'FileError', exitCode: 74, retryable: false },
  SRE_LOCK_TIMEOUT: { family: 'LockError', exitCode: 75, retryable: true },
  SRE_LOCK_HELD: { family: 'LockError', exitCode: 75, retryable: false },
  SRE_LOCK_COMPROMISED: { family: 'LockError', exitCode: 75, retryable: true },
  SRE_COMMAND_USAGE: { family: 'CommandError', exitCode: 64, retryable: false },
  SRE_COMMAND_NOT_FOUND: { family: 'CommandError', exitCode: 69, retryable: false },
  SRE_COMMAND_NOT_EXECUTABLE: { family: 'CommandError', exitCode: 77, retryable: false },
  SRE_COMMAND_FAILED: { family: 'CommandError', exitCode: 70, retryable: false },
  SRE_COMMAND_TIMEOUT: { family: 'CommandError', exitCode: 75, retryable: true },
  SRE_COMMAND_OUTPUT_TOO_LARGE: { family: 'CommandError', exitCode: 74, retryable: false },
  SRE_REMOTE_CONNECT: { family: 'RemoteError', exitCode: 69, retryable: true },
  SRE_REMOTE_CONNECT_TIMEOUT: { family: 'RemoteError', exitCode: 75, retryable: true },
  SRE_REMOTE_HANDSHAKE: { family: 'RemoteError', exitCode: 69, retryable: true },
  SRE_REMOTE_AUTH: { family: 'RemoteError', exitCode: 77, retryable: false },
  SRE_REMOTE_HOST_KEY_UNKNOWN: { family: 'RemoteError', exitCode: 77, retryable: false },
  SRE_REMOTE_HOST_KEY_CHANGED: { family: 'RemoteError', exitCode: 77, retryable: false },
  SRE_REMOTE_COMMAND_FAILED: { family: 'RemoteError', exitCode: 70, retryable: false },
  SRE_REMOTE_COMMAND_TIMEOUT: { family: 'RemoteError', exitCode: 75, retryable: false },
  SRE_SECRET_NOT_FOUND: { family: 'SecretError', exitCode: 78, retryable: false },
  SRE_SECRET_INSECURE_PERMISSIONS: { family: 'SecretError', exitCode: 77, retryable: false },
  SRE_ROTATION_FAILED: { family: 'SecretError', exitCode: 70, retryable: false },
  SRE_TIMEOUT: { family: 'TimeoutError', exitCode: 75, retryable: true },
  SRE_ABORTED: { family: 'AbortError', exitCode: 130, retryable: false },
  SRE_INTERNAL: { family: 'SreError', exitCode: 70, retryable: false },
  SRE_NON_ERROR_THROWN: { family: 'SreError', exitCode: 70, retryable: false },
} as const satisfies Record<string, { family: string; exitCode: number; retryable: boolean }>;

/** Every stable code. */
export type SreErrorCode = keyof typeof ERROR_CODES;

/** The name of the class that carries a code. */
export type ErrorFamily = (typeof ERROR_CODES)[SreErrorCode]['family'];

/** The codes of one family, for example `CodesOf<'LockError'>`. */
export type CodesOf<F extends ErrorFamily> = {
  [C in SreErrorCode]: (typeof ERROR_CODES)[C]['family'] extends F ? C : never;
}[SreErrorCode];

/** Whether `code` is one of the stable codes this version knows. */
export function isKnownCode(code: unknown): code is SreErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERROR_CODES, code);
}
