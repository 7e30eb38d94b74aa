// The types shared by the stages of a watcher (watch-process, watch-quarantine, watch-pipeline).
import type { LedgerEntry, LedgerStore } from './ledger-store.js';
import type { Snapshot } from './watch-identity.js';
import type { NormalizedWatchOptions } from './watch-options.js';
import type { WatcherEvents, WatchHandler } from './watch-types.js';

/** A complete file, ready for its identity check and handler. */
export interface Job {
  relativePath: string;
  path: string;
  snapshot: Snapshot;
}

/** How one job ended. `changed`: written to while hashed, back to the stability check; `interrupted`: by close(). */
export type Outcome = 'processed' | 'duplicate' | 'quarantined' | 'vanished' | 'changed' | 'interrupted';

/** What the stages need from their watcher. */
export interface ProcessContext {
  options: NormalizedWatchOptions;
  handler: WatchHandler;
  ledger: LedgerStore;
  /** Aborted when close() begins: no new attempt starts, backoff waits end. */
  stopping: AbortSignal;
  /** Aborted at close()'s deadline: the handlers' signal. */
  handlerSignal: AbortSignal;
  /** Identities being handled now, so that two names for the same bytes are not handled at once. */
  inFlight: Set<string>;
  /** Identities quarantined by this run: not tried again until the next start. */
  quarantinedIds: Set<string>;
  running(delta: 1 | -1): void;
  emit<K extends keyof WatcherEvents>(event: K, ...payload: WatcherEvents[K]): void;
  /**
   * Records an outcome durably; false when the ledger was closed already (a handler that
   * outlived close()'s deadline: its file is handed over again after a restart). Throws, and
   * stops the watcher, when the ledger fails.
   */
  record(entry: LedgerEntry): Promise<boolean>;
}
