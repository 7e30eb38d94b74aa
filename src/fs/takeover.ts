import { mkdir, rm, stat } from 'node:fs/promises';
import { isOwnerDead, readOwner } from './owner.js';

/**
 * Whether the lock directory is stale: its owner is known dead (same host, pid gone or
 * reused), or nobody refreshed it for `staleMs`. `'gone'` when it no longer exists.
 */
async function judge(lockDir: string, staleMs: number): Promise<'stale' | 'live' | 'gone'> {
  const owner = readOwner(lockDir);
  if (owner !== undefined && isOwnerDead(owner)) return 'stale';
  try {
    const info = await stat(lockDir);
    return info.mtimeMs < Date.now() - staleMs ? 'stale' : 'live';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

/**
 * Removes a stale lock so that a new acquisition can be tried. proper-lockfile's own
 * takeover is a check-then-remove that two contenders can both win, each removing the
 * other's fresh lock (proper-lockfile issue #121). Here takeovers are serialised by a
 * second directory (`<lock>.takeover`, made with an atomic mkdir) and the staleness is
 * judged again while it is held, so a fresh lock is never removed. A takeover directory
 * left by a contender that died mid-takeover is removed once it is `staleMs` old.
 *
 * @returns true when the caller should try to acquire again at once.
 */
export async function takeOverIfStale(lockDir: string, staleMs: number): Promise<boolean> {
  const first = await judge(lockDir, staleMs);
  if (first !== 'stale') return first === 'gone';
  const mutex = `${lockDir}.takeover`;
  try {
    await mkdir(mutex);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const info = await stat(mutex).catch(() => undefined);
    if (info !== undefined && info.mtimeMs < Date.now() - staleMs)
      await rm(mutex, { recursive: true, force: true });
    return false;
  }
  try {
    const second = await judge(lockDir, staleMs);
    if (second === 'stale') await rm(lockDir, { recursive: true, force: true });
    return second !== 'live';
  } finally {
    await rm(mutex, { recursive: true, force: true });
  }
}
