import type { Dir, Stats } from 'node:fs';
import { lstat, opendir } from 'node:fs/promises';
import { join } from 'node:path';
import { toFileError } from './paths.js';

/** A regular file found by a scan. */
export interface ScanEntry {
  /** Relative to the watched folder, `/`-separated. */
  relativePath: string;
  path: string;
  stats: Stats;
}

/** What a scan looks at. */
export interface ScanOptions {
  recursive: boolean;
  /** Files and folders left out (temp names, the user's `ignore`, the quarantine folder). */
  ignores: (relativePath: string) => boolean;
  /** Files handed over (not ignored, and passing the user's `filter`). */
  accepts: (relativePath: string) => boolean;
  signal: AbortSignal;
}

/** lstat calls made at once while listing. */
const BATCH = 256;
/** Folders deeper than this are not descended into (symlinks are never followed, so only real nesting counts). */
const MAX_DEPTH = 64;

/**
 * Lists the watched folder, one descriptor at a time, and calls `visit` for each regular
 * file that is accepted. `visit` returns whether the file counted against `cap` (it was
 * new); once `cap` files counted the scan stops early, so a tick stays bounded however
 * large a backlog is. Symlinks, sockets and the like are skipped.
 *
 * @returns whether the listing was complete (not stopped by `cap`).
 * @throws `SRE_FILE_NOT_FOUND` / `SRE_FILE_PERMISSION` / `SRE_FILE_IO` for the watched folder
 *   itself; a subfolder that disappears while it is listed is skipped.
 */
export async function scanFolder(
  root: string,
  options: ScanOptions,
  visit: (entry: ScanEntry) => boolean,
  cap: number,
): Promise<boolean> {
  let counted = 0;
  const folders: Array<[relative: string, depth: number]> = [['', 0]];
  // Each pass removes one folder; folders are added only for real directories below the root.
  while (folders.length > 0) {
    const [folder, depth] = folders.pop()!;
    let dir: Dir;
    try {
      dir = await opendir(folder === '' ? root : join(root, folder), { bufferSize: 128 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (folder !== '' && (code === 'ENOENT' || code === 'ENOTDIR')) continue;
      throw toFileError(error, folder === '' ? root : join(root, folder), 'list');
    }
    let batch: string[] = [];
    const flush = async () => {
      const stats = await Promise.all(batch.map((name) => lstat(join(root, name)).catch(() => undefined)));
      for (const [index, relativePath] of batch.entries()) {
        const info = stats[index];
        if (info?.isDirectory()) {
          if (options.recursive && depth < MAX_DEPTH) folders.push([relativePath, depth + 1]);
        } else if (info?.isFile() && options.accepts(relativePath)) {
          if (visit({ relativePath, path: join(root, relativePath), stats: info })) counted++;
        }
      }
      batch = [];
    };
    try {
      for await (const entry of dir) {
        options.signal.throwIfAborted();
        const relativePath = folder === '' ? entry.name : `${folder}/${entry.name}`;
        if (options.ignores(relativePath)) continue;
        if (entry.isSymbolicLink() || entry.isFIFO() || entry.isSocket()) continue;
        if (entry.isBlockDevice() || entry.isCharacterDevice()) continue;
        if (entry.isDirectory() && !options.recursive) continue;
        // Regular files, folders, and entries of unknown type (some filesystems): lstat decides.
        batch.push(relativePath);
        if (batch.length === BATCH) await flush();
        if (counted >= cap) return false;
      }
      await flush();
    } finally {
      // A `for await` that ended early has closed the Dir already.
      await dir.close().catch(() => {});
    }
    if (counted >= cap) return false;
  }
  return true;
}
