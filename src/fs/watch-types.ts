/** The file handed to a watcher's handler. */
export interface WatchedFile {
  /** Absolute path. */
  readonly path: string;
  /** Relative to the watched folder, `/`-separated. */
  readonly relativePath: string;
  readonly size: number;
  readonly mtimeMs: number;
  /** What the ledger knows the file by: `sha256:<hex>` (content identity) or `stat:<dev>:<ino>:<size>:<mtimeMs>`. */
  readonly identity: string;
}

/** The second argument of a watcher's handler. */
export interface HandlerContext {
  /** Aborted when `close()` passes its deadline (`closeTimeoutMs`): stop, the file is handed over again after a restart. */
  readonly signal: AbortSignal;
  /** 1 for the first attempt, 2 for the first retry… */
  readonly attempt: number;
}

/** What a watcher calls for each new file; a throw (or rejection) is a failed attempt. */
export type WatchHandler = (file: WatchedFile, context: HandlerContext) => unknown;

/** Counters of a watcher since it started. */
export interface WatcherStats {
  /** Complete (stable) file versions taken up: each ends processed, duplicate, quarantined or vanished. */
  seen: number;
  processed: number;
  /** Files not handed over because the ledger (or a file in flight) has their identity. */
  duplicates: number;
  /** Failed handler attempts, retries included. */
  failed: number;
  quarantined: number;
  /** Files that disappeared before they were handed over (not an error). */
  vanished: number;
  /** Handlers running now. */
  inFlight: number;
  /** Complete files waiting for a free slot (`concurrency`). */
  queued: number;
  /** Files waiting to be stable for `stableMs`. */
  pending: number;
  /**
   * Files that the periodic scan found before any event reported them: events lost (an
   * inotify overflow, a network filesystem), or still on their way in a large burst. A number
   * that keeps growing in quiet times means events are being lost.
   */
  foundByScan: number;
  /** Reconcile scans completed (the start-up scan included). */
  scans: number;
  /** Identities in the ledger. */
  ledgerEntries: number;
}

/** A file whose handler succeeded; its outcome is on disk in the ledger. */
export interface ProcessedEvent {
  file: WatchedFile;
  attempts: number;
  durationMs: number;
}

/** One failed handler attempt. */
export interface FailedEvent {
  file: WatchedFile;
  error: Error;
  attempt: number;
  /** Whether another attempt follows; when not, the file is quarantined next. */
  willRetry: boolean;
}

/** A file given up on after its attempts; the failure is on disk in the ledger. */
export interface QuarantinedEvent {
  file: WatchedFile;
  /** The last attempt's error. */
  error: Error;
  attempts: number;
  /** Where the file was moved (`quarantineDir`), or `undefined` when it was left in place. */
  movedTo: string | undefined;
}

/** The events of a {@link Watcher}. */
export interface WatcherEvents {
  processed: [event: ProcessedEvent];
  failed: [event: FailedEvent];
  quarantined: [event: QuarantinedEvent];
}

/** Options of {@link Watcher.close}. */
export interface CloseOptions {
  /** How long running handlers may take to finish before their signal is aborted. @default the watcher's `closeTimeoutMs` */
  timeoutMs?: number;
}

/**
 * A running directory watcher, made by {@link watchDirectory} (an EventEmitter). Listen for
 * `processed`, `failed` and `quarantined`; `await using` closes it at the end of the scope.
 */
export interface Watcher {
  /** Calls `listener` on each `processed`, `failed` or `quarantined` event; a listener that throws is logged, not fatal. */
  on<K extends keyof WatcherEvents>(event: K, listener: (...args: WatcherEvents[K]) => void): this;
  /** Calls `listener` on the next such event only. */
  once<K extends keyof WatcherEvents>(event: K, listener: (...args: WatcherEvents[K]) => void): this;
  /** Removes a listener. */
  off<K extends keyof WatcherEvents>(event: K, listener: (...args: WatcherEvents[K]) => void): this;
  /** Resolves once the ledger is open, the folder is watched and the files already in it are queued; rejects if starting failed. */
  readonly ready: Promise<void>;
  /** Resolves when the watcher has closed; rejects with the error that stopped it (a failed ledger write, the folder gone). */
  readonly done: Promise<void>;
  /**
   * Stops watching, lets running handlers finish (their signal is aborted after
   * `timeoutMs`), records their outcomes and closes the ledger. Queued files are left for
   * the next start. Idempotent; resolves even if the watcher stopped with an error.
   */
  close(options?: CloseOptions): Promise<void>;
  /** A snapshot of the counters. */
  stats(): WatcherStats;
  [Symbol.asyncDispose](): Promise<void>;
}
