import type { FileHandle } from 'node:fs/promises';

/** Bytes per read: large enough that a read costs little next to counting it. */
export const READ_SIZE = 1024 * 1024;

/**
 * Reads a file from `start` to its end in chunks of `size` bytes, with the next read in
 * flight while the caller works on the current chunk (reads run on libuv's threadpool, so
 * the counting thread does not wait for them). Two buffers take turns: a chunk is valid
 * only until the next one is asked for, so a caller that keeps bytes must copy them.
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
  const buffers = [Buffer.allocUnsafe(size), Buffer.allocUnsafe(size)] as const;
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
  }
}
