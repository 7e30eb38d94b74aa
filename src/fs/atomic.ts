import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fchmodSync,
  fchownSync,
  fsync as fsyncCallback,
  open as openCallback,
  openSync,
  write as writeCallback,
} from 'node:fs';
import { rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { toFileError } from './paths.js';

const openFile = promisify(openCallback);
const writeFd = promisify(writeCallback);
const fsync = promisify(fsyncCallback);

/** Options of {@link writeAtomic}. */
export interface WriteAtomicOptions {
  /** Mode of the file. @default the existing file's mode, or 0o666 minus the umask for a new one */
  mode?: number;
  /** Owner and group of the file, e.g. the ones of the file it replaces (ignored where not permitted, as by write-file-atomic, unless running as root). @default the writing process's */
  owner?: { uid: number; gid: number };
  signal?: AbortSignal;
}

/**
 * Writes a file so that readers see the old content or the whole new one, never a part:
 * into a temp file beside it (streamed, so the data need not fit in memory), fsync, rename
 * over the target, fsync the directory. On any failure the temp file is removed and the
 * target is untouched. The data goes through asynchronous writes and fsyncs; the metadata
 * calls on the open descriptors (chmod, chown, close) and the open of the directory are
 * synchronous: microseconds each, where the threadpool costs an event-loop round trip each.
 *
 * @throws `SRE_FILE_NOT_FOUND` when the directory does not exist, `SRE_FILE_PERMISSION`,
 *   `SRE_FILE_IO`, or whatever the data source throws (the target is then untouched).
 *
 * @example
 * ```ts
 * import { writeAtomic } from 'sre-kit/fs';
 *
 * await writeAtomic('/var/reports/errors.log', (async function* () {
 *   for await (const entry of scanLog('/var/log/app.log', { minLevel: 'ERROR' })) yield `${entry.text}\n`;
 * })());
 * ```
 */
export async function writeAtomic(
  path: string,
  data: string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: WriteAtomicOptions = {},
): Promise<void> {
  const directory = dirname(path);
  const temp = join(directory, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  // An explicit mode, or the existing file's, is set exactly; a new file gets 0o666 minus the umask.
  const mode =
    options.mode ??
    (await stat(path).then(
      (info) => info.mode & 0o7777,
      () => undefined,
    ));
  let fd: number;
  try {
    fd = await openFile(temp, 'wx', mode ?? 0o666);
  } catch (error) {
    throw toFileError(error, directory, 'create a file in');
  }
  try {
    try {
      await writeChunks(fd, data, path, options.signal);
      if (options.owner !== undefined) chownAsPermitted(fd, options.owner, path);
      if (mode !== undefined) fchmodSync(fd, mode);
      await fsync(fd);
    } finally {
      closeSync(fd);
    }
    await rename(temp, path).catch((error) => {
      throw toFileError(error, path, 'replace');
    });
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  const dir = openSync(directory, 'r');
  try {
    await fsync(dir);
  } finally {
    closeSync(dir);
  }
}

/** fchown, where a process that is not root may be refused (EPERM, EINVAL) as write-file-atomic allows. */
function chownAsPermitted(fd: number, owner: { uid: number; gid: number }, path: string): void {
  try {
    fchownSync(fd, owner.uid, owner.gid);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const root = process.getuid?.() === 0;
    if (code === 'ENOSYS' || (!root && (code === 'EPERM' || code === 'EINVAL'))) return;
    throw toFileError(error, path, 'set the owner of');
  }
}

/** Writes the chunks; only the writes' own failures become FileErrors, the source's pass through. */
async function writeChunks(
  fd: number,
  data: string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  path: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    signal?.throwIfAborted();
    try {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      for (let offset = 0; offset < bytes.length; ) {
        const { bytesWritten } = await writeFd(fd, bytes, offset, bytes.length - offset);
        offset += bytesWritten;
      }
    } catch (error) {
      throw toFileError(error, path, 'write');
    }
  }
}
