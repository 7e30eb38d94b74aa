import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LedgerEntry } from '../../src/fs/ledger-store.js';
import type { Watcher } from '../../src/fs/watch.js';

/** A temp folder with an `inbox/` to watch and a ledger path beside it. */
export interface Inbox {
  base: string;
  dir: string;
  ledger: string;
  file(name: string): string;
  cleanup(): Promise<void>;
}

export async function makeInbox(prefix = 'sre-kit-watch-'): Promise<Inbox> {
  const base = await mkdtemp(join(tmpdir(), prefix));
  const dir = join(base, 'inbox');
  await mkdir(dir);
  return {
    base,
    dir,
    ledger: join(base, 'ledger.jsonl'),
    file: (name) => join(dir, name),
    cleanup: () => rm(base, { recursive: true, force: true }),
  };
}

/**
 * Polls `check` every 20 ms until it holds; fails with `what` after `timeoutMs`. The timeout
 * is a guard against a hang, not a measurement: the tests wait for conditions, never for time.
 */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  // Bounded by the deadline.
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/**
 * Waits until the watcher has completed a reconcile scan that started after this call and
 * has nothing pending, queued or running: everything in the folder has been dealt with, so
 * a file that was going to be handled (again) would have been by now.
 */
export async function settled(watcher: Watcher, timeoutMs = 30_000): Promise<void> {
  const scans = watcher.stats().scans;
  await waitFor(
    () => {
      const stats = watcher.stats();
      return stats.scans >= scans + 2 && stats.pending === 0 && stats.queued === 0 && stats.inFlight === 0;
    },
    'the watcher to be idle after a reconcile scan',
    timeoutMs,
  );
}

/** Writes `count` files with distinct contents (`<prefix>-<i>.txt`), `parallel` at a time. */
export async function writeFiles(
  dir: string,
  count: number,
  prefix = 'file',
  parallel = 64,
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, index) => `${prefix}-${index}.txt`);
  for (let start = 0; start < count; start += parallel) {
    await Promise.all(
      names.slice(start, start + parallel).map((name) => writeFile(join(dir, name), `${name}\n`)),
    );
  }
  return names;
}

/** The entries of a ledger file (header and a torn last line left out). */
export async function readLedger(path: string): Promise<LedgerEntry[]> {
  const lines = (await readFile(path, 'utf8')).split('\n').slice(1);
  return lines.flatMap((line) => {
    try {
      return [JSON.parse(line) as LedgerEntry];
    } catch {
      return [];
    }
  });
}

/** Lines of a handler log file (one relative path per handler start). */
export async function readLog(path: string): Promise<string[]> {
  const text = await readFile(path, 'utf8').catch(() => '');
  return text.split('\n').filter((line) => line !== '');
}

/** The names that occur more than once. */
export function duplicatesIn(lines: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const line of lines) counts.set(line, (counts.get(line) ?? 0) + 1);
  return [...counts].filter(([, count]) => count > 1).map(([line]) => line);
}
