import type { Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { type Snapshot, sameSnapshot, snapshotOf } from './watch-identity.js';

/** What the stability check reports. */
export interface SettleHandlers {
  /** The file has not changed for `stableMs`: it is complete. */
  stable(relativePath: string, path: string, snapshot: Snapshot): void;
  /** The file disappeared before it became stable (not an error). */
  gone(relativePath: string): void;
  /** An lstat failed for another reason than the file being gone. */
  error(relativePath: string, error: unknown): void;
}

interface Pending {
  path: string;
  snapshot: Snapshot;
  /** When a change was last seen (an event, or a stat that differed). */
  changedAt: number;
  due: number;
}

/** lstat calls made at once. */
const BATCH = 256;
/** Rounds per timer callback before yielding to the event loop (with stableMs 0 a busy file is due again at once). */
const ROUNDS = 64;

/**
 * The completeness check: a file is handed over once two observations at least `stableMs`
 * apart show the same size, mtime and inode, with no event in between. It does the job of
 * chokidar's awaitWriteFinish, for files found at start-up and by scans too (chokidar skips
 * awaitWriteFinish for its initial scan, paulmillr/chokidar#594), and with one timer for all
 * files instead of one per file. Files are kept in due order: every due time is "now +
 * stableMs", so re-inserting a touched file at the end of the Map keeps the Map sorted.
 */
export class StabilityCheck {
  readonly #pending = new Map<string, Pending>();
  readonly #stableMs: number;
  readonly #on: SettleHandlers;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #closed = false;

  constructor(stableMs: number, handlers: SettleHandlers) {
    this.#stableMs = stableMs;
    this.#on = handlers;
  }

  get size(): number {
    return this.#pending.size;
  }

  has(relativePath: string): boolean {
    return this.#pending.has(relativePath);
  }

  /**
   * A file was created or changed (an event) or found (a scan) as `snapshot`: it must now
   * stay so for `stableMs`. A report of the snapshot already pending is no news (chokidar's
   * `add` often comes after the raw event that reported the file first) and changes nothing.
   */
  touch(relativePath: string, path: string, snapshot: Snapshot): void {
    if (this.#closed) return;
    const pending = this.#pending.get(relativePath);
    if (pending && sameSnapshot(pending.snapshot, snapshot)) return;
    const now = performance.now();
    this.#pending.delete(relativePath);
    this.#pending.set(relativePath, { path, snapshot, changedAt: now, due: now + this.#stableMs });
    this.#arm();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#pending.clear();
  }

  #arm(): void {
    if (this.#timer !== undefined || this.#running || this.#closed) return;
    const first = this.#pending.values().next();
    if (first.done) return;
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void this.#run();
      },
      Math.max(0, first.value.due - performance.now()),
    );
  }

  async #run(): Promise<void> {
    this.#running = true;
    try {
      for (let round = 0; round < ROUNDS && !this.#closed; round++) {
        const now = performance.now();
        const due: Array<[string, Pending]> = [];
        for (const item of this.#pending) {
          if (item[1].due > now || due.length === BATCH) break;
          due.push(item);
        }
        if (due.length === 0) break;
        const observed = await Promise.all(
          due.map(([, pending]) =>
            lstat(pending.path).catch((error: unknown) =>
              error instanceof Error ? error : new Error(String(error)),
            ),
          ),
        );
        if (this.#closed) return;
        for (const [index, [relativePath, pending]] of due.entries())
          this.#judge(relativePath, pending, observed[index]!);
      }
    } finally {
      this.#running = false;
      this.#arm();
    }
  }

  #judge(relativePath: string, pending: Pending, observed: Stats | Error): void {
    // Touched while the stat ran: the newer entry decides.
    if (this.#pending.get(relativePath) !== pending) return;
    this.#pending.delete(relativePath);
    if (observed instanceof Error) {
      const code = (observed as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') this.#on.gone(relativePath);
      else this.#on.error(relativePath, observed);
      return;
    }
    if (!observed.isFile()) return;
    const now = performance.now();
    const current = snapshotOf(observed);
    // Only due entries are judged, so `now - changedAt >= stableMs` holds unless a change came in.
    if (sameSnapshot(current, pending.snapshot) && now - pending.changedAt >= this.#stableMs) {
      this.#on.stable(relativePath, pending.path, current);
      return;
    }
    this.#pending.set(relativePath, {
      path: pending.path,
      snapshot: current,
      changedAt: now,
      due: now + this.#stableMs,
    });
  }
}
