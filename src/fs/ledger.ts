import { ConfigError, type Logger } from '../errors/index.js';
import { GroupCommit } from './ledger-commit.js';
import { LedgerFile } from './ledger-file.js';
import { entryProblem } from './ledger-format.js';
import { type HeldLock, holdLock } from './ledger-lock.js';
import { type FileLedgerOptions, normalizeLedgerOptions } from './ledger-options.js';
import type { LedgerEntry, LedgerStore } from './ledger-store.js';

export type { FileLedgerOptions } from './ledger-options.js';
export type { LedgerEntry, LedgerStore } from './ledger-store.js';

/** What a {@link FileLedger} has loaded and done, for a watcher's stats and benchmarks. */
export interface LedgerStats {
  entries: number;
  /** Entry lines in the file now. */
  lines: number;
  /** Complete lines skipped at load because they did not parse as an entry. */
  skippedLines: number;
  /** Bytes of a torn last line cut off at load. */
  tornBytes: number;
  /** How long `open()` took: the lock, the load and cutting a torn line. */
  loadMs: number;
  records: number;
  /** Write + fsync rounds: records made while one is in flight share the next. */
  syncs: number;
  compactions: number;
}

const MIN_COMPACT_LINES = 1000;

/**
 * The watcher's persistent dedupe ledger: an append-only JSON-lines file, a header line then
 * one line per file outcome, held with a lock from `open()` to `close()` so that a second
 * watcher on it (in this or another process) is refused at once.
 *
 * - `record()` resolves once its line is written and fdatasync'ed. Records made while a
 *   sync is in flight are written together with one write and one fdatasync (group commit),
 *   so a burst costs a few syncs, not one per outcome. `get()` sees an entry once its record
 *   resolved.
 * - A line counts once its newline is on disk. At load a torn last line (a crash mid-write)
 *   is cut off; any other line that does not parse as an entry is skipped, counted in
 *   `stats().skippedLines` and logged, never fatal. A file whose first line is not the
 *   ledger header is refused with `SRE_FILE_CORRUPT` and left untouched.
 * - When the file holds more than `compactAt` lines per live entry (and at least 1000 lines)
 *   it is rewritten with the last entry of each identity: temp file, fsync, rename, fsync
 *   of the directory. A crash at any point leaves the old or the new file, never a part.
 * - A failed fsync is never retried: the ledger then refuses every record with that error
 *   (restart to reload from disk). So does a lock that was taken over while held.
 * - `open()` can be tried again after it failed (for example while the ledger is in use);
 *   once closed, a FileLedger stays closed.
 *
 * @throws from `open()`: `SRE_LOCK_HELD`, `SRE_FILE_CORRUPT`, `SRE_FILE_NOT_FOUND` (no such
 *   directory), `SRE_FILE_PERMISSION`, `SRE_FILE_IO`; from the constructor `SRE_USAGE`.
 *
 * @example
 * ```ts
 * import { FileLedger } from 'sre-kit/fs';
 *
 * await using ledger = new FileLedger('/var/lib/inbox-watcher/ledger.jsonl');
 * await ledger.open();
 * if (ledger.get('sha256:9f86d0…')?.outcome !== 'processed') {
 *   await ledger.record({ id: 'sha256:9f86d0…', path: 'a.csv', outcome: 'processed', at: new Date().toISOString() });
 * }
 * ```
 */
export class FileLedger implements LedgerStore {
  /** The ledger file, as given. */
  readonly path: string;
  readonly #compactAt: number;
  readonly #staleMs: number;
  readonly #logger: Logger;
  #entries = new Map<string, LedgerEntry>();
  readonly #stats = { skippedLines: 0, tornBytes: 0, loadMs: 0, records: 0, syncs: 0, compactions: 0 };
  #lock: HeldLock | undefined;
  #file: LedgerFile | undefined;
  #opening: Promise<void> | undefined;
  #closing: Promise<void> | undefined;
  #lockLost: unknown;
  readonly #commits = new GroupCommit(
    (lines) => this.#commit(lines),
    () => this.#compactIfWorthwhile(),
  );
  /** After a failed compaction, the next try waits until the file has doubled. */
  #compactFromLines = MIN_COMPACT_LINES;

  constructor(path: string, options: FileLedgerOptions = {}) {
    const normalized = normalizeLedgerOptions(path, options);
    this.path = path;
    this.#compactAt = normalized.compactAt;
    this.#staleMs = normalized.staleMs;
    this.#logger = normalized.logger;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(id: string): LedgerEntry | undefined {
    return this.#entries.get(id);
  }

  /** Every identity's last entry, in the order identities were first recorded. */
  entries(): IterableIterator<LedgerEntry> {
    return this.#entries.values();
  }

  stats(): LedgerStats {
    return { entries: this.#entries.size, lines: this.#file?.lines ?? 0, ...this.#stats };
  }

  open(): Promise<void> {
    if (this.#closing) return Promise.reject(usage('open', 'the ledger was closed; open a new FileLedger'));
    // A failed open (the ledger in use) can be tried again.
    this.#opening ??= this.#open().catch((error: unknown) => {
      this.#opening = undefined;
      throw error;
    });
    return this.#opening;
  }

  record(entry: LedgerEntry): Promise<void> {
    if (this.#closing) return Promise.reject(usage('record', 'the ledger is closed'));
    if (!this.#file) return Promise.reject(usage('record', 'call open() and wait for it first'));
    const problem = entryProblem(entry);
    if (problem !== undefined) return Promise.reject(usage('record', `entry.${problem}`));
    let line: string;
    try {
      line = `${JSON.stringify(entry)}\n`;
    } catch (error) {
      return Promise.reject(
        usage('record', `the entry is not JSON-serialisable (${(error as Error).message})`),
      );
    }
    return this.#commits.add(line);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #open(): Promise<void> {
    const started = performance.now();
    const lock = await holdLock(this.path, this.#staleMs);
    try {
      // Makes sure the owner record is written, so a restart after a SIGKILL can tell we died.
      await lock.context.assertHeld();
      const { file, loaded } = await LedgerFile.open(lock.context.path);
      this.#entries = loaded.entries;
      this.#stats.skippedLines = loaded.skippedLines;
      this.#stats.tornBytes = loaded.tornBytes;
      this.#stats.loadMs = performance.now() - started;
      if (loaded.skippedLines > 0)
        this.#logger.warn(
          { path: file.path, skippedLines: loaded.skippedLines, first: loaded.firstSkipped },
          'ledger lines that are not entries were skipped',
        );
      if (loaded.hasHeader && loaded.tornBytes > 0)
        this.#logger.warn({ path: file.path, tornBytes: loaded.tornBytes }, 'torn last ledger line cut off');
      lock.context.signal.addEventListener('abort', () => this.#onLockLost(lock.context.signal.reason), {
        once: true,
      });
      this.#lock = lock;
      this.#file = file;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  /** One batch: one write and one fdatasync, then the entries become visible to `get()`. */
  async #commit(lines: readonly string[]): Promise<void> {
    if (this.#lockLost) throw this.#lockLost;
    const file = this.#file;
    if (!file) throw usage('record', 'the ledger is not open');
    await file.append(lines.join(''), lines.length);
    this.#stats.syncs++;
    this.#stats.records += lines.length;
    for (const line of lines) {
      const entry = JSON.parse(line) as LedgerEntry;
      this.#entries.set(entry.id, entry);
    }
  }

  #worthCompacting(): boolean {
    const lines = this.#file?.lines ?? 0;
    return lines >= this.#compactFromLines && lines > this.#compactAt * this.#entries.size;
  }

  async #compactIfWorthwhile(): Promise<void> {
    const file = this.#file;
    if (!file || file.failure || this.#lockLost || !this.#worthCompacting()) return;
    const before = file.lines;
    try {
      await file.compact(this.#entries.values(), this.#entries.size);
      this.#stats.compactions++;
      this.#compactFromLines = MIN_COMPACT_LINES;
      this.#logger.info({ path: file.path, before, after: file.lines }, 'ledger compacted');
    } catch (error) {
      this.#compactFromLines = Math.max(MIN_COMPACT_LINES, before * 2);
      this.#logger.warn({ path: file.path, error }, 'ledger compaction failed; appending to the old file');
    }
  }

  #onLockLost(reason: unknown): void {
    this.#lockLost = reason;
    this.#logger.error({ path: this.path, error: reason }, 'the ledger lock was lost; records are refused');
  }

  async #close(): Promise<void> {
    await this.#opening?.catch(() => {});
    const lock = this.#lock;
    const file = this.#file;
    if (!lock || !file) return;
    try {
      await this.#commits.idle();
      await this.#compactIfWorthwhile();
      await file.close();
    } finally {
      this.#lock = undefined;
      await lock.release();
    }
  }
}

function usage(method: string, message: string): ConfigError {
  return new ConfigError('SRE_USAGE', `FileLedger.${method}(): ${message}`);
}
