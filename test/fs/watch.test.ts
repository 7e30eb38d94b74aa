import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, readFile, rename, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { isSreError } from '../../src/errors/index.js';
import {
  type FailedEvent,
  type QuarantinedEvent,
  type WatchedFile,
  type Watcher,
  type WatchHandler,
  type WatchOptions,
  watchDirectory,
} from '../../src/fs/watch.js';
import { pauseEvents } from '../../src/fs/watch-watcher.js';
import { MemoryLedger } from '../helpers/memory-ledger.js';
import { type Inbox, makeInbox, readLedger, settled, waitFor, writeFiles } from '../helpers/watch.js';

let inbox: Inbox;
const watchers: Watcher[] = [];

afterEach(async () => {
  await Promise.all(watchers.splice(0).map((watcher) => watcher.close({ timeoutMs: 0 })));
  await inbox?.cleanup();
});

/** A started watcher on the inbox whose handler records each file it is given. */
async function start(options: WatchOptions = {}, handler?: WatchHandler) {
  const handled: WatchedFile[] = [];
  const watcher = watchDirectory(
    inbox.dir,
    async (file, context) => {
      handled.push(file);
      await handler?.(file, context);
    },
    { ledger: inbox.ledger, stableMs: 150, reconcileIntervalMs: 200, retryDelayMs: 10, ...options },
  );
  watchers.push(watcher);
  await watcher.ready;
  const names = () => handled.map((file) => file.relativePath).sort();
  return { watcher, handled, names };
}

describe('watchDirectory', () => {
  it('hands over a file written slowly in pieces once, after it is complete, with its full content', async () => {
    inbox = await makeInbox();
    const contents: string[] = [];
    // stableMs must be longer than the writer's pauses (200 ms); 1500 leaves room for a busy machine.
    const { watcher, handled } = await start({ stableMs: 1500 }, async (file) => {
      contents.push(await readFile(file.path, 'utf8'));
    });
    const target = inbox.file('slow.log');
    // A real writer process: 10 pieces, 200 ms apart, 2 s in all, into the final name.
    const writer = spawn(process.execPath, [
      '-e',
      `const fs = require('node:fs');
       const fd = fs.openSync(process.argv[1], 'w');
       let i = 0;
       const timer = setInterval(() => {
         fs.writeSync(fd, 'piece ' + i + '\\n');
         if (++i === 10) { clearInterval(timer); fs.closeSync(fd); }
       }, 200);`,
      target,
    ]);
    await once(writer, 'exit');
    const expected = Array.from({ length: 10 }, (_, index) => `piece ${index}\n`).join('');
    await waitFor(() => handled.length === 1, 'the slow file to be handled');
    await settled(watcher);
    expect(handled.length).toBe(1);
    expect(contents).toEqual([expected]);
    expect(handled[0]!.size).toBe(expected.length);
  });

  it('after a restart hands over only the files that arrived while it was down', async () => {
    inbox = await makeInbox();
    const first = await start();
    await writeFiles(inbox.dir, 3, 'before');
    await waitFor(() => first.handled.length === 3, '3 files handled');
    await first.watcher.close();
    expect(first.watcher.stats()).toMatchObject({ processed: 3, inFlight: 0 });

    await writeFiles(inbox.dir, 3, 'while-down');
    // A file handled before, renamed while down: the same bytes, not new.
    await rename(inbox.file('before-0.txt'), inbox.file('renamed.txt'));
    const second = await start();
    await waitFor(() => second.handled.length === 3, 'the 3 new files handled');
    await settled(second.watcher);
    expect(second.names()).toEqual(['while-down-0.txt', 'while-down-1.txt', 'while-down-2.txt']);
    expect(second.watcher.stats()).toMatchObject({ processed: 3, duplicates: 3, ledgerEntries: 6 });
  });

  it('retries a poison file, quarantines it with its error, and goes on with the others', async () => {
    inbox = await makeInbox();
    const quarantineDir = join(inbox.dir, 'quarantine');
    const failed: FailedEvent[] = [];
    const quarantined: QuarantinedEvent[] = [];
    const { watcher, handled } = await start({ retries: 2, quarantineDir }, (file) => {
      if (file.relativePath === 'poison.csv') throw new Error('cannot parse line 3');
    });
    watcher.on('failed', (event) => failed.push(event));
    watcher.on('quarantined', (event) => quarantined.push(event));
    await writeFile(inbox.file('poison.csv'), 'a,b\n1,2\n"');
    await writeFiles(inbox.dir, 5, 'good');
    await waitFor(
      () => quarantined.length === 1 && watcher.stats().processed === 5,
      'the poison file quarantined',
    );
    await settled(watcher);

    expect(handled.filter((file) => file.relativePath === 'poison.csv').length).toBe(3);
    expect(failed.map((event) => [event.attempt, event.willRetry])).toEqual([
      [1, true],
      [2, true],
      [3, false],
    ]);
    const movedTo = join(quarantineDir, 'poison.csv');
    expect(quarantined[0]).toMatchObject({ attempts: 3, movedTo, error: { message: 'cannot parse line 3' } });
    expect(await readFile(movedTo, 'utf8')).toBe('a,b\n1,2\n"');
    const entry = (await readLedger(inbox.ledger)).find((item) => item.path === 'poison.csv');
    expect(entry).toMatchObject({
      outcome: 'quarantined',
      attempts: 3,
      error: { code: 'Error', message: 'cannot parse line 3' },
    });
    // The quarantine folder inside the inbox is not watched: the moved file is not handed over again.
    expect(watcher.stats()).toMatchObject({ processed: 5, quarantined: 1, failed: 3 });
  });

  it('through the reconcile scan, hands over files whose events were lost', async () => {
    inbox = await makeInbox();
    const { watcher, handled } = await start();
    (watcher as unknown as { [pauseEvents]: boolean })[pauseEvents] = true;
    const names = await writeFiles(inbox.dir, 200);
    await waitFor(() => handled.length === 200, '200 files handled');
    await settled(watcher);
    expect(new Set(handled.map((file) => file.relativePath))).toEqual(new Set(names));
    expect(watcher.stats()).toMatchObject({ processed: 200, foundByScan: 200 });
  });

  it('with content identity, does not hand over a renamed or touched file again, but does a rewritten one', async () => {
    inbox = await makeInbox();
    const { watcher, handled } = await start();
    await writeFile(inbox.file('a.txt'), 'version 1');
    await waitFor(() => handled.length === 1, 'a.txt handled');
    await rename(inbox.file('a.txt'), inbox.file('b.txt'));
    await utimes(inbox.file('b.txt'), new Date(), new Date(Date.now() + 5000));
    await settled(watcher);
    expect(handled.length).toBe(1);
    expect(watcher.stats().duplicates).toBeGreaterThanOrEqual(1);

    await writeFile(inbox.file('b.txt'), 'version 2');
    await waitFor(() => handled.length === 2, 'the rewritten b.txt handled');
    await settled(watcher);
    expect(handled.map((file) => [file.relativePath, file.identity.slice(0, 7)])).toEqual([
      ['a.txt', 'sha256:'],
      ['b.txt', 'sha256:'],
    ]);
    expect(handled[0]!.identity).not.toBe(handled[1]!.identity);
  });

  it('with stat identity, a rename is the same file and a touch is a new one', async () => {
    inbox = await makeInbox();
    const { watcher, handled } = await start({ identity: 'stat' });
    await writeFile(inbox.file('a.txt'), 'same bytes');
    await waitFor(() => handled.length === 1, 'a.txt handled');
    const { dev, ino, size, mtimeMs } = await stat(inbox.file('a.txt'));
    expect(handled[0]!.identity).toBe(`stat:${dev}:${ino}:${size}:${mtimeMs}`);
    await rename(inbox.file('a.txt'), inbox.file('b.txt'));
    await settled(watcher);
    expect(handled.length).toBe(1);
    await utimes(inbox.file('b.txt'), new Date(), new Date(Date.now() + 5000));
    await waitFor(() => handled.length === 2, 'the touched file handled');
  });

  it('never hands over temp and partial names, and handles a file renamed into place', async () => {
    inbox = await makeInbox();
    const { watcher, handled, names } = await start({ ignore: 'skip-*' });
    for (const name of ['report.csv.tmp', 'video.part', '.hidden', 'notes.txt~', 'skip-me.csv'])
      await writeFile(inbox.file(name), name);
    await writeFile(inbox.file('.report.csv.incoming'), 'the whole report');
    await rename(inbox.file('.report.csv.incoming'), inbox.file('report.csv'));
    await waitFor(() => handled.length === 1, 'report.csv handled');
    await settled(watcher);
    expect(names()).toEqual(['report.csv']);
  });

  it('skips a file that disappears before it is complete, or between attempts', async () => {
    inbox = await makeInbox();
    const { watcher, handled } = await start(
      { quarantineDir: join(inbox.base, 'quarantine') },
      async (file) => {
        await rm(file.path);
        throw new Error('the handler removed it, then failed');
      },
    );
    await writeFile(inbox.file('brief.txt'), 'here and gone');
    await waitFor(() => watcher.stats().pending === 1, 'brief.txt to be waiting to be stable');
    await rm(inbox.file('brief.txt'));
    await writeFile(inbox.file('removed-by-handler.txt'), 'x');
    await waitFor(() => watcher.stats().vanished === 2, 'both files to be seen as gone');
    await settled(watcher);
    expect(handled.map((file) => file.relativePath)).toEqual(['removed-by-handler.txt']);
    expect(watcher.stats()).toMatchObject({ quarantined: 0, failed: 1, processed: 0 });
  });

  it("with initial: 'skip' leaves files already there alone this run", async () => {
    inbox = await makeInbox();
    await writeFiles(inbox.dir, 3, 'old');
    const first = await start({ initial: 'skip' });
    await writeFiles(inbox.dir, 2, 'new');
    await waitFor(() => first.handled.length === 2, 'the 2 new files handled');
    await settled(first.watcher);
    expect(first.names()).toEqual(['new-0.txt', 'new-1.txt']);
    await first.watcher.close();
    // Not in the ledger: a later start with the default catches up on them.
    const second = await start();
    await waitFor(() => second.handled.length === 3, 'the 3 old files handled');
    expect(second.names()).toEqual(['old-0.txt', 'old-1.txt', 'old-2.txt']);
  });

  it('watches subfolders with recursive, and hands over only what filter matches', async () => {
    inbox = await makeInbox();
    await mkdir(inbox.file('2024/03'), { recursive: true });
    await writeFile(inbox.file('2024/03/a.csv'), 'a');
    await writeFile(inbox.file('2024/03/a.txt'), 'a');
    const { watcher, handled, names } = await start({ recursive: true, filter: '*.csv', ignore: 'archive' });
    await mkdir(inbox.file('archive'));
    await writeFile(inbox.file('archive/old.csv'), 'old');
    await mkdir(inbox.file('2024/04/deep'), { recursive: true });
    await writeFile(inbox.file('2024/04/deep/b.csv'), 'b');
    await writeFile(inbox.file('c.csv'), 'c');
    await waitFor(() => handled.length === 3, '3 csv files handled');
    await settled(watcher);
    expect(names()).toEqual(['2024/03/a.csv', '2024/04/deep/b.csv', 'c.csv']);
  });

  it('close() lets handlers finish up to its deadline, then aborts them; an aborted file is handed over again', async () => {
    inbox = await makeInbox();
    let aborted = false;
    const first = await start(
      {},
      (_file, { signal }) =>
        new Promise((_, reject) =>
          signal.addEventListener('abort', () => {
            aborted = true;
            reject(new Error('stopped'));
          }),
        ),
    );
    await writeFile(inbox.file('long.txt'), 'long job');
    await waitFor(() => first.watcher.stats().inFlight === 1, 'the handler to start');
    await first.watcher.close({ timeoutMs: 50 });
    expect(aborted).toBe(true);
    expect(first.watcher.stats()).toMatchObject({ processed: 0, quarantined: 0 });
    expect(await readLedger(inbox.ledger)).toEqual([]);
    await expect(first.watcher.done).resolves.toBeUndefined();

    const second = await start();
    await waitFor(() => second.handled.length === 1, 'the interrupted file handed over again');
    expect(second.names()).toEqual(['long.txt']);
  });

  it('uses a LedgerStore object, and stops with its error when it cannot record', async () => {
    inbox = await makeInbox();
    const store = new MemoryLedger();
    const { watcher } = await start({ ledger: store });
    await writeFile(inbox.file('a.txt'), 'a');
    await waitFor(() => store.size === 1, 'a.txt recorded in the store');
    store.failWith = new Error('disk full');
    await writeFile(inbox.file('b.txt'), 'b');
    await expect(watcher.done).rejects.toThrow('disk full');
    expect(store.calls).toMatchObject({ open: 1, close: 1 });
    expect(watcher.stats().processed).toBe(1);
  });

  it('stops through its signal or Symbol.asyncDispose, and refuses a folder that does not exist', async () => {
    inbox = await makeInbox();
    const controller = new AbortController();
    const { watcher } = await start({ signal: controller.signal });
    controller.abort();
    await expect(watcher.done).resolves.toBeUndefined();
    const disposed = await start();
    await disposed.watcher[Symbol.asyncDispose]();
    await expect(disposed.watcher.done).resolves.toBeUndefined();
    const missing = watchDirectory(join(inbox.base, 'nope'), () => {}, {
      ledger: join(inbox.base, 'l2.jsonl'),
    });
    const error = await missing.ready.catch((thrown: unknown) => thrown);
    expect(isSreError(error) && error.code).toBe('SRE_FILE_NOT_FOUND');
  });
});
