import { type FSWatcher, watch } from 'node:fs';
import { basename, dirname } from 'node:path';

/**
 * Wakes a contender as soon as the lock directory it waits for is removed. Polling alone
 * leaves the lock free for half a backoff interval on average after each release, which under
 * contention costs more than the update itself; an inotify watch on the lock's parent reports
 * the release at once. The timer stays as the fallback for what a watch cannot see (a holder
 * on another NFS client, a watch that could not be made).
 */
export class ReleaseWatch {
  readonly #name: string;
  #watcher: FSWatcher | undefined;
  /** An event came since the last wait: the next wait returns at once. */
  #pending = false;
  #wake: (() => void) | undefined;

  constructor(lockPath: string) {
    this.#name = basename(lockPath);
    try {
      this.#watcher = watch(dirname(lockPath), { persistent: false }, (event, filename) => {
        // 'rename' is a name appearing or going (the release is one); 'change' (the holder's
        // utimes, other files written) would only wake contenders for nothing.
        if (event !== 'rename' || (filename !== null && String(filename) !== this.#name)) return;
        this.#pending = true;
        this.#wake?.();
      });
      this.#watcher.on('error', () => this.close());
    } catch {
      // Out of inotify watches or descriptors: the timer alone will do.
      this.#watcher = undefined;
    }
  }

  /** Resolves when the lock directory changed, after `ms`, or when `signal` aborts. */
  async wait(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (this.#pending || signal?.aborted) {
      this.#pending = false;
      return;
    }
    let timer: NodeJS.Timeout | undefined;
    let onAbort: (() => void) | undefined;
    try {
      await new Promise<void>((resolve) => {
        this.#wake = resolve;
        timer = setTimeout(resolve, ms);
        onAbort = resolve;
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } finally {
      this.#wake = undefined;
      this.#pending = false;
      clearTimeout(timer);
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
  }

  close(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
  }
}
