interface Pending {
  line: string;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: lines queued while a commit is in flight go out together in the next one,
 * so a burst of records costs a few write + fsync rounds instead of one each, and every
 * line still resolves only once the commit that carried it is done.
 */
export class GroupCommit {
  #pending: Pending[] = [];
  #flushing: Promise<void> | undefined;

  /**
   * @param commit writes one batch durably; a rejection rejects that batch's lines only.
   * @param afterBatch runs after a batch's lines resolved and before the next batch (compaction).
   */
  constructor(
    private readonly commit: (lines: readonly string[]) => Promise<void>,
    private readonly afterBatch: () => Promise<void>,
  ) {}

  /** Queues a complete line; resolves once it is committed. */
  add(line: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ line, resolve, reject });
      this.#flushing ??= this.#flush();
    });
  }

  /** Resolves once every line queued so far has been committed or refused. */
  async idle(): Promise<void> {
    await this.#flushing;
  }

  async #flush(): Promise<void> {
    // Lines queued in the same tick as the first one go into its batch.
    await Promise.resolve();
    try {
      // Each pass takes what was queued while the previous one ran; callers queue a bounded number.
      while (this.#pending.length > 0) {
        const batch = this.#pending;
        this.#pending = [];
        try {
          await this.commit(batch.map((pending) => pending.line));
        } catch (error) {
          for (const pending of batch) pending.reject(error);
          continue;
        }
        for (const pending of batch) pending.resolve();
        await this.afterBatch();
      }
    } finally {
      this.#flushing = undefined;
    }
  }
}
