import { readFileSync } from 'node:fs';
import {
  appendFile,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode, type Logger } from '../../src/errors/index.js';
import { FileLedger, type LedgerEntry } from '../../src/fs/ledger.js';
import { bundleFixture } from '../helpers/bundle.js';
import { waitUntil } from '../helpers/processes.js';
import { type RunningScript, repoRoot, startScript } from '../helpers/run-script.js';

const HEADER = '{"format":"sre-kit-ledger","version":1}\n';
let dir: string;
let child: string;
let serial = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-ledger-'));
  child = await bundleFixture(join(repoRoot, 'test', 'fixtures', 'fs', 'ledger-child.ts'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(child, { force: true });
});

/** A fresh ledger path in its own directory, so that directory listings are about one ledger. */
async function ledgerPath(): Promise<string> {
  const sub = join(dir, `case-${++serial}`);
  await mkdir(sub);
  return join(sub, 'ledger.jsonl');
}

function entry(id: string, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { id, path: `${id}.csv`, outcome: 'processed', at: '2025-01-02T03:04:05.000Z', ...extra };
}

async function failure(promise: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

async function opened(path: string, options = {}): Promise<FileLedger> {
  const ledger = new FileLedger(path, options);
  await ledger.open();
  return ledger;
}

function startChild(...args: string[]): RunningScript {
  return startScript(process.execPath, [child, ...args]);
}

describe('FileLedger: records', () => {
  it('creates the file with mode 0600 and a header, and reloads what was recorded', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    await ledger.record(entry('sha256:aa'));
    await ledger.record(
      entry('sha256:bb', {
        outcome: 'quarantined',
        attempts: 3,
        error: { code: 'E_BAD', message: 'bad row 7' },
      }),
    );
    await ledger.record(entry('sha256:aa', { outcome: 'failed', attempts: 2 }));
    expect(ledger.get('sha256:aa')?.outcome).toBe('failed');
    expect(ledger.size).toBe(2);
    await ledger.close();

    const text = await readFile(path, 'utf8');
    expect(text.startsWith(HEADER)).toBe(true);
    expect(text.trimEnd().split('\n')).toHaveLength(4);
    const again = await opened(path);
    expect(again.size).toBe(2);
    expect(again.get('sha256:aa')).toEqual(entry('sha256:aa', { outcome: 'failed', attempts: 2 }));
    expect(again.get('sha256:bb')).toEqual(
      entry('sha256:bb', {
        outcome: 'quarantined',
        attempts: 3,
        error: { code: 'E_BAD', message: 'bad row 7' },
      }),
    );
    expect(again.get('sha256:cc')).toBeUndefined();
    expect(again.stats()).toMatchObject({ entries: 2, lines: 3, skippedLines: 0, tornBytes: 0 });
    await again.close();
  });

  it('writes concurrent records together, each resolving once its own line is in the file', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path);
    const checked: boolean[] = [];
    await Promise.all(
      Array.from({ length: 2000 }, (_, index) =>
        ledger.record(entry(`stat:1:${index}:10:0`)).then(() => {
          if (index % 100 === 0) checked.push(readFileSync(path, 'utf8').includes(`"stat:1:${index}:10:0"`));
        }),
      ),
    );
    expect(checked).toEqual(Array.from({ length: 20 }, () => true));
    const { records, syncs } = ledger.stats();
    expect(records).toBe(2000);
    expect(syncs).toBeLessThan(10);
    // One at a time, each record is its own write and sync.
    for (let index = 0; index < 5; index++) await ledger.record(entry(`stat:2:${index}:10:0`));
    expect(ledger.stats().syncs).toBe(syncs + 5);
    await ledger.close();
  });

  it('refuses an entry that would not load back, and writes nothing', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path);
    const bad = { ...entry('sha256:aa'), outcome: 'done' } as unknown as LedgerEntry;
    const error = await failure(ledger.record(bad));
    expect(hasCode(error, 'SRE_USAGE')).toBe(true);
    expect(error.message).toContain("entry.outcome must be 'processed', 'failed' or 'quarantined'");
    expect(error.message).toContain('"done"');
    const noId = await failure(ledger.record({ ...entry('x'), id: '' }));
    expect(noId.message).toContain('entry.id must be a non-empty string');
    await ledger.close();
    expect(await readFile(path, 'utf8')).toBe(HEADER);
  });

  it('is opened once and closed once: record before open or after close is refused, close is idempotent', async () => {
    const path = await ledgerPath();
    const ledger = new FileLedger(path);
    expect(hasCode(await failure(ledger.record(entry('sha256:aa'))), 'SRE_USAGE')).toBe(true);
    await ledger.open();
    await ledger.record(entry('sha256:aa'));
    await Promise.all([ledger.close(), ledger.close()]);
    await ledger.close();
    expect((await failure(ledger.record(entry('sha256:bb')))).message).toContain('closed');
    expect(hasCode(await failure(ledger.open()), 'SRE_USAGE')).toBe(true);
    expect(ledger.get('sha256:aa')?.outcome).toBe('processed');
  });

  it('is released by `await using`', async () => {
    const path = await ledgerPath();
    {
      await using ledger = new FileLedger(path);
      await ledger.open();
      await ledger.record(entry('sha256:aa'));
    }
    await using again = await opened(path);
    expect(again.size).toBe(1);
  });

  it('says when the directory of the ledger does not exist', async () => {
    const error = await failure(new FileLedger(join(dir, 'no-such-dir', 'ledger.jsonl')).open());
    expect(hasCode(error, 'SRE_FILE_NOT_FOUND')).toBe(true);
    expect(error.message).toContain('no-such-dir');
  });

  it('validates its options', () => {
    expect(() => new FileLedger('x', { compactAt: 0.5 })).toThrow('compactAt must be at least 1');
    expect(() => new FileLedger('x', { staleMs: 100 })).toThrow('staleMs must be at least 2000');
    expect(() => new FileLedger('')).toThrow('path must be a non-empty string');
  });
});

describe('FileLedger: damaged files', () => {
  it('ignores a torn last line, and cuts it off so that the next record starts on a fresh line', async () => {
    const path = await ledgerPath();
    const first = await opened(path);
    for (const id of ['sha256:aa', 'sha256:bb', 'sha256:cc']) await first.record(entry(id));
    await first.close();
    const torn = '{"id":"sha256:dd","path":"dd.c';
    await appendFile(path, torn);

    const second = await opened(path);
    expect(second.size).toBe(3);
    expect(second.get('sha256:dd')).toBeUndefined();
    expect(second.stats()).toMatchObject({ tornBytes: torn.length, skippedLines: 0 });
    await second.record(entry('sha256:ee'));
    await second.close();

    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toHaveLength(5);
    const third = await opened(path);
    expect([...third.entries()].map((e) => e.id)).toEqual([
      'sha256:aa',
      'sha256:bb',
      'sha256:cc',
      'sha256:ee',
    ]);
    expect(third.stats()).toMatchObject({ tornBytes: 0, skippedLines: 0 });
    await third.close();
  });

  it('skips and counts complete lines that are not entries, logs the first, and loads the rest', async () => {
    const path = await ledgerPath();
    const lines = [
      JSON.stringify(entry('sha256:aa')),
      'not json at all',
      JSON.stringify({ ...entry('sha256:bb'), outcome: 'done' }),
      '',
      JSON.stringify(entry('sha256:cc')),
    ];
    await writeFile(path, `${HEADER}${lines.join('\n')}\n`);
    const warnings: Record<string, unknown>[] = [];
    const logger: Logger = {
      debug() {},
      info() {},
      warn: (object) => warnings.push(object),
      error() {},
    };
    const ledger = await opened(path, { logger });
    expect([...ledger.entries()].map((e) => e.id)).toEqual(['sha256:aa', 'sha256:cc']);
    expect(ledger.stats()).toMatchObject({ skippedLines: 3, lines: 5 });
    expect(warnings).toEqual([
      {
        path: expect.stringContaining('ledger.jsonl'),
        skippedLines: 3,
        first: { line: 3, reason: 'it is not valid JSON' },
      },
    ]);
    await ledger.record(entry('sha256:dd'));
    await ledger.close();
    const again = await opened(path);
    expect(again.size).toBe(3);
    await again.close();
  });

  it('refuses a file that is not a ledger, and leaves it untouched', async () => {
    for (const content of [
      '{"name":"app","replicas":3}\n',
      'a file without any newline',
      'x'.repeat(3 << 20),
    ]) {
      const path = await ledgerPath();
      await writeFile(path, content);
      const error = await failure(new FileLedger(path).open());
      expect(hasCode(error, 'SRE_FILE_CORRUPT')).toBe(true);
      expect(error.message).toContain(`${path} is not an sre-kit ledger`);
      expect(await readFile(path, 'utf8')).toBe(content);
      // The lock was given back.
      expect(await readdir(join(path, '..'))).toEqual(['ledger.jsonl']);
    }
  });

  it('refuses a ledger of a newer format', async () => {
    const path = await ledgerPath();
    await writeFile(path, '{"format":"sre-kit-ledger","version":2}\n');
    const error = await failure(new FileLedger(path).open());
    expect(hasCode(error, 'SRE_FILE_CORRUPT')).toBe(true);
    expect(error.message).toContain('format version 2');
  });

  it('adopts an empty file or one whose header was torn at creation', async () => {
    for (const content of ['', HEADER.slice(0, 12)]) {
      const path = await ledgerPath();
      await writeFile(path, content);
      const ledger = await opened(path);
      await ledger.record(entry('sha256:aa'));
      await ledger.close();
      expect(await readFile(path, 'utf8')).toBe(`${HEADER}${JSON.stringify(entry('sha256:aa'))}\n`);
    }
  });
});

describe('FileLedger: compaction', () => {
  it('compacts at the threshold (default: more than 2 lines per entry, at least 1000), keeping the last entry of each id', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path);
    const ids = Array.from({ length: 400 }, (_, index) => `sha256:${index.toString(16).padStart(64, '0')}`);
    await Promise.all(ids.map((id) => ledger.record(entry(id, { attempts: 1 }))));
    const before = (await stat(path)).ino;
    // 599 more lines: 999 in all, below 1000.
    await Promise.all(ids.slice(0, 599 - 400).map((id) => ledger.record(entry(id, { attempts: 2 }))));
    await Promise.all(ids.map((id) => ledger.record(entry(id, { attempts: 3, outcome: 'failed' }))));
    expect(ledger.stats()).toMatchObject({ lines: 999, compactions: 0 });
    // The 1000th line passes the threshold. Its record resolves first; the compaction runs
    // before the next write, so the next record goes to the compacted file.
    await ledger.record(entry(ids[0]!, { attempts: 4 }));
    await ledger.record(entry('sha256:new'));
    expect(ledger.stats()).toMatchObject({ lines: 401, compactions: 1, entries: 401 });

    const after = await stat(path);
    expect(after.ino).not.toBe(before);
    expect(after.mode & 0o777).toBe(0o600);
    expect((await readdir(join(path, '..'))).sort()).toEqual(['ledger.jsonl', 'ledger.jsonl.lock']);
    const lines = (await readFile(path, 'utf8')).trimEnd().split('\n');
    expect(lines[0]).toBe(HEADER.trimEnd());
    expect(lines).toHaveLength(402);
    expect(JSON.parse(lines[401]!)).toEqual(entry('sha256:new'));
    await ledger.close();
    expect(await readdir(join(path, '..'))).toEqual(['ledger.jsonl']);

    const again = await opened(path);
    expect(again.size).toBe(401);
    expect(again.get(ids[0]!)).toEqual(entry(ids[0]!, { attempts: 4 }));
    expect(again.get(ids[1]!)).toEqual(entry(ids[1]!, { attempts: 3, outcome: 'failed' }));
    expect(again.stats()).toMatchObject({ lines: 401, skippedLines: 0 });
    await again.close();
  });

  it('follows compactAt', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path, { compactAt: 4 });
    const ids = Array.from({ length: 300 }, (_, index) => `stat:9:${index}:1:1`);
    for (let round = 0; round < 4; round++) await Promise.all(ids.map((id) => ledger.record(entry(id))));
    // 1200 lines for 300 entries is not more than 4 per entry.
    expect(ledger.stats()).toMatchObject({ lines: 1200, compactions: 0 });
    await ledger.record(entry(ids[0]!));
    await ledger.record(entry(ids[1]!));
    expect(ledger.stats()).toMatchObject({ lines: 301, compactions: 1 });
    await ledger.close();
  });

  it('does not compact a small file, and removes temp files left by a compaction that was killed', async () => {
    const path = await ledgerPath();
    const deadTemp = join(path, '..', '.ledger.jsonl.0123456789ab.tmp');
    const notOurs = join(path, '..', '.ledger.jsonl.notes.tmp');
    await writeFile(deadTemp, 'half a compaction');
    await writeFile(notOurs, 'somebody else');
    const ledger = await opened(path);
    for (let round = 0; round < 5; round++) await ledger.record(entry('sha256:aa'));
    await ledger.close();
    expect(ledger.stats()).toMatchObject({ lines: 5, compactions: 0 });
    expect((await readdir(join(path, '..'))).sort()).toEqual(['.ledger.jsonl.notes.tmp', 'ledger.jsonl']);
  });
});

describe('FileLedger: one holder', () => {
  it('refuses a second FileLedger in the same process, even through a symlink, until the first is closed', async () => {
    const path = await ledgerPath();
    const first = await opened(path);
    const second = new FileLedger(path);
    const error = await failure(second.open());
    expect(hasCode(error, 'SRE_LOCK_HELD')).toBe(true);
    expect(error.message).toBe(
      `The ledger ${path} is in use by another FileLedger in this process; two watchers on one ledger would process files twice`,
    );
    const link = join(path, '..', 'link.jsonl');
    await symlink(path, link);
    expect(hasCode(await failure(new FileLedger(link).open()), 'SRE_LOCK_HELD')).toBe(true);
    // The refused ones changed nothing for the holder.
    await first.record(entry('sha256:aa'));
    await first.close();
    // A refused open can be tried again.
    await second.open();
    expect(second.size).toBe(1);
    await second.close();
  });

  it('refuses a ledger held by another process, naming it, and takes it at once after that process is SIGKILLed', async () => {
    const path = await ledgerPath();
    const holder = startChild('hold', path);
    await holder.waitForStdout(/^open$/m);
    const error = await failure(new FileLedger(path).open());
    expect(hasCode(error, 'SRE_LOCK_HELD')).toBe(true);
    expect(error.message).toContain(`The ledger ${path} is in use by pid ${holder.child.pid} on `);

    holder.child.kill('SIGKILL');
    const ended = await holder.done();
    expect(ended.exitSignal).toBe('SIGKILL');
    // No waiting for staleMs: the holder is known dead.
    const ledger = await opened(path, { staleMs: 60_000 });
    await ledger.record(entry('sha256:aa'));
    await ledger.close();
  });

  it('is refused in another process while this one holds it', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path);
    const other = startChild('try', path);
    const { stdout } = await other.done();
    expect(stdout).toMatch(/^refused SRE_LOCK_HELD The ledger .*ledger\.jsonl is in use by pid \d+ on /);
    expect(stdout).toContain(`pid ${process.pid} on `);
    await ledger.close();
    const after = startChild('try', path);
    expect((await after.done()).stdout).toBe('opened\n');
  });

  it('holds the lock for its whole lifetime: past several refreshes, records go through and others are refused', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path, { staleMs: 2000 });
    // The lock is refreshed every staleMs / 2; wait past staleMs, when an unrefreshed lock
    // would count as stale and be taken over.
    await new Promise((resolve) => setTimeout(resolve, 4500));
    await ledger.record(entry('sha256:aa'));
    const other = startChild('try', path);
    expect((await other.done()).stdout).toMatch(/^refused SRE_LOCK_HELD /);
    await ledger.record(entry('sha256:bb'));
    await ledger.close();
  });

  it('refuses every record once its lock was taken over while held', async () => {
    const path = await ledgerPath();
    const ledger = await opened(path, { staleMs: 2000 });
    await ledger.record(entry('sha256:aa'));
    // Another process judged the lock stale and took it: the refresh notices within staleMs / 2.
    await rm(`${path}.lock`, { recursive: true });
    await mkdir(`${path}.lock`);
    let refusal: unknown;
    const deadline = Date.now() + 10_000;
    while (refusal === undefined && Date.now() < deadline) {
      refusal = await ledger.record(entry('sha256:bb')).then(
        () => undefined,
        (error: unknown) => error,
      );
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(hasCode(refusal, 'SRE_LOCK_COMPROMISED')).toBe(true);
    await ledger.close();
    // The new holder's lock is left alone.
    expect((await stat(`${path}.lock`)).isDirectory()).toBe(true);
  });
});

describe('FileLedger: crashes and size', () => {
  it('keeps every record that resolved before a SIGKILL, over three kills and restarts', async () => {
    const path = await ledgerPath();
    const confirmed: string[] = [];
    for (let round = 0; round < 3; round++) {
      const writer = startChild('record', path, `r${round}`);
      await writer.waitForStdout(/^open$/m);
      await waitUntil(() => writer.stdout.split('\n').length > 500, 20_000);
      writer.child.kill('SIGKILL');
      const { stdout, exitSignal } = await writer.done();
      expect(exitSignal).toBe('SIGKILL');
      const ids = stdout.split('\n').filter((line) => line.startsWith('stat:'));
      expect(ids.length).toBeGreaterThan(500);
      confirmed.push(...ids);
    }
    const ledger = await opened(path);
    const missing = confirmed.filter((id) => ledger.get(id)?.outcome !== 'processed');
    expect(missing).toEqual([]);
    expect(ledger.size).toBeGreaterThanOrEqual(confirmed.length);
    expect(ledger.stats().skippedLines).toBe(0);
    await ledger.close();
  });

  it('keeps every confirmed record when a SIGKILL cuts a big batch write short', async () => {
    // With 4 MB batches the kill often lands inside write(2), which the kernel then ends
    // short: a real torn line. Rounds stop once one was seen (at most 12; each round checks
    // the same things, torn line or not).
    let tornSeen = 0;
    for (let round = 0; round < 12 && tornSeen === 0; round++) {
      const path = await ledgerPath();
      const writer = startChild('record', path, 'big', '512', '8000');
      await writer.waitForStdout(/^open$/m);
      await waitUntil(() => writer.stdout.split('\n').length > 600 + round * 97, 20_000);
      writer.child.kill('SIGKILL');
      const { stdout } = await writer.done();
      const ids = stdout.split('\n').filter((line) => line.startsWith('stat:'));
      const ledger = await opened(path);
      expect(ids.filter((id) => ledger.get(id) === undefined)).toEqual([]);
      expect(ledger.stats().skippedLines).toBe(0);
      tornSeen = ledger.stats().tornBytes;
      await ledger.close();
      await rm(join(path, '..'), { recursive: true });
    }
  });

  it('loads a ledger of 100,000 entries', async () => {
    const path = await ledgerPath();
    const id = (index: number) => `sha256:${index.toString(16).padStart(64, '0')}`;
    const chunks: string[] = [HEADER];
    for (let index = 0; index < 100_000; index++) {
      chunks.push(
        `${JSON.stringify(entry(id(index), { path: `inbox/2025/01/file-${index}.csv`, attempts: 1 }))}\n`,
      );
    }
    chunks.push(`${JSON.stringify(entry(id(7), { outcome: 'failed', attempts: 2 }))}\n`);
    await writeFile(path, chunks.join(''), { mode: 0o600 });

    const ledger = await opened(path);
    expect(ledger.size).toBe(100_000);
    expect(ledger.get(id(99_999))?.path).toBe('inbox/2025/01/file-99999.csv');
    expect(ledger.get(id(7))?.outcome).toBe('failed');
    expect(ledger.stats()).toMatchObject({ entries: 100_000, lines: 100_001, skippedLines: 0, tornBytes: 0 });
    expect(ledger.stats().loadMs).toBeGreaterThan(0);
    await ledger.close();
  });
});
