import { isSreError } from '../errors/index.js';
import { type Snapshot, snapshotKey, snapshotOf } from './watch-identity.js';
import type { NormalizedWatchOptions } from './watch-options.js';
import { scanFolder } from './watch-scan.js';

/** What the reconcile scan needs from its watcher. */
export interface ReconcileHost {
  /** Whether a file is waiting to be stable, queued or being handled. */
  isTracked(relativePath: string): boolean;
  /** Versions of files already dealt with, by relative path; pruned by complete scans. */
  seen: Map<string, string>;
  /** A file to check for stability and hand over. */
  found(relativePath: string, path: string, snapshot: Snapshot): void;
  /** Files waiting (stability check and queue). */
  backlog(): number;
  counters: { foundByScan: number; scans: number };
  fail(error: Error): void;
}

/** New files taken up per scan: a backlog of a million files is worked through 10,000 at a time. */
const CAP = 10_000;
/** After a scan stopped at CAP, or after a watch error, the next scan comes this soon (or at stableMs if longer). */
const SOON_MS = 1000;

/**
 * The start-up catch-up and the periodic reconcile scan: the folder listing minus what is
 * known (tracked, or dealt with in this version), so that files whose events were lost are
 * still found. Linux loses events silently: when the inotify queue overflows the kernel
 * sends IN_Q_OVERFLOW, which libuv drops, so neither Node nor chokidar can tell.
 */
export class Reconciler {
  readonly #options: NormalizedWatchOptions;
  readonly #host: ReconcileHost;
  readonly #controller = new AbortController();
  #root = '';
  #timer: NodeJS.Timeout | undefined;
  #scanning = false;

  constructor(options: NormalizedWatchOptions, host: ReconcileHost) {
    this.#options = options;
    this.#host = host;
  }

  /** The start-up scan: files the ledger does not know are taken up (`initial: 'process'`) or marked as dealt with (`'skip'`). */
  async start(root: string): Promise<void> {
    this.#root = root;
    const complete = await this.#scan(this.#options.initial === 'skip' ? 'skip' : 'initial');
    this.#schedule(complete ? this.#options.reconcileIntervalMs : this.#soonMs());
  }

  /** Brings the next scan forward (after a watch error). */
  soon(): void {
    if (this.#root !== '' && !this.#controller.signal.aborted) this.#schedule(this.#soonMs());
  }

  close(): void {
    this.#controller.abort();
    clearTimeout(this.#timer);
  }

  #soonMs(): number {
    return Math.min(this.#options.reconcileIntervalMs, Math.max(SOON_MS, this.#options.stableMs));
  }

  #schedule(delayMs: number): void {
    if (this.#controller.signal.aborted) return;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => void this.#tick(), delayMs);
  }

  async #tick(): Promise<void> {
    if (this.#scanning) return;
    // A backlog still being worked through: listing again now would find only files already waiting.
    if (this.#host.backlog() > CAP / 2) return this.#schedule(this.#soonMs());
    this.#scanning = true;
    try {
      const complete = await this.#scan('periodic');
      this.#schedule(complete ? this.#options.reconcileIntervalMs : this.#soonMs());
    } catch (error) {
      if (!this.#controller.signal.aborted) this.#host.fail(error as Error);
    } finally {
      this.#scanning = false;
    }
  }

  async #scan(mode: 'initial' | 'skip' | 'periodic'): Promise<boolean> {
    const host = this.#host;
    const listed = new Set<string>();
    let found = 0;
    const complete = await scanFolder(
      this.#root,
      { ...this.#options, signal: this.#controller.signal },
      ({ relativePath, path, stats }) => {
        listed.add(relativePath);
        if (host.isTracked(relativePath)) return false;
        const snapshot = snapshotOf(stats);
        const key = snapshotKey(snapshot);
        if (host.seen.get(relativePath) === key) return false;
        if (mode === 'skip') {
          host.seen.set(relativePath, key);
          return false;
        }
        host.found(relativePath, path, snapshot);
        found++;
        return true;
      },
      CAP,
    ).catch((error: unknown) => {
      // Aborted by close(): the scan just stops.
      if (this.#controller.signal.aborted && !isSreError(error)) return false;
      throw error;
    });
    if (complete && mode === 'periodic') {
      for (const relativePath of host.seen.keys())
        if (!listed.has(relativePath)) host.seen.delete(relativePath);
    }
    host.counters.scans++;
    if (mode === 'periodic' && found > 0 && !this.#controller.signal.aborted) {
      host.counters.foundByScan += found;
      // Lost events (an inotify overflow), or events still on their way in a burst.
      this.#options.logger.info(
        { found, complete },
        'watchDirectory: the reconcile scan found files no event reported yet',
      );
    }
    return complete;
  }
}
