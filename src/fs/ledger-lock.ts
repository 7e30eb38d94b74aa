import { hasCode, LockError } from '../errors/index.js';
import { type LockContext, withLock } from './lock.js';

/** A lock taken for as long as its holder wants it. */
export interface HeldLock {
  context: LockContext;
  /** Releases the lock (once the holder is done with the file) and waits until it is gone. */
  release(): Promise<void>;
}

/**
 * Takes the lock of a ledger without waiting and keeps it until `release()`: withLock around
 * a promise that stays pending. Its dead-holder detection lets a restart after a SIGKILL
 * take the ledger at once; a live holder is refused with `SRE_LOCK_HELD`.
 */
export function holdLock(path: string, staleMs: number): Promise<HeldLock> {
  return new Promise((resolve, reject) => {
    let finish!: () => void;
    const finished = new Promise<void>((done) => {
      finish = done;
    });
    const held = withLock(
      path,
      (context) => {
        resolve({
          context,
          release: async () => {
            finish();
            await held.catch(() => {});
          },
        });
        return finished;
      },
      { lockTimeoutMs: 0, staleMs },
    );
    // Rejections after the lock was taken (a failed release) change nothing: resolve() won.
    held.catch((error: unknown) => reject(hasCode(error, 'SRE_LOCK_TIMEOUT') ? inUse(path, error) : error));
  });
}

function inUse(path: string, error: LockError): LockError {
  const details = error.details as { lockPath?: string; holder?: string | null };
  const lockPath = details.lockPath ?? `${path}.lock`;
  const holder =
    details.holder === 'another call in this process'
      ? 'another FileLedger in this process'
      : (details.holder ?? `another process (lock ${lockPath})`);
  return new LockError(
    'SRE_LOCK_HELD',
    `The ledger ${path} is in use by ${holder}; two watchers on one ledger would process files twice`,
    { cause: error, details: { path, lockPath, holder } },
  );
}
