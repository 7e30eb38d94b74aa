import type { SFTPWrapper } from 'ssh2';
import { ConfigError, FileError, isSreError, RemoteError } from '../errors/index.js';
import type { CollectHost } from './collect-options.js';
import type { Host } from './inventory-types.js';
import { connectOne, type SftpConnectOptions } from './sftp-connect.js';
import { isNoSuchFile, sftpFileError, withDeadline } from './sftp-errors.js';
import { type SftpCall, writeAtomically } from './sftp-write.js';

/** Options of {@link openSftp}: the connection options of `collect`, and a deadline per operation. */
export interface SftpOptions extends SftpConnectOptions {
  /** Deadline of each operation (a read, a whole atomic write); past it the connection is closed. @default 60000 */
  operationTimeoutMs?: number;
}

/** Options of {@link SftpClient.writeFile}. */
export interface SftpWriteOptions {
  /** Permission bits of the file. @default the mode of the file it replaces, else 0o644 */
  mode?: number;
}

/** Options of {@link SftpClient.readFile}. */
export interface SftpReadOptions {
  /** A larger file is refused before it is read. @default 64 MiB */
  maxBytes?: number;
}

/** A remote file's size and mode. */
export interface SftpStat {
  readonly sizeBytes: number;
  /** Permission bits only (`0o644`). */
  readonly mode: number;
}

/** One SFTP session on one SSH connection; close it, or use it with `await using`. */
export interface SftpClient {
  /** The host's name (as `collect` results name it). */
  readonly host: string;
  /** The file's size and mode, or `undefined` when it does not exist. */
  stat(path: string): Promise<SftpStat | undefined>;
  /**
   * The whole file, read into memory.
   * @throws `SRE_FILE_NOT_FOUND`, `SRE_FILE_PERMISSION`, `SRE_FILE_IO` (also for a file over
   *   `maxBytes`), `SRE_TIMEOUT`
   */
  readFile(path: string, options?: SftpReadOptions): Promise<Buffer>;
  /**
   * Replaces the file atomically: writes a temporary file in the same directory, flushes it
   * to disk (`fsync@openssh.com`), then renames it over the target (`posix-rename@openssh.com`),
   * so a reader sees the old file or the new one, never a part. The temporary file is
   * removed when a step fails.
   */
  writeFile(path: string, data: string | Uint8Array, options?: SftpWriteOptions): Promise<void>;
  /** Removes the file; a file that does not exist is not an error. */
  remove(path: string): Promise<void>;
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/**
 * Opens an SFTP session to one host, connecting exactly as `collect()` does: host key
 * checked against known_hosts first, keys then the agent, an optional jump host, the connect
 * deadline and retries of connect-phase failures.
 *
 * @param host an inventory `Host`, a `{ host, port?, user?, … }` object or `[user@]host[:port]`.
 * @throws `SRE_USAGE` for bad options; `SRE_REMOTE_*` when the host cannot be reached, trusted
 *   or logged into, or has no SFTP subsystem.
 *
 * @example
 * ```ts
 * import { openSftp } from 'sre-kit/remote';
 *
 * await using sftp = await openSftp('deploy@web-1.example.com', { connectTimeoutMs: 5000 });
 * const path = '/etc/app/config.json';
 * if (await sftp.stat(path)) await sftp.writeFile(`${path}.bak`, await sftp.readFile(path));
 * await sftp.writeFile(path, `${JSON.stringify({ port: 8080 })}\n`);
 * ```
 */
export async function openSftp(
  host: Host | CollectHost | string,
  options: SftpOptions = {},
): Promise<SftpClient> {
  const { operationTimeoutMs = 60_000, ...connect } = options ?? {};
  if (!Number.isInteger(operationTimeoutMs) || operationTimeoutMs < 1) {
    throw new ConfigError(
      'SRE_USAGE',
      `openSftp(): option "operationTimeoutMs" must be a positive integer, received ${String(operationTimeoutMs)}`,
    );
  }
  const transport = await connectOne('openSftp', host, connect);
  const name = transport.name;
  let sftp: SFTPWrapper;
  try {
    sftp = await withDeadline(
      new Promise<SFTPWrapper>((resolve, reject) =>
        transport.session.client.sftp((error, wrapper) => (error ? reject(error) : resolve(wrapper))),
      ),
      `opening the SFTP subsystem on ${name}`,
      operationTimeoutMs,
      options.signal,
      () => void transport.close(),
    );
  } catch (error) {
    await transport.close();
    if (error instanceof Error && !isSreError(error)) {
      throw new RemoteError('SRE_REMOTE_COMMAND_FAILED', `${name} has no SFTP subsystem: ${error.message}`, {
        cause: error,
        details: { host: name },
      });
    }
    throw error;
  }

  const call: SftpCall = <T>(what: string, start: (done: (error: unknown, value?: T) => void) => void) =>
    withDeadline(
      new Promise<T>((resolve, reject) => {
        try {
          start((error, value) => (error ? reject(error) : resolve(value as T)));
        } catch (error) {
          reject(error); // ssh2 throws when the server lacks an extension
        }
      }),
      `${what} on ${name}`,
      operationTimeoutMs,
      options.signal,
      () => void transport.close(),
    );

  const wrap = (error: unknown, path: string, action: string) =>
    isSreError(error) ? error : sftpFileError(error, name, path, action);

  const stat = async (path: string): Promise<SftpStat | undefined> => {
    try {
      const stats = await call<{ size: number; mode: number }>(`stat ${path}`, (done) =>
        sftp.stat(path, done),
      );
      return { sizeBytes: stats.size, mode: stats.mode & 0o7777 };
    } catch (error) {
      if (isNoSuchFile(error)) return undefined;
      throw wrap(error, path, 'stat');
    }
  };

  const client: SftpClient = {
    host: name,
    stat,
    async readFile(path, readOptions = {}) {
      const maxBytes = readOptions.maxBytes ?? 64 * 1024 * 1024;
      const found = await stat(path);
      if (found === undefined) throw sftpFileError({ code: 2, message: 'No such file' }, name, path, 'read');
      if (found.sizeBytes > maxBytes) {
        throw new FileError(
          'SRE_FILE_IO',
          `Cannot read ${path} on ${name}: ${found.sizeBytes} bytes is over maxBytes (${maxBytes})`,
          {
            details: { host: name, path, sizeBytes: found.sizeBytes, maxBytes },
          },
        );
      }
      try {
        return await call<Buffer>(`reading ${path}`, (done) => sftp.readFile(path, done));
      } catch (error) {
        throw wrap(error, path, 'read');
      }
    },
    async writeFile(path, data, writeOptions = {}) {
      const mode = writeOptions.mode ?? (await stat(path))?.mode ?? 0o644;
      try {
        await writeAtomically(sftp, call, path, typeof data === 'string' ? Buffer.from(data) : data, mode);
      } catch (error) {
        if (error instanceof Error && /does not support/.test(error.message)) {
          throw new FileError('SRE_FILE_IO', `Cannot write ${path} on ${name} atomically: ${error.message}`, {
            cause: error,
            details: { host: name, path, needs: 'fsync@openssh.com, posix-rename@openssh.com' },
          });
        }
        throw wrap(error, path, 'write');
      }
    },
    async remove(path) {
      try {
        await call(`removing ${path}`, (done) => sftp.unlink(path, done));
      } catch (error) {
        if (!isNoSuchFile(error)) throw wrap(error, path, 'remove');
      }
    },
    async close() {
      sftp.end();
      await transport.close();
    },
    [Symbol.asyncDispose]: () => client.close(),
  };
  return client;
}
