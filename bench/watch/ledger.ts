import { createHash } from 'node:crypto';
import { FileLedger } from '../../src/fs/ledger.js';

/**
 * Writes a ledger of `entries` processed files, as a long-running watcher leaves it. The
 * records are made in one tick, so the ledger writes them with one write and one fsync.
 */
export async function makeLedger(path: string, entries: number): Promise<void> {
  const ledger = new FileLedger(path);
  await ledger.open();
  const at = new Date().toISOString();
  await Promise.all(
    Array.from({ length: entries }, (_, index) =>
      ledger.record({
        id: `sha256:${createHash('sha256').update(String(index)).digest('hex')}`,
        path: `2024/03/report-${index}.csv`,
        outcome: 'processed',
        at,
        attempts: 1,
      }),
    ),
  );
  await ledger.close();
}
