import type { LedgerEntry, LedgerStore } from '../../src/fs/ledger-store.js';

/**
 * A LedgerStore in memory, for tests of the pluggable store: it counts calls, and can be
 * told to fail its next records the way a full disk would.
 */
export class MemoryLedger implements LedgerStore {
  readonly entries = new Map<string, LedgerEntry>();
  readonly calls = { open: 0, record: 0, close: 0 };
  /** When set, record() rejects with it. */
  failWith: Error | undefined;
  #open = false;

  get size(): number {
    return this.entries.size;
  }

  async open(): Promise<void> {
    this.calls.open++;
    this.#open = true;
  }

  get(id: string): LedgerEntry | undefined {
    return this.entries.get(id);
  }

  async record(entry: LedgerEntry): Promise<void> {
    this.calls.record++;
    if (!this.#open) throw new Error('MemoryLedger: record() while closed');
    if (this.failWith) throw this.failWith;
    this.entries.set(entry.id, entry);
  }

  async close(): Promise<void> {
    this.calls.close++;
    this.#open = false;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}
