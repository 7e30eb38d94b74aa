import { randomBytes } from 'node:crypto';
import { open, rename, stat, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
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
  // An explicit mode, or the existing file's, is set exactly; a new file gets 0o666 minus the umask.
  const mode =
    options.mode ??
    (await stat(path).then(
      (info) => info.mode & 0o7777,
      () => undefined,
    ));
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(temp, 'wx', mode ?? 0o666);
  } catch (error) {
    throw toFileError(error, directory, 'create a file in');
  }
  try {
    try {
      await writeChunks(handle, data, path, options.signal);
      if (mode !== undefined) await handle.chmod(mode);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path).catch((error) => {
      throw toFileError(error, path, 'replace');
    });
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
  const dir = await open(directory, 'r');
  try {
    await dir.sync();
  } finally {
    await dir.close();
  }
}

/** Writes the chunks; only the writes' own failures become FileErrors, the source's pass through. */
async function writeChunks(
  handle: Awaited<ReturnType<typeof open>>,
  data: string | Uint8Array | AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  path: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const chunks = typeof data === 'string' || data instanceof Uint8Array ? [data] : data;
  for await (const chunk of chunks as AsyncIterable<string | Uint8Array>) {
    signal?.throwIfAborted();
    try {
      await handle.write(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    } catch (error) {
      throw toFileError(error, path, 'write');
    }
  }
}
