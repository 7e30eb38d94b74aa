import { appendFile } from 'node:fs/promises';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { watchDirectory } from '../../src/fs/watch.js';
import { bundleFixture } from '../helpers/bundle.js';
import { killQuietly } from '../helpers/processes.js';
import { type RunningScript, repoRoot, startScript } from '../helpers/run-script.js';
import {
  duplicatesIn,
  type Inbox,
  makeInbox,
  readLedger,
  readLog,
  waitFor,
  writeFiles,
} from '../helpers/watch.js';

/*
 * The watcher in real child processes: a file-descriptor limit, SIGKILL mid-burst, SIGSTOP
 * while a burst overflows the inotify queue, and a second watcher racing for the ledger.
 */

let child: string;
let inbox: Inbox;
const started: RunningScript[] = [];

beforeAll(async () => {
  child = await bundleFixture(`${repoRoot}test/fixtures/fs/watch-child.ts`);
});
afterEach(async () => {
  for (const script of started.splice(0)) killQuietly(script.child.pid ?? 0);
  await inbox?.cleanup();
});

interface ChildOptions {
  concurrency?: number;
  stableMs?: number;
  reconcileIntervalMs?: number;
  delayMs?: number;
  /** Soft limit on open file descriptors (`ulimit -n`). */
  maxFiles?: number;
}

/** Starts the watcher child on the inbox; resolves once it printed `ready`. */
async function startWatcher(options: ChildOptions = {}): Promise<RunningScript> {
  const { maxFiles, ...rest } = options;
  const args = [
    child,
    JSON.stringify({ dir: inbox.dir, ledger: inbox.ledger, log: `${inbox.base}/log`, ...rest }),
  ];
  const script =
    maxFiles === undefined
      ? startScript(process.execPath, args)
      : startScript('/bin/sh', ['-c', `ulimit -n ${maxFiles} && exec "$0" "$@"`, process.execPath, ...args]);
  started.push(script);
  await script.waitForStdout(/^ready /m);
  return script;
}

/** SIGTERM, then the watcher's final stats. */
async function stopWatcher(script: RunningScript): Promise<Record<string, number>> {
  script.child.kill('SIGTERM');
  const result = await script.done(60_000);
  expect(result.exitCode, result.stderr).toBe(0);
  const line = result.stdout.split('\n').find((text) => text.startsWith('stats '));
  return JSON.parse(line!.slice('stats '.length)) as Record<string, number>;
}

const log = () => readLog(`${inbox.base}/log`);
const distinct = async () => new Set(await log()).size;

describe('watchDirectory in child processes', () => {
  it('handles each of 5,000 files created in a burst exactly once, with 256 file descriptors', async () => {
    inbox = await makeInbox();
    const watcher = await startWatcher({ concurrency: 16, maxFiles: 256 });
    const names = await writeFiles(inbox.dir, 5000);
    await waitFor(async () => (await distinct()) === names.length, '5,000 files handled', 120_000);
    const stats = await stopWatcher(watcher);
    const lines = await log();
    expect(lines.length).toBe(5000);
    expect(new Set(lines)).toEqual(new Set(names));
    expect(stats).toMatchObject({ processed: 5000, failed: 0, quarantined: 0 });
    expect(watcher.stderr).not.toMatch(/EMFILE|ENFILE/);
    expect((await readLedger(inbox.ledger)).length).toBe(5000);
  }, 180_000);

  it('SIGKILLed while 2,000 files are processed: after a restart every file is handled, duplicates <= concurrency', async () => {
    inbox = await makeInbox();
    const names = await writeFiles(inbox.dir, 2000);
    const concurrency = 8;
    const first = await startWatcher({ concurrency, delayMs: 5 });
    await waitFor(async () => (await log()).length >= 400, '400 handler starts');
    first.child.kill('SIGKILL');
    await first.done();
    const beforeRestart = await distinct();
    expect(beforeRestart).toBeLessThan(names.length);
    // A write torn by the crash: the ledger must still load.
    await appendFile(inbox.ledger, '{"id":"sha256:0123456789abcdef","path":"torn');

    const second = await startWatcher({ concurrency, delayMs: 5 });
    const ledgerStats = JSON.parse(second.stdout.split('\n')[0]!.slice('ready '.length)) as {
      tornBytes: number;
    };
    expect(ledgerStats.tornBytes).toBeGreaterThan(0);
    await waitFor(async () => (await distinct()) === names.length, 'all 2,000 files handled', 120_000);
    const stats = await stopWatcher(second);
    const lines = await log();
    expect(new Set(lines)).toEqual(new Set(names));
    // Only files whose handler had started but whose outcome was not yet on disk run twice.
    expect(duplicatesIn(lines).length).toBeLessThanOrEqual(concurrency);
    expect(lines.length - names.length).toBeLessThanOrEqual(concurrency);
    expect((stats.processed ?? 0) + beforeRestart).toBeGreaterThanOrEqual(names.length);
    expect(new Set((await readLedger(inbox.ledger)).map((entry) => entry.path))).toEqual(new Set(names));
  }, 180_000);

  it('refuses a second watcher on the same ledger while the first runs', async () => {
    inbox = await makeInbox();
    const first = await startWatcher();
    const second = watchDirectory(inbox.dir, () => {}, { ledger: inbox.ledger, stableMs: 100 });
    const error = await second.ready.catch((thrown: unknown) => thrown);
    expect(hasCode(error, 'SRE_LOCK_HELD')).toBe(true);
    expect((error as Error).message).toContain(inbox.ledger);
    await expect(second.done).rejects.toBe(error);
    await writeFiles(inbox.dir, 3);
    await waitFor(async () => (await distinct()) === 3, 'the first watcher to handle 3 files');
    await stopWatcher(first);
  });

  it('handles 20,000 files created while its process is stopped and the inotify queue overflows', async () => {
    inbox = await makeInbox();
    const watcher = await startWatcher({ concurrency: 16, stableMs: 200, reconcileIntervalMs: 1000 });
    watcher.child.kill('SIGSTOP');
    let names: string[];
    try {
      names = await writeFiles(inbox.dir, 20_000);
    } finally {
      watcher.child.kill('SIGCONT');
    }
    await waitFor(async () => (await distinct()) === names.length, 'all 20,000 files handled', 240_000);
    const stats = await stopWatcher(watcher);
    const lines = await log();
    expect(lines.length).toBe(names.length);
    expect(stats).toMatchObject({ processed: 20_000, quarantined: 0 });
  }, 300_000);
});
