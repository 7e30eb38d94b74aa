import { createHash } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open } from 'node:fs/promises';
import { toFileError } from './paths.js';

/** What the stability check and the stat identity look at. */
export interface Snapshot {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

const CHUNK_BYTES = 1 << 20;

export function snapshotOf(stats: Pick<Stats, 'dev' | 'ino' | 'size' | 'mtimeMs'>): Snapshot {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

/** Whether two snapshots show the same file unchanged (a replaced file has another inode). */
export function sameSnapshot(a: Snapshot, b: Snapshot): boolean {
  return a.ino === b.ino && a.dev === b.dev && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** `<dev>:<ino>:<size>:<mtimeMs>`: the key of a file version, for the in-memory "already seen" map. */
export function snapshotKey(snapshot: Snapshot): string {
  return `${snapshot.dev}:${snapshot.ino}:${snapshot.size}:${snapshot.mtimeMs}`;
}

/** The `stat` identity: `stat:<dev>:<ino>:<size>:<mtimeMs>`. */
export function statIdentity(snapshot: Snapshot): string {
  return `stat:${snapshotKey(snapshot)}`;
}

/** The result of hashing a file that was expected to be `expected`. */
export type Hashed = { kind: 'hashed'; identity: string } | { kind: 'changed' | 'vanished' };

/**
 * The `content` identity, `sha256:<hex>`, read in 1 MiB chunks through one descriptor. The
 * descriptor is checked against the stable snapshot after the read: a file that was
 * replaced or written to since it was found stable is reported as `changed` (back to the
 * stability check), one that is gone as `vanished`.
 *
 * @throws `SRE_FILE_PERMISSION`, `SRE_FILE_IO` (named with the path).
 */
export async function hashFile(path: string, expected: Snapshot, signal: AbortSignal): Promise<Hashed> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { kind: 'vanished' };
    throw toFileError(error, path, 'read');
  }
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK_BYTES, expected.size + 1));
    // Bounded by the stable size (one byte more, to notice growth); the stat below catches the rest.
    for (let position = 0; position <= expected.size; ) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      position += bytesRead;
    }
    // The same inode (not replaced before the open), the same size and mtime (not written to).
    if (!sameSnapshot(snapshotOf(await handle.stat()), expected)) return { kind: 'changed' };
    return { kind: 'hashed', identity: `sha256:${hash.digest('hex')}` };
  } catch (error) {
    if (signal.aborted) throw error;
    throw toFileError(error, path, 'read');
  } finally {
    await handle.close();
  }
}
