import { rm, stat, utimes, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AbortError, ConfigError, LockError } from '../errors/index.js';
import { currentOwner, readOwner } from './owner.js';
import { resolveTarget, toFileError } from './paths.js';
import { inQueue } from './queue.js';
import { takeOverIfStale } from './takeover.js';

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

const FAR_FUTURE_MS = 2 ** 31 - 1;

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
  const lockTimeoutMs = options.lockTimeoutMs ?? 10_000;
  const staleMs = options.staleMs ?? 10_000;
  if (!(lockTimeoutMs >= 0))
    throw new ConfigError(
      'SRE_USAGE',
      `withLock(): lockTimeoutMs must be a non-negative number, received ${lockTimeoutMs}`,
    );
  if (!(staleMs >= 2000))
    throw new ConfigError('SRE_USAGE', `withLock(): staleMs must be at least 2000, received ${staleMs}`);
  const deadline = Date.now() + lockTimeoutMs;
  const waitTurn = async (turn: Promise<void>) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      const ms = Math.max(0, deadline - Date.now());
      timer = setTimeout(
        () => reject(lockTimeout(`${resolve(path)}.lock`, lockTimeoutMs, 'another call in this process')),
        ms,
      );
    });
    try {
      await Promise.race([turn, timeout, ...(options.signal ? [abortPromise(options.signal)] : [])]);
    } finally {
      clearTimeout(timer);
    }
  };
  // The queue key is taken synchronously so that calls keep their order; links to one file
  // get separate queues but still meet at the cross-process lock of the real path.
  return inQueue(resolve(path), waitTurn, async () => {
    const target = await resolveTarget(path);
    const lockPath = `${target}.lock`;
    const controller = new AbortController();
    const onOuterAbort = () => controller.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let compromised = false;
    const onCompromised = () => {
      compromised = true;
      controller.abort(lockCompromised(lockPath));
    };
    const release = await acquire(target, lockPath, {
      deadline,
      lockTimeoutMs,
      staleMs,
      signal: options.signal,
      onCompromised,
    });
    const acquired = await stat(lockPath);
    const owner = currentOwner();
    // Written while the work starts: only contenders judging a dead holder read it. Creating
    // it changes the lock directory's mtime, which proper-lockfile compares at its first
    // refresh with the one it set (a different one means compromised): that mtime is put back.
    const ownerWrite = writeFile(`${lockPath}/owner.json`, JSON.stringify(owner))
      .then(() => utimes(lockPath, acquired.atime, acquired.mtime))
      .then(
        () => true,
        () => false,
      );
    try {
      const assertHeld = async () => {
        const written = await ownerWrite;
        const current = await readOwner(lockPath);
        if (options.signal?.aborted) throw aborted(lockPath, options.signal);
        if (compromised || !written || current?.token !== owner.token) throw lockCompromised(lockPath);
      };
      return await work({ signal: controller.signal, lockPath, path: target, assertHeld });
    } finally {
      options.signal?.removeEventListener('abort', onOuterAbort);
      // Releasing removes the lock directory: only when it is still this holder's, never a
      // directory that a contender made after taking the lock over.
      const ownerWritten = await ownerWrite;
      const now = await stat(lockPath).catch(() => undefined);
      const current = ownerWritten && now?.ino === acquired.ino ? await readOwner(lockPath) : undefined;
      const ours =
        !compromised && now?.ino === acquired.ino && (!ownerWritten || current?.token === owner.token);
      if (ours) {
        if (ownerWritten) await rm(`${lockPath}/owner.json`, { force: true });
        await release().catch(() => {});
      }
    }
  });
}

interface AcquireOptions {
  deadline: number;
  lockTimeoutMs: number;
  staleMs: number;
  signal: AbortSignal | undefined;
  onCompromised: () => void;
}

async function acquire(
  target: string,
  lockPath: string,
  options: AcquireOptions,
): Promise<() => Promise<void>> {
  // Loaded on first use: proper-lockfile installs exit handlers when it is imported.
  const lockfile = await import('proper-lockfile');
  let backoffMs = 2;
  for (;;) {
    if (options.signal?.aborted) throw aborted(lockPath, options.signal);
    try {
      return await lockfile.lock(target, {
        lockfilePath: lockPath,
        realpath: false,
        retries: 0,
        // Staleness is judged by takeOverIfStale; proper-lockfile's own takeover races.
        stale: FAR_FUTURE_MS,
        update: Math.max(1000, Math.floor(options.staleMs / 2)),
        onCompromised: options.onCompromised,
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED')
        throw toFileError(error, lockPath, 'create the lock');
    }
    if (await takeOverIfStale(lockPath, options.staleMs)) continue;
    const remaining = options.deadline - Date.now();
    if (remaining <= 0) {
      const owner = await readOwner(lockPath);
      throw lockTimeout(
        lockPath,
        options.lockTimeoutMs,
        owner ? `pid ${owner.pid} on ${owner.host}` : undefined,
      );
    }
    const jittered = backoffMs / 2 + Math.random() * backoffMs;
    await sleep(
      Math.min(jittered, remaining),
      undefined,
      options.signal ? { signal: options.signal } : {},
    ).catch(() => {});
    backoffMs = Math.min(backoffMs * 2, 50);
  }
}

function lockTimeout(lockPath: string, ms: number, holder: string | undefined): LockError {
  const by = holder ? ` (held by ${holder})` : '';
  return new LockError('SRE_LOCK_TIMEOUT', `Timed out after ${ms} ms waiting for the lock ${lockPath}${by}`, {
    details: { lockPath, lockTimeoutMs: ms, holder: holder ?? null },
  });
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

function aborted(lockPath: string, signal: AbortSignal): AbortError {
  return new AbortError('SRE_ABORTED', `Aborted while holding or waiting for the lock ${lockPath}`, {
    cause: signal.reason,
    details: { lockPath },
  });
}

function abortPromise(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
