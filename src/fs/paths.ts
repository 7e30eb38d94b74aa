import { realpathSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { FileError } from '../errors/index.js';

/**
 * The real path a file is (or will be) at: symlinks resolved, so that every link to one
 * config shares its lock and the write goes to the target, leaving the link a link. A file
 * that does not exist yet resolves through its directory. Resolved synchronously (realpath(3),
 * a few metadata lookups of microseconds on a local disk; through the threadpool it costs an
 * event-loop round trip, on the path of every update).
 */
export async function resolveTarget(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return realpathSync.native(absolute);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw toFileError(error, absolute, 'resolve');
  }
  try {
    return join(realpathSync.native(dirname(absolute)), basename(absolute));
  } catch (error) {
    throw toFileError(error, dirname(absolute), 'resolve the directory of');
  }
}

/** Maps a Node fs error to the FileError that says what failed, keeping it as the cause. */
export function toFileError(error: unknown, path: string, action: string): FileError {
  const code = (error as NodeJS.ErrnoException).code;
  const reason = (error as Error).message;
  const details = { path, errno: code ?? null };
  if (code === 'ENOENT')
    return new FileError('SRE_FILE_NOT_FOUND', `Cannot ${action} ${path}: it does not exist`, {
      cause: error,
      details,
    });
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
    return new FileError('SRE_FILE_PERMISSION', `Cannot ${action} ${path}: permission denied`, {
      cause: error,
      details,
    });
  }
  const retryable = code === 'EBUSY' || code === 'EMFILE' || code === 'ENFILE' || code === 'EAGAIN';
  return new FileError('SRE_FILE_IO', `Cannot ${action} ${path}: ${reason}`, {
    cause: error,
    details,
    retryable,
  });
}
