import type { LineCounter } from './counter.js';

/**
 * Feeds a {@link LineCounter} chunk after chunk, keeping only the line split across two
 * chunks (as a copy, so the chunks may be reused buffers); never the whole chunk.
 *
 * @example
 * ```ts
 * const feeder = new ChunkFeeder(counter);
 * for await (const chunk of chunks) feeder.push(chunk);
 * feeder.end();
 * ```
 */
export class ChunkFeeder {
  readonly #counter: LineCounter;
  #carry: Buffer | undefined;

  constructor(counter: LineCounter) {
    this.#counter = counter;
  }

  /** Counts the complete lines of `chunk` (with the carried line before it), keeps the rest. */
  push(chunk: Buffer): void {
    const counter = this.#counter;
    let offset = 0;
    if (this.#carry !== undefined) {
      const newline = chunk.indexOf(0x0a);
      if (newline === -1) {
        this.#carry = Buffer.concat([this.#carry, chunk]);
        return;
      }
      const line = Buffer.concat([this.#carry, chunk.subarray(0, newline + 1)]);
      counter.feed(line, line.length, false);
      offset = newline + 1;
      this.#carry = undefined;
    }
    const view = offset === 0 ? chunk : chunk.subarray(offset);
    const used = counter.feed(view, view.length, false);
    if (used < view.length) this.#carry = Buffer.from(view.subarray(used));
  }

  /** Counts the unfinished last line, if any. */
  end(): void {
    if (this.#carry !== undefined) this.#counter.feed(this.#carry, this.#carry.length, true);
    this.#carry = undefined;
  }
}
