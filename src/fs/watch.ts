import { normalizeWatchOptions, type WatchOptions } from './watch-options.js';
import type { Watcher, WatchHandler } from './watch-types.js';
import { DirectoryWatcher } from './watch-watcher.js';

export type { PathMatcher } from './watch-match.js';
export type { WatchOptions } from './watch-options.js';
export type {
  CloseOptions,
  FailedEvent,
  HandlerContext,
  ProcessedEvent,
  QuarantinedEvent,
  WatchedFile,
  Watcher,
  WatcherEvents,
  WatcherStats,
  WatchHandler,
} from './watch-types.js';

/**
 * Watches a drop folder and hands each new, complete file to `handler` once, across
 * restarts. What it guarantees, plainly:
 *
 * - **At least once, with dedupe.** A file is recorded in the ledger (written and fsynced)
 *   only after its handler succeeded, and the `processed` event comes after that. A handler
 *   interrupted by a crash, a `kill -9` or a power cut runs again after the restart, so
 *   handlers must be idempotent; at most `concurrency` files are handled twice that way.
 *   Nothing is lost: files that arrive while the watcher is down are found at start
 *   (`initial: 'process'`), and files whose events were lost by the OS are found by the
 *   periodic reconcile scan (`reconcileIntervalMs`).
 * - **Complete files only.** A file is handed over once its size, mtime and inode have not
 *   changed for `stableMs`, files found at start included. Temp and partial names (`*.tmp`,
 *   `*.part`, `.*`, `*~`) and `ignore` are never handed over; a writer that writes under
 *   such a name and renames into place is handled under the final name.
 * - **Once per identity.** With `identity: 'content'` (the default) a renamed, copied or
 *   touched file is not handed over again and a rewrite with new bytes is; see `identity`.
 * - **One bad file does not stop the others.** A failing handler is retried `retries` times
 *   with exponential backoff, then the file is quarantined: recorded with its error, moved
 *   to `quarantineDir` if set, and the `quarantined` event is emitted. It is not tried again
 *   while the watcher runs; after a restart it is, if it is still (or again) in the folder.
 *   A file that disappears before it is handed over is skipped, not an error.
 * - **One watcher per ledger.** The ledger is locked; a second watcher on it (in any
 *   process) fails to start with `SRE_LOCK_HELD` instead of processing files twice.
 * - **Bounded resources.** At most `concurrency` handlers run at once and at most 16 files
 *   are read to be hashed, so a burst of 100,000 files does not run out of file descriptors.
 *
 * @param dir the folder to watch.
 * @param handler called with the file and `{ signal, attempt }`; a throw is a failed attempt.
 * @returns the running {@link Watcher}: `await watcher.ready` to know it has started,
 *   `await watcher.done` to run until it is closed (or aborted through `signal`).
 * @throws `SRE_USAGE` at once for a bad option (naming it). `ready` and `done` reject with
 *   `SRE_LOCK_HELD` (the ledger is in use), `SRE_FILE_NOT_FOUND` (no such folder),
 *   `SRE_FILE_PERMISSION`, `SRE_FILE_CORRUPT` (the ledger path holds another file), or
 *   `SRE_FILE_IO`; `done` also rejects when the ledger fails while running.
 *
 * @example
 * ```ts
 * import { rename } from 'node:fs/promises';
 * import { main } from 'sre-kit/errors';
 * import { watchDirectory } from 'sre-kit/fs';
 * import { countLevels } from 'sre-kit/logs';
 *
 * await main(async ({ signal, logger }) => {
 *   const watcher = watchDirectory('/srv/inbox', async (file) => {
 *     const { levels } = await countLevels(file.path, { signal });
 *     logger.info({ file: file.relativePath, errors: levels.ERROR }, 'counted');
 *     await rename(file.path, `/srv/done/${file.identity.slice(7, 19)}-${file.relativePath}`);
 *   }, { quarantineDir: '/srv/quarantine', signal, logger });
 *   await watcher.done;
 * });
 * ```
 */
export function watchDirectory(dir: string, handler: WatchHandler, options: WatchOptions = {}): Watcher {
  return new DirectoryWatcher(handler, normalizeWatchOptions(dir, handler, options));
}
