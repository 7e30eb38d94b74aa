import { type FileHandle, open, readdir, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { isSreError } from '../errors/index.js';
import { writeAtomic } from './atomic.js';
import { LEDGER_HEADER, type LoadedLedger, loadLedger } from './ledger-format.js';
import type { LedgerEntry } from './ledger-store.js';
import { toFileError } from './paths.js';

const COMPACT_CHUNK_ENTRIES = 1000;

/**
 * The ledger file on disk, for its one holder: appends that are synced before they count,
 * and compaction. The caller holds the ledger's lock and serialises the calls.
 */
export class LedgerFile {
  /** Entry lines in the file (the header is not counted). */
  lines: number;
  /** Set when the state on disk is no longer known: every later append fails with it. */
  failure: Error | undefined;
  private constructor(
    readonly path: string,
    private handle: FileHandle,
    /** The size of the file up to its last synced, complete line. */
    private bytes: number,
    lines: number,
  ) {
    this.lines = lines;
    this.failure = undefined;
  }

  /**
   * Opens (creating with mode 0600) and loads the ledger at its real path: temp files of a
   * compaction that died are removed, a torn last line is cut off, and an empty file gets its
   * header, so that appends always start on a fresh line.
   */
  static async open(path: string): Promise<{ file: LedgerFile; loaded: LoadedLedger }> {
    await removeDeadTemps(path);
    let handle: FileHandle;
    let created = true;
    try {
      handle = await open(path, 'ax+', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw toFileError(error, path, 'create');
      created = false;
      handle = await open(path, 'a+').catch((cause: unknown) => {
        throw toFileError(cause, path, 'open');
      });
    }
    try {
      const loaded = await loadLedger(handle, path);
      if (!loaded.hasHeader) {
        await handle.truncate(0);
        await handle.write(LEDGER_HEADER);
        await handle.datasync();
        loaded.validBytes = Buffer.byteLength(LEDGER_HEADER);
      } else if (loaded.tornBytes > 0) {
        await handle.truncate(loaded.validBytes);
        await handle.datasync();
      }
      if (created) await syncDirectory(dirname(path));
      return { file: new LedgerFile(path, handle, loaded.validBytes, loaded.lines), loaded };
    } catch (error) {
      await handle.close();
      throw isSreError(error) ? error : toFileError(error, path, 'load the ledger');
    }
  }

  /**
   * Appends complete lines with one write and one fdatasync. When the write fails, the file
   * is cut back to its last complete line so that the next append does not join a fragment;
   * when that cut or the sync fails, the state on disk is unknown and {@link failure} is set.
   */
  async append(text: string, lineCount: number): Promise<void> {
    if (this.failure) throw this.failure;
    const data = Buffer.from(text);
    try {
      let written = 0;
      // Each pass writes at least one byte or throws, so this ends.
      while (written < data.length) {
        const { bytesWritten } = await this.handle.write(data, written);
        if (bytesWritten === 0) throw Object.assign(new Error('write(2) wrote nothing'), { code: 'EIO' });
        written += bytesWritten;
      }
    } catch (error) {
      const failure = toFileError(error, this.path, 'append to the ledger');
      await this.handle.truncate(this.bytes).catch(() => {
        this.failure = failure;
      });
      throw failure;
    }
    try {
      await this.handle.datasync();
    } catch (error) {
      // After a failed fsync the kernel may have dropped the dirty pages: never retry it.
      this.failure = toFileError(error, this.path, 'sync the ledger');
      throw this.failure;
    }
    this.bytes += data.length;
    this.lines += lineCount;
  }

  /**
   * Rewrites the ledger with one line per entry through writeAtomic (temp file, fsync,
   * rename, fsync of the directory), then appends to the new file. When the rewrite fails
   * the old file is untouched and still in use; a failure after the rename sets {@link failure}.
   */
  async compact(entries: Iterable<LedgerEntry>, count: number): Promise<void> {
    if (this.failure) throw this.failure;
    await writeAtomic(this.path, serialise(entries));
    const old = this.handle;
    try {
      const next = await open(this.path, 'a+');
      this.handle = next;
      this.bytes = (await next.stat()).size;
    } catch (error) {
      // The old handle appends to a file that is no longer the ledger.
      this.failure = toFileError(error, this.path, 'reopen the compacted ledger');
      throw this.failure;
    } finally {
      if (this.handle !== old) await old.close().catch(() => {});
    }
    this.lines = count;
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}

function* serialise(entries: Iterable<LedgerEntry>): Generator<string> {
  let chunk = LEDGER_HEADER;
  let inChunk = 0;
  for (const entry of entries) {
    chunk += `${JSON.stringify(entry)}\n`;
    if (++inChunk === COMPACT_CHUNK_ENTRIES) {
      yield chunk;
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk !== '') yield chunk;
}

/** Removes `.<name>.<12 hex>.tmp` files (writeAtomic's temp names) left by a compaction that was killed. */
async function removeDeadTemps(path: string): Promise<void> {
  const prefix = `.${basename(path)}.`;
  const names = await readdir(dirname(path)).catch(() => [] as string[]);
  for (const name of names) {
    if (!name.startsWith(prefix) || !/^[0-9a-f]{12}\.tmp$/.test(name.slice(prefix.length))) continue;
    await unlink(join(dirname(path), name)).catch(() => {});
  }
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
