import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isSreError } from '../errors/index.js';
import { toFileError } from './paths.js';

/** Options of {@link writeAtomic}. */
export interface WriteAtomicOptions {
  /** Mode of the file. @default the existing file's mode, or 0o666 minus the umask for a new one */
  mode?: number;
  signal?: AbortSignal;
}

/**
 * Writes a file so that readers see the old content or the whole new one, never a part:
 * into a temp file beside it (streamed, so the data need not fit in memory), fsync, rename
 * over the target, fsync the directory. On any failure the temp file is removed and the
 * target is untouched.
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
  const mode =
    options.mode ??
    (await stat(path).then(
      (info) => info.mode & 0o7777,
      () => 0o666,
    ));
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, 'wx', mode);
  } catch (error) {
    throw toFileError(error, directory, 'create a file in');
  }
  try {
    try {
      const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
      for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
        options.signal?.throwIfAborted();
        await handle.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
      }
      await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => {});
    // The data source's own errors pass through; a failed write or rename says which file.
    const code = (error as NodeJS.ErrnoException).code;
    const fromFs = !isSreError(error) && typeof code === 'string' && /^E[A-Z]+$/.test(code);
    throw fromFs ? toFileError(error, path, 'write') : error;
  }
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}
