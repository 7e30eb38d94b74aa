import { once } from 'node:events';
import { watch } from 'chokidar';
import { watchDirectory } from '../../src/fs/watch.js';

/** The watchers measured side by side. */
export const CONTENDERS = {
  /** sre-kit with its defaults (content identity, concurrency 16) and a ledger file. */
  'sre-kit (defaults)': { durable: true, identity: 'content', concurrency: 16 },
  /** The same with stat identity: no read to hash each file. */
  "sre-kit, identity: 'stat'": { durable: true, identity: 'stat', concurrency: 16 },
  /**
   * What a careful script does without sre-kit: chokidar with awaitWriteFinish (the same
   * stability wait, polled every 100 ms), a Set of the paths handled, in memory only, and
   * every handler started at once.
   */
  'chokidar + Set (textbook)': { durable: false, identity: 'path', concurrency: Number.POSITIVE_INFINITY },
} as const;
export type ContenderName = keyof typeof CONTENDERS;
export const BASELINE: ContenderName = 'chokidar + Set (textbook)';

/** A running contender. */
export interface Running {
  close(): Promise<void>;
}

/**
 * Starts a contender on `inbox` (sre-kit with its ledger at `ledger`) and resolves once it
 * watches. `onFile` is the handler: called once per file the contender hands over.
 */
export async function startContender(
  name: ContenderName,
  inbox: string,
  ledger: string,
  stableMs: number,
  onFile: (path: string) => Promise<void>,
): Promise<Running> {
  if (name === BASELINE) {
    const handled = new Set<string>();
    const watcher = watch(inbox, {
      ignoreInitial: true,
      awaitWriteFinish: { stabilityThreshold: stableMs, pollInterval: 100 },
    });
    watcher.on('add', (path) => {
      if (handled.has(path)) return;
      handled.add(path);
      void onFile(path);
    });
    await once(watcher, 'ready');
    return { close: () => watcher.close() };
  }
  const { identity, concurrency } = CONTENDERS[name];
  const watcher = watchDirectory(inbox, (file) => onFile(file.path), {
    ledger,
    identity: identity === 'stat' ? 'stat' : 'content',
    concurrency,
    stableMs,
  });
  await watcher.ready;
  return { close: () => watcher.close() };
}
