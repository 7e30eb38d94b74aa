import type { FileHandle } from 'node:fs/promises';

/** Bytes per read: large enough that a read costs little next to counting it. */
export const READ_SIZE = 1024 * 1024;

/** Read buffers of READ_SIZE given back by finished readers, for the next (a parallel count reads many ranges). */
const spare: Buffer[] = [];
const MAX_SPARE = 4;

/**
 * Reads a file from `start` to its end in chunks of `size` bytes, with the next read in
 * flight while the caller works on the current chunk (reads run on libuv's threadpool, so
 * the counting thread does not wait for them). Two buffers take turns: a chunk is valid
 * only until the next one is asked for, so a caller that keeps bytes must copy them (when
 * the reader ends, its buffers go back to a small pool for the next reader).
 *
 * @example
 * ```ts
 * for await (const chunk of readAhead(handle, 0)) total += chunk.length;
 * ```
 */
export async function* readAhead(
  handle: FileHandle,
  start: number,
  signal?: AbortSignal,
  size = READ_SIZE,
): AsyncGenerator<Buffer, void, undefined> {
  const pooled = size === READ_SIZE;
  const get = () => (pooled ? spare.pop() : undefined) ?? Buffer.allocUnsafe(size);
  const buffers = [get(), get()] as const;
  let turn = 0;
  let position = start;
  const read = () => handle.read(buffers[turn]!, 0, size, position);
  let pending: ReturnType<typeof read> | undefined = read();
  try {
    for (;;) {
      const { bytesRead, buffer } = await pending;
      pending = undefined;
      if (bytesRead === 0) return;
      signal?.throwIfAborted();
      position += bytesRead;
      turn ^= 1;
      pending = read();
      yield bytesRead === size ? buffer : buffer.subarray(0, bytesRead);
    }
  } finally {
    // A caller that stops early leaves a read in flight: let it land before the file closes.
    if (pending !== undefined) await pending.catch(() => undefined);
    if (pooled) for (const buffer of buffers) if (spare.length < MAX_SPARE) spare.push(buffer);
  }
}
