/** Tour step: a watched drop folder where each file is handled once, even across a restart. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Watcher, type WatcherStats, watchDirectory, writeAtomic } from 'sre-kit/fs';
import { say, step, type TourContext } from './tour.js';

const FILES = ['orders-0001.csv', 'orders-0002.csv', 'orders-0003.csv'];

/** Files the watcher is done with: handled, or skipped as already handled. */
const settled = (stats: WatcherStats) =>
  stats.processed + stats.duplicates + stats.quarantined + stats.vanished;

/** Waits until `done()` holds, checking every 50 ms, for at most `timeoutMs`. */
async function until(done: () => boolean, timeoutMs: number, what: string, signal: AbortSignal) {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`the watcher did not ${what} within ${timeoutMs} ms`);
    await sleep(50, undefined, { signal });
  }
}

export async function watchStep({ signal, dir }: TourContext): Promise<void> {
  step('fs: a watched folder, each new file handled once, even after a restart');
  const inbox = join(dir, 'inbox');
  const ledger = join(dir, 'inbox.ledger.jsonl');
  await mkdir(inbox);
  const handled: string[] = [];
  // stableMs: a file is handed over once unchanged for this long (a writer may still be at it).
  const start = (): Watcher =>
    watchDirectory(inbox, (file) => void handled.push(file.relativePath), { ledger, stableMs: 200, signal });

  const first = start();
  try {
    await first.ready;
    for (const name of FILES) await writeAtomic(join(inbox, name), `id,total\n${name.slice(7, 11)},42\n`);
    await until(() => settled(first.stats()) >= FILES.length, 10_000, 'handle the files', signal);
    // The same bytes under another name: one identity, so not handed over again.
    await writeAtomic(join(inbox, 'orders-0001-copy.csv'), 'id,total\n0001,42\n');
    await until(() => settled(first.stats()) >= FILES.length + 1, 10_000, 'see the files', signal);
    const stats = first.stats();
    say(
      `dropped ${FILES.length} files and a copy of one: handled ${handled.length} (${[...handled].sort().join(', ')})`,
    );
    say(`the copy has the same bytes, so it is a duplicate: duplicates=${stats.duplicates}`);
  } finally {
    await first.close();
  }

  // A restart finds the same files in the folder; the ledger says they were handled.
  const before = handled.length;
  const second = start();
  try {
    await second.ready;
    await until(() => settled(second.stats()) >= FILES.length + 1, 10_000, 'rescan the folder', signal);
    const stats = second.stats();
    say(
      `after a restart: ${handled.length - before} handled again, ${stats.duplicates} skipped as already handled (the ledger has ${stats.ledgerEntries} entries)`,
    );
  } finally {
    await second.close();
  }
}
