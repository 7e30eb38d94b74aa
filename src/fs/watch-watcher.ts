import { EventEmitter } from 'node:events';
import { mkdir, realpath, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AbortError, ConfigError } from '../errors/index.js';
import { FileLedger } from './ledger.js';
import type { LedgerEntry, LedgerStore } from './ledger-store.js';
import { toFileError } from './paths.js';
import { type EventSource, watchEvents } from './watch-events.js';
import { snapshotOf } from './watch-identity.js';
import type { NormalizedWatchOptions } from './watch-options.js';
import { type Counters, newCounters, Pipeline } from './watch-pipeline.js';
import { Reconciler } from './watch-reconcile.js';
import type { CloseOptions, Watcher, WatcherEvents, WatcherStats, WatchHandler } from './watch-types.js';

/** For tests: drops events while set, the way an inotify overflow does, so only the reconcile scan can find files. */
export const pauseEvents: unique symbol = Symbol('sre-kit.watch.pauseEvents');

/** The watcher behind watchDirectory(): its lifetime (start, close, failure), events and counters. */
export class DirectoryWatcher extends EventEmitter<WatcherEvents> implements Watcher {
  readonly ready: Promise<void>;
  readonly done: Promise<void>;
  readonly #options: NormalizedWatchOptions;
  readonly #ledger: LedgerStore;
  /** Aborted when close() begins: nothing new starts. */
  readonly #stopping = new AbortController();
  /** Aborted at close()'s deadline: the handlers' signal. */
  readonly #handlers = new AbortController();
  readonly #counters: Counters = newCounters();

  readonly #pipeline: Pipeline;
  readonly #reconciler: Reconciler;
  readonly #onAbort = () => void this.close();
  #events: EventSource | undefined;
  #ledgerOpen = false;
  #ledgerClosed = false;
  #closing: Promise<void> | undefined;
  #settleDone!: (error?: unknown) => void;

  constructor(handler: WatchHandler, options: NormalizedWatchOptions) {
    super();
    this.#options = options;
    this.#ledger =
      typeof options.ledger === 'string'
        ? new FileLedger(options.ledger, { logger: options.logger })
        : options.ledger;
    const context = {
      options,
      handler,
      ledger: this.#ledger,
      stopping: this.#stopping.signal,
      handlerSignal: this.#handlers.signal,
      inFlight: new Set<string>(),
      quarantinedIds: new Set<string>(),
      running: (delta: 1 | -1) => {
        this.#counters.inFlight += delta;
      },
      emit: <K extends keyof WatcherEvents>(event: K, ...payload: WatcherEvents[K]) =>
        this.#emitSafely(event, ...payload),
      record: (entry: LedgerEntry) => this.#record(entry),
    };
    this.#pipeline = new Pipeline(context, this.#counters, (error) => this.#fail(error));
    const pipeline = this.#pipeline;
    this.#reconciler = new Reconciler(options, {
      isTracked: (relativePath) => pipeline.isTracked(relativePath),
      seen: pipeline.seen,
      found: (relativePath, path, snapshot) => pipeline.found(relativePath, path, snapshot),
      backlog: () => pipeline.pending + pipeline.queued,
      counters: this.#counters,
      fail: (error) => this.#fail(error),
    });
    this.done = new Promise<void>((resolve, reject) => {
      this.#settleDone = (error) => (error === undefined ? resolve() : reject(error));
    });
    this.ready = this.#start();
    // Both are for the caller to await; unawaited, a failure must not crash the process (it is logged).
    this.ready.catch(() => {});
    this.done.catch(() => {});
  }

  stats(): WatcherStats {
    return {
      ...this.#counters,
      queued: this.#pipeline.queued,
      pending: this.#pipeline.pending,
      ledgerEntries: this.#ledgerOpen ? this.#ledger.size : 0,
    };
  }

  close(options: CloseOptions = {}): Promise<void> {
    const timeoutMs = options.timeoutMs ?? this.#options.closeTimeoutMs;
    if (!(typeof timeoutMs === 'number' && timeoutMs >= 0))
      throw new ConfigError(
        'SRE_USAGE',
        `Watcher.close(): timeoutMs must be a non-negative number, received ${timeoutMs}`,
      );
    this.#closing ??= this.#shutdown(timeoutMs, undefined);
    return this.#closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  set [pauseEvents](paused: boolean) {
    if (this.#events) this.#events.paused = paused;
  }

  async #start(): Promise<void> {
    const options = this.#options;
    try {
      if (options.signal?.aborted)
        throw new AbortError('SRE_ABORTED', 'watchDirectory(): aborted before it started', {
          cause: options.signal.reason,
        });
      options.signal?.addEventListener('abort', this.#onAbort, { once: true });
      const root = await realpath(options.dir).catch((error: unknown) => {
        throw toFileError(error, options.dir, 'watch');
      });
      if (!(await stat(root)).isDirectory())
        throw new ConfigError('SRE_USAGE', `watchDirectory(): ${options.dir} is not a directory`);
      if (typeof options.ledger === 'string') await mkdir(dirname(options.ledger), { recursive: true });
      this.#checkStopping();
      await this.#ledger.open();
      this.#ledgerOpen = true;
      this.#checkStopping();
      this.#events = watchEvents(root, options, {
        file: (relativePath, path, stats) => {
          if (options.accepts(relativePath))
            this.#pipeline.event(relativePath, path, stats && snapshotOf(stats));
        },
        error: (error) => {
          options.logger.warn(
            { error },
            'watchDirectory: watch error; the reconcile scan covers what it misses',
          );
          this.#reconciler.soon();
        },
      });
      await this.#events.ready;
      this.#checkStopping();
      await this.#reconciler.start(root);
      this.#checkStopping();
      options.logger.info({ dir: root, ledgerEntries: this.#ledger.size }, 'watchDirectory: watching');
    } catch (error) {
      this.#closing ??= this.#shutdown(0, error);
      throw error;
    }
  }

  #checkStopping(): void {
    if (this.#stopping.signal.aborted)
      throw new AbortError('SRE_ABORTED', 'watchDirectory(): closed while starting', {
        details: { dir: this.#options.dir },
      });
  }

  async #record(entry: LedgerEntry): Promise<boolean> {
    if (this.#ledgerClosed) return false;
    await this.#ledger.record(entry);
    return true;
  }

  #emitSafely<K extends keyof WatcherEvents>(event: K, ...payload: WatcherEvents[K]): void {
    if (event === 'failed') this.#counters.failed++;
    try {
      (this.emit as (name: K, ...args: WatcherEvents[K]) => boolean)(event, ...payload);
    } catch (error) {
      this.#options.logger.error({ event, error }, 'watchDirectory: a listener threw');
    }
  }

  #fail(error: Error): void {
    if (this.#closing) return;
    this.#options.logger.error({ error }, 'watchDirectory: stopped by an error');
    this.#closing = this.#shutdown(0, error);
  }

  /** Stops everything in order: no new work, chokidar closed, running handlers given `timeoutMs`, then the ledger. */
  async #shutdown(timeoutMs: number, failure: unknown): Promise<void> {
    this.#options.signal?.removeEventListener('abort', this.#onAbort);
    this.#stopping.abort(new AbortError('SRE_ABORTED', 'The watcher is closing'));
    this.#reconciler.close();
    this.#pipeline.stop();
    await this.#events?.close().catch(() => {});
    await this.ready.catch(() => {});
    const abandoned = await this.#pipeline.drain(timeoutMs);
    if (abandoned > 0) {
      this.#handlers.abort(
        new AbortError('SRE_ABORTED', `The watcher closed; handlers had ${timeoutMs} ms to finish`),
      );
      this.#options.logger.warn(
        { abandoned },
        'watchDirectory: handlers still running at close were abandoned; their files are handed over again at the next start',
      );
    }
    // From here a handler that finishes is not recorded: its file is handed over again after a restart.
    this.#ledgerClosed = true;
    let closeError: unknown;
    if (this.#ledgerOpen) await this.#ledger.close().catch((error: unknown) => (closeError = error));
    this.#settleDone(failure ?? closeError);
  }
}
