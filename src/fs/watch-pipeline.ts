import { lstat } from 'node:fs/promises';
import pLimit, { type LimitFunction } from 'p-limit';
import { ensureError } from '../errors/index.js';
import type { Job, Outcome, ProcessContext } from './watch-context.js';
import { type Snapshot, sameSnapshot, snapshotKey, snapshotOf } from './watch-identity.js';
import { handle, identify } from './watch-process.js';
import { StabilityCheck } from './watch-settle.js';
import type { WatcherStats } from './watch-types.js';

/** Files hashed at once (or `concurrency`, if more): reads only, so more than handlers, still bounded. */
const IDENTIFY_CONCURRENCY = 16;

/** The counters the pipeline keeps (the others are computed). */
export type Counters = Omit<WatcherStats, 'queued' | 'pending' | 'ledgerEntries'>;

export function newCounters(): Counters {
  const counters = { seen: 0, processed: 0, duplicates: 0, failed: 0, quarantined: 0, vanished: 0 };
  return { ...counters, inFlight: 0, foundByScan: 0, scans: 0 };
}

/** A file queued or being handled; `dirty` once an event showed it changed meanwhile. */
interface Active {
  snapshot: Snapshot;
  dirty: boolean;
}

/**
 * The way of a file from its first sighting to its outcome: the stability check, then the
 * identity stage, then the handler stage (`concurrency` slots), each bounded. It remembers
 * the version of each file already dealt with (`seen`), so that repeated events and scans
 * cost a comparison, not a hash.
 */
export class Pipeline {
  /** Versions (dev:ino:size:mtime) of files dealt with, by relative path; scans prune it. */
  readonly seen = new Map<string, string>();
  /** Stages started and not yet settled, for close() to wait on. */
  readonly #running = new Set<Promise<void>>();
  readonly #context: ProcessContext;
  readonly #counters: Counters;
  readonly #fail: (error: Error) => void;
  readonly #settle: StabilityCheck;
  readonly #active = new Map<string, Active>();
  readonly #identifyLimit: LimitFunction;
  readonly #handleLimit: LimitFunction;

  constructor(context: ProcessContext, counters: Counters, fail: (error: Error) => void) {
    const { options } = context;
    this.#context = context;
    this.#counters = counters;
    this.#fail = fail;
    this.#identifyLimit = pLimit(Math.max(IDENTIFY_CONCURRENCY, options.concurrency));
    this.#handleLimit = pLimit(options.concurrency);
    this.#settle = new StabilityCheck(options.stableMs, {
      stable: (relativePath, path, snapshot) => this.#enqueue({ relativePath, path, snapshot }),
      gone: (relativePath) => {
        counters.vanished++;
        this.seen.delete(relativePath);
      },
      error: (relativePath, error) =>
        options.logger.warn({ path: relativePath, error }, 'watchDirectory: cannot stat'),
    });
  }

  /** Files waiting to be stable. */
  get pending(): number {
    return this.#settle.size;
  }

  /** Complete files waiting for (or in) the identity stage, or waiting for a handler slot. */
  get queued(): number {
    return (
      this.#identifyLimit.pendingCount + this.#identifyLimit.activeCount + this.#handleLimit.pendingCount
    );
  }

  /** Whether a file is waiting to be stable, queued or being handled. */
  isTracked(relativePath: string): boolean {
    return this.#settle.has(relativePath) || this.#active.has(relativePath);
  }

  /** A scan found a file that is neither tracked nor seen in this version. */
  found(relativePath: string, path: string, snapshot: Snapshot): void {
    this.#settle.touch(relativePath, path, snapshot);
  }

  /** An event for a file (with its stats when the event had them). */
  event(relativePath: string, path: string, snapshot: Snapshot | undefined): void {
    if (this.#context.stopping.aborted) return;
    const active = this.#active.get(relativePath);
    if (active) {
      // chokidar's `add` for a file that the raw event reported already is no news.
      if (!snapshot || !sameSnapshot(snapshot, active.snapshot)) active.dirty = true;
      return;
    }
    if (snapshot) this.#settle.touch(relativePath, path, snapshot);
    else this.#recheck(relativePath, path);
  }

  /** Drops what waits (it is found again at the next start); what runs goes on. */
  stop(): void {
    this.#settle.close();
    this.#identifyLimit.clearQueue();
    this.#handleLimit.clearQueue();
  }

  /** Waits up to `timeoutMs` for the stages running; returns how many are still running then. */
  async drain(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([Promise.allSettled([...this.#running]), deadline]);
    clearTimeout(timer);
    return this.#running.size;
  }

  /** Stats a file again and sends it back to the stability check (an event without stats, a change while handled). */
  #recheck(relativePath: string, path: string): void {
    void lstat(path).then(
      (stats) => stats.isFile() && this.#settle.touch(relativePath, path, snapshotOf(stats)),
      () => this.seen.delete(relativePath),
    );
  }

  #enqueue(job: Job): void {
    if (this.seen.get(job.relativePath) === snapshotKey(job.snapshot)) return;
    this.#counters.seen++;
    const active: Active = { snapshot: job.snapshot, dirty: false };
    this.#active.set(job.relativePath, active);
    this.#stage(this.#identifyLimit, async () => {
      const identified = await identify(this.#context, job);
      if (identified.kind === 'skip') return this.#done(job, active, identified.outcome);
      this.#stage(this.#handleLimit, async () =>
        this.#done(job, active, await handle(this.#context, job, identified.identity)),
      );
    });
  }

  /**
   * Runs `work` in a slot of `limit`. Once started it is kept for close() to wait on (queued
   * work is dropped by stop()); a failure in it (the ledger) stops the watcher.
   */
  #stage(limit: LimitFunction, work: () => Promise<void>): void {
    void limit(() => {
      const running = work().catch((error: unknown) => this.#fail(ensureError(error)));
      this.#running.add(running);
      return running.finally(() => this.#running.delete(running));
    });
  }

  #done(job: Job, active: Active, outcome: Outcome): void {
    this.#active.delete(job.relativePath);
    if (outcome === 'processed' || outcome === 'duplicate' || outcome === 'quarantined') {
      this.#counters[outcome === 'duplicate' ? 'duplicates' : outcome]++;
      this.seen.set(job.relativePath, snapshotKey(job.snapshot));
    } else if (outcome === 'vanished') {
      this.#counters.vanished++;
      this.seen.delete(job.relativePath);
    }
    if (outcome === 'changed' || (active.dirty && outcome !== 'interrupted'))
      this.#recheck(job.relativePath, job.path);
  }
}
