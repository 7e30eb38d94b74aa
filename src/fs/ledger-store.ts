// The ledger interface the watcher is written against, apart from its file implementation
// so that other stores can be plugged in without loading it.

/** One outcome of one file, as the ledger keeps it. */
export interface LedgerEntry {
  /** The file's identity: `sha256:<hex>` for content identity, `stat:<dev>:<ino>:<size>:<mtimeMs>` for stat identity. */
  id: string;
  /** The relative path when it was seen. */
  path: string;
  outcome: 'processed' | 'failed' | 'quarantined';
  /** ISO time. */
  at: string;
  attempts?: number;
  error?: { code: string; message: string };
}

/** Where the watcher records what it has done; pluggable. */
export interface LedgerStore {
  /** Takes the ledger for this process (refuses with a LockError 'SRE_LOCK_HELD' naming the ledger when another live process holds it) and loads it. */
  open(): Promise<void>;
  /** The last entry recorded for an identity, if any. */
  get(id: string): LedgerEntry | undefined;
  /** Appends the entry and resolves only once it is on disk (fsync). */
  record(entry: LedgerEntry): Promise<void>;
  /** Number of identities with an entry. */
  readonly size: number;
  /** Compacts if worthwhile, releases the lock. Idempotent. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}
