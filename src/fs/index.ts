/**
 * Files that survive races and crashes: JSON read with a schema, and updated under a
 * cross-process lock with an atomic write, so no update is lost and no file is left half
 * written; and `withLock` for any other work that needs the same lock.
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
