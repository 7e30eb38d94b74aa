import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, rename, unlink } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { toFileError } from './paths.js';
import type { Outcome, ProcessContext } from './watch-context.js';
import type { WatchedFile } from './watch-types.js';

/** Names tried for a file whose name is taken in the quarantine folder: `a.csv`, `a.csv.1`, … */
const MAX_SUFFIX = 1000;

/**
 * Moves a file given up on into `quarantineDir`, keeping its relative path. A name already
 * taken there (the same name failed before) gets a numeric suffix, so nothing is
 * overwritten. Across filesystems (EXDEV) the file is copied, then removed.
 *
 * @returns where the file now is, or `undefined` when it had disappeared already.
 * @throws `SRE_FILE_PERMISSION` / `SRE_FILE_IO` when it cannot be moved.
 */
export async function moveToQuarantine(
  path: string,
  relativePath: string,
  quarantineDir: string,
): Promise<string | undefined> {
  const base = join(quarantineDir, relativePath);
  try {
    await mkdir(dirname(base), { recursive: true });
  } catch (error) {
    throw toFileError(error, dirname(base), 'create the quarantine folder');
  }
  for (let suffix = 0; suffix < MAX_SUFFIX; suffix++) {
    const target = suffix === 0 ? base : `${base}.${suffix}`;
    if (
      await lstat(target).then(
        () => true,
        () => false,
      )
    )
      continue;
    try {
      await rename(path, target);
      return target;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return undefined;
      if (code !== 'EXDEV') throw toFileError(error, path, 'move to quarantine');
    }
    try {
      await copyFile(path, target, constants.COPYFILE_EXCL);
      await unlink(path);
      return target;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw toFileError(error, path, 'copy to quarantine');
    }
  }
  throw toFileError(
    Object.assign(new Error(`${MAX_SUFFIX} files named ${relativePath} are in quarantine already`), {
      code: 'EEXIST',
    }),
    base,
    'move to quarantine',
  );
}

/**
 * Gives up on a file: moves it to `quarantineDir` (if set; a failed move is logged and the
 * file stays), records it with its error, and emits `quarantined`. The identity is not tried
 * again in this run; after a restart it is, if the file is still (or again) in the folder.
 */
export async function quarantine(
  context: ProcessContext,
  file: WatchedFile,
  error: Error,
  attempts: number,
): Promise<Outcome> {
  const { options } = context;
  try {
    let movedTo: string | undefined;
    if (options.quarantineDir !== undefined) {
      movedTo = await moveToQuarantine(file.path, file.relativePath, options.quarantineDir).catch(
        (moveError: unknown) => {
          options.logger.error(
            { path: file.relativePath, error: moveError },
            'watchDirectory: quarantine move failed',
          );
          return undefined;
        },
      );
    }
    const code = (error as { code?: unknown }).code;
    const recorded = await context.record({
      id: file.identity,
      path: file.relativePath,
      outcome: 'quarantined',
      at: new Date().toISOString(),
      attempts,
      error: { code: typeof code === 'string' ? code : error.name, message: error.message.slice(0, 1000) },
    });
    if (!recorded) return 'interrupted';
    context.quarantinedIds.add(file.identity);
    options.logger.error(
      { path: file.relativePath, attempts, movedTo, error: error.message },
      'watchDirectory: quarantined',
    );
    context.emit('quarantined', { file, error, attempts, movedTo });
    return 'quarantined';
  } finally {
    context.inFlight.delete(file.identity);
  }
}
