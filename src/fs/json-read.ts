import { closeSync, fstatSync, open as openCallback, read as readCallback, type Stats } from 'node:fs';
import { promisify } from 'node:util';
import { toFileError } from './paths.js';

const openFile = promisify(openCallback);
const readFd = promisify(readCallback);

/**
 * The file's text and its stat, or `undefined` when it is missing and may be created. The
 * open and the reads are asynchronous; the fstat and the close of the descriptor are
 * synchronous, for the reason at syncLockFs in lock-acquire.ts.
 */
export async function readExisting(
  target: string,
  mayCreate: boolean,
): Promise<{ text: string; info: Stats } | undefined> {
  let fd: number;
  try {
    fd = await openFile(target, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' && mayCreate) return undefined;
    throw toFileError(error, target, 'read');
  }
  try {
    const info = fstatSync(fd);
    // Read until the end, not just the size seen: a writer that ignores the lock may append.
    const chunks: Buffer[] = [];
    for (let size = info.size + 1; ; size = 64 * 1024) {
      const buffer = Buffer.allocUnsafe(size);
      const { bytesRead } = await readFd(fd, buffer, 0, size, null);
      if (bytesRead === 0) break;
      chunks.push(buffer.subarray(0, bytesRead));
      if (bytesRead < size) break;
    }
    return { text: Buffer.concat(chunks).toString('utf8'), info };
  } catch (error) {
    throw toFileError(error, target, 'read');
  } finally {
    closeSync(fd);
  }
}
