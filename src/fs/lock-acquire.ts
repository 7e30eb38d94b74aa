import * as fs from 'node:fs';
import { AbortError, LockError } from '../errors/index.js';
import { ReleaseWatch } from './lock-wait.js';
import { readOwner } from './owner.js';
import { toFileError } from './paths.js';
import { takeOverIfStale } from './takeover.js';

const FAR_FUTURE_MS = 2 ** 31 - 1;
/** How often a waiting contender judges whether the lock is stale. */
const JUDGE_EVERY_MS = 25;

type Callback<T = void> = (error: NodeJS.ErrnoException | null, value?: T) => void;

/** Runs a synchronous fs call and reports it to a Node-style callback on the next tick. */
function deferred<T>(call: () => T, callback: Callback<T>): void {
  let value: T;
  try {
    value = call();
  } catch (error) {
    process.nextTick(callback, error as NodeJS.ErrnoException);
    return;
  }
  process.nextTick(callback, null, value);
}

/**
 * The fs that proper-lockfile is given: its calls (mkdir and stat to take the lock, stat and
 * utimes to refresh it, rmdir to release it) are done synchronously. Each is one metadata
 * syscall on the lock directory, microseconds on a local disk, while going through the
 * libuv threadpool costs a round trip of the event loop each, which is what an uncontended
 * update used to spend most of its time waiting for. Callbacks still arrive asynchronously,
 * as proper-lockfile expects. One object for the process: proper-lockfile caches the
 * mtime precision it probed on the fs object.
 */
const syncLockFs = {
  realpath: (path: string, callback: Callback<string>) => deferred(() => fs.realpathSync(path), callback),
  mkdir: (path: string, callback: Callback) => deferred(() => void fs.mkdirSync(path), callback),
  stat: (path: string, callback: Callback<fs.Stats>) => deferred(() => fs.statSync(path), callback),
  utimes: (path: string, atime: Date, mtime: Date, callback: Callback) =>
    deferred(() => fs.utimesSync(path, atime, mtime), callback),
  rmdir: (path: string, callback: Callback) => deferred(() => fs.rmdirSync(path), callback),
  rmdirSync: (path: string) => fs.rmdirSync(path),
};

// Loaded on first use, once: proper-lockfile installs exit handlers when it is imported.
let lockfileModule: Promise<typeof import('proper-lockfile')> | undefined;

/** Normalised options of one acquisition. */
export interface AcquireOptions {
  deadline: number;
  lockTimeoutMs: number;
  staleMs: number;
  signal: AbortSignal | undefined;
  onCompromised: () => void;
}

/**
 * Takes the lock directory of `target` with proper-lockfile, retrying when a watch on its
 * parent sees it removed, or else after a short jittered backoff (2 ms doubling to 50 ms),
 * until the deadline and taking over a stale lock through
 * {@link takeOverIfStale}, so that exactly one contender wins it.
 *
 * @returns proper-lockfile's release function.
 */
export async function acquire(
  target: string,
  lockPath: string,
  options: AcquireOptions,
): Promise<() => Promise<void>> {
  lockfileModule ??= import('proper-lockfile');
  const lockfile = await lockfileModule;
  let backoffMs = 2;
  let release: ReleaseWatch | undefined;
  let judgedAt = Number.NEGATIVE_INFINITY;
  try {
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
          fs: syncLockFs,
        });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED')
          throw toFileError(error, lockPath, 'create the lock');
      }
      // Judged on the first miss (a dead holder on this host is taken over at once), then at
      // most every JUDGE_EVERY_MS: a watch wakes contenders at every change of the lock, and
      // a judgement each time (owner record, /proc, stat) would take the holder's CPU.
      const now = Date.now();
      if (now - judgedAt >= JUDGE_EVERY_MS) {
        judgedAt = now;
        if (await takeOverIfStale(lockPath, options.staleMs)) continue;
      }
      const remaining = options.deadline - Date.now();
      if (remaining <= 0) {
        const owner = readOwner(lockPath);
        throw lockTimeout(
          lockPath,
          options.lockTimeoutMs,
          owner ? `pid ${owner.pid} on ${owner.host}` : undefined,
        );
      }
      if (release === undefined) {
        // Watching from now on; a release before the watch existed is found by trying again at once.
        release = new ReleaseWatch(lockPath);
        continue;
      }
      const jittered = backoffMs / 2 + Math.random() * backoffMs;
      await release.wait(Math.min(jittered, remaining), options.signal);
      backoffMs = Math.min(backoffMs * 2, 50);
      // The watch also fires when another contender makes the directory. While it stands,
      // wait on (until the next judgement is due) instead of trying: a try costs
      // proper-lockfile a stat and an Error, CPU the holder needs on a small machine.
      for (;;) {
        const due = Math.min(judgedAt + JUDGE_EVERY_MS, options.deadline) - Date.now();
        if (due <= 0 || options.signal?.aborted || !exists(lockPath)) break;
        await release.wait(due, options.signal);
      }
    }
  } finally {
    release?.close();
  }
}

function exists(path: string): boolean {
  try {
    fs.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** `SRE_LOCK_TIMEOUT`, naming the lock and, when known, its holder. */
export function lockTimeout(lockPath: string, ms: number, holder: string | undefined): LockError {
  const by = holder ? ` (held by ${holder})` : '';
  return new LockError('SRE_LOCK_TIMEOUT', `Timed out after ${ms} ms waiting for the lock ${lockPath}${by}`, {
    details: { lockPath, lockTimeoutMs: ms, holder: holder ?? null },
  });
}

/** `SRE_ABORTED` for a wait for, or a hold of, the lock that the caller aborted. */
export function aborted(lockPath: string, signal: AbortSignal): AbortError {
  return new AbortError('SRE_ABORTED', `Aborted while holding or waiting for the lock ${lockPath}`, {
    cause: signal.reason,
    details: { lockPath },
  });
}
