import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

/** Who holds a lock: written into the lock directory so contenders can tell a dead holder. */
export interface LockOwner {
  token: string;
  pid: number;
  host: string;
  bootId: string;
  startTime: string;
}

/** This process's boot id and start time: constant for its life, so read once, on first use. */
let self: { bootId: string; startTime: string } | undefined;

/** The owner record of this process, with a fresh token for one acquisition. */
export function currentOwner(): LockOwner {
  return { token: randomUUID(), pid: process.pid, host: hostname(), ...getSelf() };
}

function getSelf(): { bootId: string; startTime: string } {
  self ??= { bootId: bootId(), startTime: readStat(process.pid).startTime };
  return self;
}

/**
 * Reads the owner record of a lock directory; `undefined` when absent or unreadable. It is
 * read synchronously: a file of a hundred bytes in the lock directory, microseconds on a
 * local disk, where the asynchronous read costs four threadpool round trips, on the path of
 * every update (see syncLockFs in lock-acquire.ts).
 */
export function readOwner(lockDir: string): LockOwner | undefined {
  try {
    const owner = JSON.parse(readFileSync(`${lockDir}/owner.json`, 'utf8')) as LockOwner;
    return typeof owner.pid === 'number' && typeof owner.token === 'string' ? owner : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether the owner is known to be dead: same host and boot, and its pid is gone or now
 * belongs to a process that started at another time (pid reuse). On another host nothing
 * can be known, so the answer is false and the mtime rule decides.
 */
export function isOwnerDead(owner: LockOwner): boolean {
  if (owner.host !== hostname() || owner.bootId !== getSelf().bootId) return false;
  try {
    process.kill(owner.pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
  const { state, startTime } = readStat(owner.pid);
  if (state === 'Z' || state === 'X') return true; // killed, not yet reaped by its parent
  return startTime !== '' && owner.startTime !== '' && startTime !== owner.startTime;
}

function bootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    return '';
  }
}

/** State and start time (field 22, clock ticks since boot) from /proc/<pid>/stat; '' where there is no /proc. */
function readStat(pid: number): { state: string; startTime: string } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return { state: '', startTime: '' };
  }
}
