import { type Stats, statSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ConfigError, LockError } from '../errors/index.js';
import { aborted, acquire, lockTimeout } from './lock-acquire.js';
import { currentOwner, type LockOwner, readOwner } from './owner.js';
import { resolveTarget } from './paths.js';
import { boundedTurn, inQueue } from './queue.js';

/** Options of {@link withLock}. */
export interface LockOptions {
  /** How long to wait for the lock, then `SRE_LOCK_TIMEOUT`. @default 10000 */
  lockTimeoutMs?: number;
  /** A lock not refreshed for this long is taken over (at least 2000; a holder on this host that died is taken over at once). @default 10000 */
  staleMs?: number;
  /** Aborts the wait for the lock, and is passed on to the work. */
  signal?: AbortSignal;
}

/** What the work inside {@link withLock} is given. */
export interface LockContext {
  /** Aborted when the lock is lost (taken over as stale) or the caller's signal aborts. */
  signal: AbortSignal;
  /** The lock directory (`<file>.lock`). */
  lockPath: string;
  /** The real path of the locked file. */
  path: string;
  /** Throws `SRE_LOCK_COMPROMISED` unless the lock is still this holder's; call it right before committing. */
  assertHeld(): Promise<void>;
}

/**
 * Runs `work` while holding the cross-process lock of `path` (a sidecar directory
 * `<path>.lock`, made by proper-lockfile and refreshed while held). Waiting costs
 * milliseconds: the lock is retried with a short jittered backoff, a holder on this host
 * that died is detected at once, and a lock not refreshed for `staleMs` is taken over by
 * exactly one contender. Calls from one process for one file queue in process first.
 *
 * @throws `SRE_LOCK_TIMEOUT` (naming the lock and its holder), `SRE_LOCK_COMPROMISED`,
 *   `SRE_ABORTED`, `SRE_FILE_NOT_FOUND` when the directory does not exist.
 *
 * @example
 * ```ts
 * import { withLock } from 'sre-kit/fs';
 *
 * await withLock('/etc/app/certs.json', async ({ assertHeld }) => {
 *   const certificate = await renewCertificate();
 *   await assertHeld();
 *   await installCertificate(certificate);
 * }, { lockTimeoutMs: 30_000 });
 * ```
 */
export async function withLock<T>(
  path: string,
  work: (context: LockContext) => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const normalized = normalizeLockOptions(options);
  // The queue key is taken synchronously so that calls keep their order; links to one file
  // get separate queues but still meet at the cross-process lock of the real path.
  return inQueue(
    resolve(path),
    boundedTurn(normalized.deadline, normalized.signal, () => inProcess(resolve(path), normalized)),
    async () => hold(await resolveTarget(path), work, normalized),
  );
}

/**
 * {@link withLock} for a path that {@link resolveTarget} has already resolved (updateJson
 * resolves it once, for its own use and for the lock).
 */
export function withResolvedLock<T>(
  target: string,
  work: (context: LockContext) => Promise<T> | T,
  options: LockOptions = {},
): Promise<T> {
  const normalized = normalizeLockOptions(options);
  return inQueue(
    target,
    boundedTurn(normalized.deadline, normalized.signal, () => inProcess(target, normalized)),
    () => hold(target, work, normalized),
  );
}

interface NormalizedLockOptions {
  lockTimeoutMs: number;
  staleMs: number;
  signal: AbortSignal | undefined;
  deadline: number;
}

function normalizeLockOptions(options: LockOptions): NormalizedLockOptions {
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 10_000;
  if (!(lockTimeoutMs >= 0))
    throw new ConfigError(
      'SRE_USAGE',
      `withLock(): lockTimeoutMs must be a non-negative number, received ${lockTimeoutMs}`,
    );
  if (!(staleMs >= 2000))
    throw new ConfigError('SRE_USAGE', `withLock(): staleMs must be at least 2000, received ${staleMs}`);
  return { lockTimeoutMs, staleMs, signal: options.signal, deadline: Date.now() + lockTimeoutMs };
}

/**
 * Takes the cross-process lock of `target`, runs the work, releases. The small metadata
 * operations on the lock directory (its stat, the owner record, utimes, the unlink) are
 * synchronous, for the reason given at syncLockFs in lock-acquire.ts.
 */
async function hold<T>(
  target: string,
  work: (context: LockContext) => Promise<T> | T,
  options: NormalizedLockOptions,
): Promise<T> {
  const lockPath = `${target}.lock`;
  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let compromised = false;
  const onCompromised = () => {
    compromised = true;
    controller.abort(lockCompromised(lockPath));
  };
  let release: () => Promise<void>;
  try {
    release = await acquire(target, lockPath, { ...options, onCompromised });
  } catch (error) {
    options.signal?.removeEventListener('abort', onOuterAbort);
    throw error;
  }
  const acquired = statSync(lockPath);
  const owner = currentOwner();
  let written = false;
  let markWritten!: () => void;
  const ownerWritten = new Promise<void>((resolve) => {
    markWritten = resolve;
  });
  try {
    const assertHeld = async () => {
      await ownerWritten;
      const current = readOwner(lockPath);
      if (options.signal?.aborted) throw aborted(lockPath, options.signal);
      if (compromised || !written || current?.token !== owner.token) throw lockCompromised(lockPath);
    };
    // The work starts first and the owner record is written while its first asynchronous
    // call (updateJson's read of the file) is under way: only contenders judging a dead
    // holder read the record, and until it exists they judge by the mtime, which is fresh.
    const working = (async () => work({ signal: controller.signal, lockPath, path: target, assertHeld }))();
    written = writeOwner(lockPath, owner, acquired);
    markWritten();
    return await working;
  } finally {
    options.signal?.removeEventListener('abort', onOuterAbort);
    // Releasing removes the lock directory: only when it is still this holder's, never a
    // directory that a contender made after taking the lock over.
    const now = statOrUndefined(lockPath);
    const current = written && now?.ino === acquired.ino ? readOwner(lockPath) : undefined;
    const ours = !compromised && now?.ino === acquired.ino && (!written || current?.token === owner.token);
    if (ours) {
      if (written) removeOwner(lockPath);
      await release().catch(() => {});
    }
  }
}

/**
 * Writes the owner record that contenders read to judge a dead holder. Creating it changes
 * the lock directory's mtime, which proper-lockfile compares at its first refresh with the
 * one it set (a different one means compromised): that mtime is put back.
 *
 * @returns whether it was written; when not, the lock counts as not held at assertHeld.
 */
function writeOwner(lockPath: string, owner: LockOwner, acquired: Stats): boolean {
  try {
    writeFileSync(`${lockPath}/owner.json`, JSON.stringify(owner));
    utimesSync(lockPath, acquired.atime, acquired.mtime);
    return true;
  } catch {
    return false;
  }
}

function removeOwner(lockPath: string): void {
  try {
    unlinkSync(`${lockPath}/owner.json`);
  } catch {
    // Already gone, or not removable: rmdir then fails and the lock is left for staleness.
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

function inProcess(path: string, options: NormalizedLockOptions): LockError {
  return lockTimeout(`${path}.lock`, options.lockTimeoutMs, 'another call in this process');
}

function lockCompromised(lockPath: string): LockError {
  return new LockError(
    'SRE_LOCK_COMPROMISED',
    `The lock ${lockPath} was taken over by another process while held; the work was abandoned`,
    {
      details: { lockPath },
    },
  );
}
