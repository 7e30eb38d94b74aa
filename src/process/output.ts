/**
 * Collects one output stream up to a byte limit. Past the limit it either reports the
 * overflow (the caller kills the tree) or, when truncating, keeps the first and the last
 * half of the limit and counts what was dropped in between.
 */
export class OutputCollector {
  readonly #limit: number;
  readonly #truncate: boolean;
  readonly #head: Buffer[] = [];
  #headBytes = 0;
  #tail: Buffer[] = [];
  #tailBytes = 0;
  #dropped = 0;
  #total = 0;

  constructor(limit: number, truncate: boolean) {
    this.#limit = limit;
    this.#truncate = truncate;
  }

  /** Adds a chunk; returns false when the limit is passed and output is not truncated. */
  add(chunk: Buffer): boolean {
    this.#total += chunk.length;
    if (!this.#truncate) {
      if (this.#total > this.#limit) return false;
      this.#head.push(chunk);
      return true;
    }
    const headRoom = Math.ceil(this.#limit / 2) - this.#headBytes;
    if (headRoom > 0) {
      const part = chunk.subarray(0, headRoom);
      this.#head.push(part);
      this.#headBytes += part.length;
      chunk = chunk.subarray(part.length);
      if (chunk.length === 0) return true;
    }
    this.#tail.push(chunk);
    this.#tailBytes += chunk.length;
    const tailLimit = Math.floor(this.#limit / 2);
    while (this.#tailBytes > tailLimit) {
      const first = this.#tail[0]!;
      const excess = this.#tailBytes - tailLimit;
      if (first.length <= excess) {
        this.#tail.shift();
        this.#tailBytes -= first.length;
        this.#dropped += first.length;
      } else {
        this.#tail[0] = first.subarray(excess);
        this.#tailBytes -= excess;
        this.#dropped += excess;
      }
    }
    return true;
  }

  /** Bytes seen in all, kept or not. */
  get totalBytes(): number {
    return this.#total;
  }

  /** Whether bytes were dropped from the middle. */
  get truncated(): boolean {
    return this.#dropped > 0;
  }

  /** The kept bytes; when truncated, head and tail joined by a marker line. */
  toBuffer(): Buffer {
    if (this.#dropped === 0) return Buffer.concat([...this.#head, ...this.#tail]);
    const marker = Buffer.from(`\n[… ${this.#dropped} bytes truncated …]\n`);
    return Buffer.concat([...this.#head, marker, ...this.#tail]);
  }

  /** The last `bytes` bytes kept, decoded: for error messages. */
  tailText(bytes: number): string {
    const all = this.toBuffer();
    return all.subarray(Math.max(0, all.length - bytes)).toString('utf8');
  }
}
