import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { type Logger, noopLogger } from '../internal/logger.js';
import type { LedgerStore } from './ledger-store.js';
import { compileMatcher, type PathMatcher, TEMP_NAMES } from './watch-match.js';
import {
  boolean,
  checkMatcher,
  duration,
  fail,
  integer,
  isLedgerStore,
  oneOf,
  show,
} from './watch-validate.js';

/** Options of {@link watchDirectory}. */
export interface WatchOptions {
  /**
   * Where outcomes are recorded so that a restart does not hand a file over again: a path to
   * a JSON-lines ledger file (locked while the watcher runs), or a store object (the watcher
   * opens and closes it). It must be outside the watched folder.
   * @default `<dir>.ledger.jsonl`, beside the folder (`/srv/inbox` → `/srv/inbox.ledger.jsonl`)
   */
  ledger?: string | LedgerStore;
  /**
   * What makes two files the same file. `'content'`: the SHA-256 of the bytes, so a renamed,
   * copied or touched file is not handed over again and a rewritten one with new bytes is;
   * each file is read once more to hash it, and files with identical bytes (two empty files)
   * are one file. `'stat'`: device, inode, size and mtime, with no read; a touched file or
   * an edit that keeps the size but changes the mtime counts as new, and a copy moved in from
   * elsewhere is new even when its bytes are not. Content is the safer default: it never
   * processes the same bytes twice, whatever happens to names, inodes and clocks.
   * @default 'content'
   */
  identity?: 'content' | 'stat';
  /**
   * A file is handed over once its size, mtime and inode have not changed for this long
   * (files found at start-up and by scans included). Longer than the longest pause of the
   * slowest writer.
   * @default 2000
   */
  stableMs?: number;
  /** Files already in the folder at start that the ledger does not know: processed, or left alone this run. @default 'process' */
  initial?: 'process' | 'skip';
  /**
   * Handlers running at once. A handler's slot is free again only once its outcome is
   * fsynced to the ledger, so that a crash repeats at most this many files; outcomes of the
   * slots that finish together share one fsync. A burst of writes on the same filesystem
   * slows fsyncs down, to tens of milliseconds, and then this is what keeps throughput up.
   * @default 16
   */
  concurrency?: number;
  /** Further attempts after a handler fails, with exponential backoff, before the file is quarantined. @default 3 */
  retries?: number;
  /** Wait before the first retry; doubled for each next one (with jitter), at most 30 s or this. @default 1000 */
  retryDelayMs?: number;
  /** Where a quarantined file is moved (keeping its relative path); created when needed. Without it the file stays. @default undefined */
  quarantineDir?: string;
  /** Watch subfolders too. @default false */
  recursive?: boolean;
  /** Only files matching it are handed over: glob(s) (`*.csv`, `in/**\/*.json`) or a function of the relative path. @default every file */
  filter?: PathMatcher;
  /** Files and folders never handed over, besides `*.tmp`, `*.part`, `.*` and `*~`: glob(s) or a function. @default none */
  ignore?: PathMatcher;
  /** How often the folder is listed to find files whose events were lost (inotify overflow). @default 30000 */
  reconcileIntervalMs?: number;
  /** How long `close()` lets running handlers finish before aborting their signal. @default 30000 */
  closeTimeoutMs?: number;
  /** Stops the watcher, as `close()` does. */
  signal?: AbortSignal;
  /** Told about retries, quarantines, scans that found missed files and errors. @default no logging */
  logger?: Logger;
}

/** Options after defaults and validation: what the internals receive. */
export interface NormalizedWatchOptions {
  dir: string;
  ledger: string | LedgerStore;
  identity: 'content' | 'stat';
  stableMs: number;
  initial: 'process' | 'skip';
  concurrency: number;
  retries: number;
  retryDelayMs: number;
  quarantineDir: string | undefined;
  recursive: boolean;
  /** Whether a file (by relative path) is handed over. */
  accepts: (relativePath: string) => boolean;
  /** Whether a file or folder (by relative path) is left out entirely. */
  ignores: (relativePath: string) => boolean;
  reconcileIntervalMs: number;
  closeTimeoutMs: number;
  signal: AbortSignal | undefined;
  logger: Logger;
}

const RENAMED: Record<string, string> = {
  awaitWriteFinish: 'stableMs',
  stabilityThreshold: 'stableMs',
  ignored: 'ignore',
  ignoreInitial: "initial: 'skip'",
  depth: 'recursive',
  timeoutMs: 'closeTimeoutMs',
  retryMinTimeout: 'retryDelayMs',
  minTimeout: 'retryDelayMs',
  ledgerPath: 'ledger',
};
const KNOWN = new Set([
  'ledger',
  'identity',
  'stableMs',
  'initial',
  'concurrency',
  'retries',
  'retryDelayMs',
  'quarantineDir',
  'recursive',
  'filter',
  'ignore',
  'reconcileIntervalMs',
  'closeTimeoutMs',
  'signal',
  'logger',
]);

/** Defaults and validates the options of watchDirectory(); every problem is `SRE_USAGE` naming the option. */
export function normalizeWatchOptions(
  dir: unknown,
  handler: unknown,
  options: WatchOptions,
): NormalizedWatchOptions {
  if (typeof dir !== 'string' || dir === '') fail(`dir must be a non-empty string, received ${show(dir)}`);
  if (typeof handler !== 'function') fail(`handler must be a function, received ${show(handler)}`);
  if (typeof options !== 'object' || options === null)
    fail(`options must be an object, received ${show(options)}`);
  for (const key of Object.keys(options)) {
    if (key in RENAMED) fail(`option ${key} is not supported; use ${RENAMED[key]}`);
    if (!KNOWN.has(key)) fail(`unknown option ${key}`);
  }
  const root = resolve(dir);
  const ledger = options.ledger ?? defaultLedgerPath(root);
  if (typeof ledger === 'string') {
    if (ledger === '') fail('ledger must be a non-empty path or a LedgerStore');
    if (isInside(resolve(ledger), root))
      fail(
        `ledger ${ledger} must be outside the watched folder ${root} (its writes would be seen as new files)`,
      );
  } else if (!isLedgerStore(ledger)) {
    fail(`ledger must be a file path or a LedgerStore (open, get, record, close), received ${show(ledger)}`);
  }
  if (
    options.quarantineDir !== undefined &&
    (typeof options.quarantineDir !== 'string' || options.quarantineDir === '')
  )
    fail(`quarantineDir must be a non-empty path, received ${show(options.quarantineDir)}`);
  const quarantineDir = options.quarantineDir === undefined ? undefined : resolve(options.quarantineDir);
  if (quarantineDir === root) fail('quarantineDir must not be the watched folder itself');
  const logger = options.logger ?? noopLogger;
  const methods = logger as unknown as Record<string, unknown>;
  for (const level of ['debug', 'info', 'warn', 'error'])
    if (typeof methods[level] !== 'function')
      fail(`logger must have debug, info, warn and error methods; ${level} is ${show(methods[level])}`);
  if (options.signal !== undefined && !(options.signal instanceof AbortSignal))
    fail(`signal must be an AbortSignal, received ${show(options.signal)}`);

  const userIgnores = compileMatcher(checkMatcher('ignore', options.ignore));
  const temp = compileMatcher(TEMP_NAMES);
  const filter =
    options.filter === undefined ? () => true : compileMatcher(checkMatcher('filter', options.filter));
  const quarantined =
    quarantineDir && isInside(quarantineDir, root) ? relative(root, quarantineDir) : undefined;
  return {
    dir: root,
    ledger,
    identity: oneOf('identity', options.identity, ['content', 'stat'] as const, 'content'),
    stableMs: duration('stableMs', options.stableMs, 2000, 0),
    initial: oneOf('initial', options.initial, ['process', 'skip'] as const, 'process'),
    concurrency: integer('concurrency', options.concurrency, 16, 1),
    retries: integer('retries', options.retries, 3, 0),
    retryDelayMs: duration('retryDelayMs', options.retryDelayMs, 1000, 0),
    quarantineDir,
    recursive: boolean('recursive', options.recursive, false),
    accepts: (path) => !temp(path) && !userIgnores(path) && filter(path),
    ignores: (path) =>
      temp(path) || userIgnores(path) || (quarantined !== undefined && isInside(path, quarantined)),
    reconcileIntervalMs: duration('reconcileIntervalMs', options.reconcileIntervalMs, 30_000, 1),
    closeTimeoutMs: duration('closeTimeoutMs', options.closeTimeoutMs, 30_000, 0),
    signal: options.signal,
    logger,
  };
}

/** `/srv/inbox` → `/srv/inbox.ledger.jsonl`: beside the folder, so its writes are never events in it. */
export function defaultLedgerPath(root: string): string {
  if (dirname(root) === root) fail('watching a filesystem root needs an explicit ledger path');
  return `${root}.ledger.jsonl`;
}

/** Whether `path` is `parent` or below it (both absolute, or both relative to the same folder). */
export function isInside(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}
