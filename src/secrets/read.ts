import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, SecretError } from '../errors/index.js';
import { type Logger, noopLogger } from '../internal/logger.js';
import { checkPermissions, type PermissionPolicy } from './permissions.js';
import { Secret } from './secret.js';

/** A place a secret can come from, looked at in the order given. */
export type SecretSource = 'env' | 'file' | 'credentials' | 'directory';

/** Options of {@link readSecret}. */
export interface ReadSecretOptions {
  /** Where to look, in order. @default ['env', 'file', 'credentials', 'directory'] */
  sources?: readonly SecretSource[];
  /** The environment to read `NAME`, `NAME_FILE` and `CREDENTIALS_DIRECTORY` from. @default process.env */
  env?: Record<string, string | undefined>;
  /** Directories holding one file per secret. @default ['/run/secrets'] */
  directories?: readonly string[];
  /** How secret files are checked; see {@link PermissionPolicy}. @default 'container-aware' */
  permissions?: PermissionPolicy;
  /** Return `undefined` instead of throwing when the secret is nowhere. @default true */
  required?: boolean;
  /** Receives a warning for an insecure file under `permissions: 'warn'`. */
  logger?: Logger;
}

const MAX_SECRET_BYTES = 1024 * 1024;

/**
 * Reads a secret from the environment (`NAME`), from the file a `NAME_FILE` variable names
 * (the Docker and Kubernetes convention), from systemd's `$CREDENTIALS_DIRECTORY/NAME`, or
 * from a directory such as `/run/secrets` (as `NAME` or `name`), in the order of `sources`.
 * A file readable by others or owned by another user is refused, with the `chmod` that
 * fixes it (see {@link PermissionPolicy} for containers). Exactly one trailing newline of a
 * file is removed. Empty values count as absent.
 *
 * @throws `SRE_SECRET_NOT_FOUND` listing every place looked at,
 *   `SRE_SECRET_INSECURE_PERMISSIONS` naming the file and the fix.
 *
 * @example
 * ```ts
 * import { readSecret } from 'sre-kit/secrets';
 *
 * const apiKey = await readSecret('API_KEY'); // API_KEY, API_KEY_FILE, $CREDENTIALS_DIRECTORY, /run/secrets
 * await fetch(url, { headers: { authorization: `Bearer ${apiKey.reveal()}` } });
 * ```
 */
export async function readSecret(
  name: string,
  options: ReadSecretOptions & { required: false },
): Promise<Secret | undefined>;
export async function readSecret(name: string, options?: ReadSecretOptions): Promise<Secret>;
export async function readSecret(name: string, options: ReadSecretOptions = {}): Promise<Secret | undefined> {
  if (!/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(name)) {
    throw new ConfigError(
      'SRE_USAGE',
      `readSecret(): ${JSON.stringify(name)} is not a valid secret name (letters, digits, _ . -)`,
    );
  }
  const env = options.env ?? process.env;
  const policy = options.permissions ?? 'container-aware';
  const logger = options.logger ?? noopLogger;
  const lookedAt: string[] = [];
  const fromFile = async (path: string, label: string): Promise<Secret | undefined> => {
    const value = await readSecretFile(path, policy, logger);
    lookedAt.push(`${label} ${path}${value === undefined ? ' (absent)' : value === '' ? ' (empty)' : ''}`);
    return value ? new Secret(value) : undefined;
  };
  for (const source of options.sources ?? ['env', 'file', 'credentials', 'directory']) {
    let found: Secret | undefined;
    if (source === 'env') {
      found = env[name] ? new Secret(env[name]) : undefined;
      lookedAt.push(`environment variable ${name}${env[name] === '' ? ' (empty)' : ''}`);
    } else if (source === 'file') {
      const path = env[`${name}_FILE`];
      if (path) {
        found = await fromFile(path, `file named by ${name}_FILE:`);
        // A _FILE variable that names nothing is a mistake to report, not a place to pass by.
        if (found === undefined) {
          throw new SecretError(
            'SRE_SECRET_NOT_FOUND',
            `${name}_FILE names ${path}, which does not exist or is empty`,
            {
              details: { name, path },
            },
          );
        }
      } else lookedAt.push(`environment variable ${name}_FILE`);
    } else if (source === 'credentials') {
      const directory = env.CREDENTIALS_DIRECTORY;
      if (directory) found = await fromFile(join(directory, name), 'systemd credential');
      else lookedAt.push('$CREDENTIALS_DIRECTORY (not set)');
    } else {
      for (const directory of options.directories ?? ['/run/secrets']) {
        for (const file of new Set([name, name.toLowerCase()])) {
          found ??= await fromFile(join(directory, file), 'file');
        }
      }
    }
    if (found) return found;
  }
  if (options.required === false) return undefined;
  throw new SecretError(
    'SRE_SECRET_NOT_FOUND',
    `Secret ${name} was not found; looked at: ${lookedAt.join(', ')}`,
    {
      details: { name, lookedAt },
    },
  );
}

/** The file's text with one trailing newline removed; `undefined` when it does not exist. */
async function readSecretFile(
  path: string,
  policy: PermissionPolicy,
  logger: Logger,
): Promise<string | undefined> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    if (code === 'EISDIR') {
      throw new SecretError('SRE_SECRET_NOT_FOUND', `Secret file ${path} is a directory`, {
        cause: error,
        details: { path },
      });
    }
    throw new SecretError(
      'SRE_SECRET_NOT_FOUND',
      `Cannot read secret file ${path}: ${(error as Error).message}`,
      { cause: error, details: { path } },
    );
  }
  try {
    // Checked on the open descriptor, so the file cannot be swapped between check and read.
    const info = await handle.stat();
    const problem = await checkPermissions(path, info, policy);
    if (problem !== undefined && policy !== 'warn') {
      throw new SecretError('SRE_SECRET_INSECURE_PERMISSIONS', `Refusing to read secret file ${problem}`, {
        details: { path, mode: info.mode & 0o777, uid: info.uid },
      });
    }
    if (problem !== undefined)
      logger.warn(
        { path },
        `reading an insecure secret file because permissions is 'warn' (unsafe): ${problem}`,
      );
    if (info.size > MAX_SECRET_BYTES) {
      throw new SecretError(
        'SRE_SECRET_NOT_FOUND',
        `Secret file ${path} is ${info.size} bytes; a secret is at most ${MAX_SECRET_BYTES}`,
        { details: { path } },
      );
    }
    const text = await handle.readFile('utf8');
    return text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text;
  } finally {
    await handle.close();
  }
}
