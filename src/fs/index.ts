/**
 * Files that survive races and crashes: JSON read with a schema, and updated under a
 * cross-process lock with an atomic write, so no update is lost and no file is left half
 * written; `withLock` for any other work that needs the same lock; and `watchDirectory`, which
 * hands each new file of a folder to a handler once, across restarts, with a durable ledger.
 *
 * @module fs
 */

export { type WriteAtomicOptions, writeAtomic } from './atomic.js';
export type { JsonChange } from './diff.js';
export {
  type JsonUpdater,
  type ReadJsonOptions,
  readJson,
  type UpdateJsonOptions,
  type UpdateJsonResult,
  updateJson,
} from './json.js';
export {
  FileLedger,
  type FileLedgerOptions,
  type LedgerEntry,
  type LedgerStats,
  type LedgerStore,
} from './ledger.js';
export { type LockContext, type LockOptions, withLock } from './lock.js';
export { applyMergePatch, type MergePatch } from './merge-patch.js';
export {
  type CloseOptions,
  type FailedEvent,
  type HandlerContext,
  type PathMatcher,
  type ProcessedEvent,
  type QuarantinedEvent,
  type WatchedFile,
  type Watcher,
  type WatcherEvents,
  type WatcherStats,
  type WatchHandler,
  type WatchOptions,
  watchDirectory,
} from './watch.js';
