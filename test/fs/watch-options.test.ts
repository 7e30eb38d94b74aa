import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors/index.js';
import { type WatchOptions, watchDirectory } from '../../src/fs/watch.js';
import { compileMatcher, globToRegExp, TEMP_NAMES } from '../../src/fs/watch-match.js';
import { normalizeWatchOptions } from '../../src/fs/watch-options.js';

const handler = () => {};

/** The SRE_USAGE message watchDirectory() throws for these options (synchronously, before any I/O). */
function usageError(options: unknown, dir: unknown = '/srv/inbox'): string {
  try {
    watchDirectory(dir as string, handler, options as WatchOptions);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).code).toBe('SRE_USAGE');
    return (error as Error).message;
  }
  throw new Error('expected a usage error');
}

describe('watchDirectory options', () => {
  it('refuses each bad option with SRE_USAGE naming it, what was expected and what was received', () => {
    const cases: Array<[unknown, string]> = [
      [{ stableMs: -1 }, 'stableMs must be a number of milliseconds of at least 0, received -1'],
      [{ stableMs: '2s' }, 'stableMs must be a number of milliseconds of at least 0, received "2s"'],
      [{ concurrency: 0 }, 'concurrency must be an integer of at least 1, received 0'],
      [{ concurrency: 2.5 }, 'concurrency must be an integer of at least 1, received 2.5'],
      [{ retries: -1 }, 'retries must be an integer of at least 0, received -1'],
      [
        { retryDelayMs: Number.NaN },
        'retryDelayMs must be a number of milliseconds of at least 0, received NaN',
      ],
      [
        { reconcileIntervalMs: 0 },
        'reconcileIntervalMs must be a number of milliseconds of at least 1, received 0',
      ],
      [{ closeTimeoutMs: Number.POSITIVE_INFINITY }, 'closeTimeoutMs must be a number of milliseconds'],
      [{ identity: 'inode' }, `identity must be 'content' or 'stat', received "inode"`],
      [{ initial: 'none' }, `initial must be 'process' or 'skip', received "none"`],
      [{ recursive: 'yes' }, 'recursive must be true or false, received "yes"'],
      [{ filter: 42 }, 'filter must be a glob, an array of globs or a function, received 42'],
      [
        { ignore: ['*.log', ''] },
        'ignore must be a glob, an array of globs or a function, received an array',
      ],
      [{ filter: '*.{csv' }, 'filter: unclosed { in glob "*.{csv"'],
      [{ ledger: 42 }, 'ledger must be a file path or a LedgerStore (open, get, record, close), received 42'],
      [{ ledger: { open() {} } }, 'ledger must be a file path or a LedgerStore'],
      [
        { ledger: '/srv/inbox/ledger.jsonl' },
        'ledger /srv/inbox/ledger.jsonl must be outside the watched folder',
      ],
      [{ quarantineDir: '/srv/inbox' }, 'quarantineDir must not be the watched folder itself'],
      [{ quarantineDir: 7 }, 'quarantineDir must be a non-empty path, received 7'],
      [{ logger: { info() {} } }, 'logger must have debug, info, warn and error methods; debug is undefined'],
      [{ signal: 'stop' }, 'signal must be an AbortSignal, received "stop"'],
      [{ awaitWriteFinish: true }, 'option awaitWriteFinish is not supported; use stableMs'],
      [{ ignored: '*.tmp' }, 'option ignored is not supported; use ignore'],
      [{ ignoreInitial: true }, "option ignoreInitial is not supported; use initial: 'skip'"],
      [{ stableMS: 100 }, 'unknown option stableMS'],
    ];
    for (const [options, message] of cases)
      expect(usageError(options), JSON.stringify(options)).toContain(message);
    expect(usageError({}, '')).toContain('dir must be a non-empty string');
    expect(usageError({}, '/')).toContain('watching a filesystem root needs an explicit ledger path');
    expect(() => watchDirectory('/srv/inbox', 'handler' as never)).toThrow('handler must be a function');
  });

  it('defaults every option in one place, the ledger beside the folder', () => {
    const options = normalizeWatchOptions('/srv/inbox/', handler, {});
    expect(options).toMatchObject({
      dir: '/srv/inbox',
      ledger: '/srv/inbox.ledger.jsonl',
      identity: 'content',
      stableMs: 2000,
      initial: 'process',
      concurrency: 16,
      retries: 3,
      retryDelayMs: 1000,
      quarantineDir: undefined,
      recursive: false,
      reconcileIntervalMs: 30_000,
      closeTimeoutMs: 30_000,
    });
  });

  it('leaves out temp names, the user ignore and a quarantine folder inside the watched one', () => {
    const options = normalizeWatchOptions('/srv/inbox', handler, {
      ignore: ['*.bak', 'scratch/**'],
      filter: (path) => !path.startsWith('private/'),
      quarantineDir: '/srv/inbox/bad',
    });
    const accepted = ['a.csv', 'x/y/z.json', 'report.tmp.csv'];
    const refused = [
      'a.tmp',
      'a.part',
      '.a',
      'x/.swp',
      'a~',
      'a.bak',
      'scratch/a',
      'private/a.csv',
      'bad/a.csv',
    ];
    for (const path of accepted) expect(options.accepts(path), path).toBe(true);
    for (const path of refused) expect(options.accepts(path) && !options.ignores(path), path).toBe(false);
    expect(options.ignores('bad')).toBe(true);
    expect(options.ignores('badge.csv')).toBe(false);
  });
});

describe('globs', () => {
  it('match like .gitignore: a glob without a slash matches the name at any depth', () => {
    const cases: Array<[string, string, boolean]> = [
      ['*.log', 'a.log', true],
      ['*.log', '2024/03/a.log', true],
      ['*.log', 'a.log.gz', false],
      ['?.log', 'ab.log', false],
      ['*.{csv,json}', 'a.json', true],
      ['[!a]*.log', 'b.log', true],
      ['[!a]*.log', 'a.log', false],
      ['in/**/*.csv', 'in/a.csv', true],
      ['in/**/*.csv', 'in/x/y/a.csv', true],
      ['in/**/*.csv', 'out/in/a.csv', false],
      ['/top.csv', 'top.csv', true],
      ['/top.csv', 'x/top.csv', false],
      ['a.b', 'axb', false],
      ['a+b(1).csv', 'a+b(1).csv', true],
    ];
    for (const [glob, path, expected] of cases)
      expect(globToRegExp(glob).test(path), `${glob} ${path}`).toBe(expected);
    expect(compileMatcher(TEMP_NAMES)('upload.part')).toBe(true);
    expect(compileMatcher(undefined)('anything')).toBe(false);
  });
});
