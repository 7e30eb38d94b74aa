import { ConfigError } from '../errors/index.js';
import { type Classifier, createClassifier } from './classify.js';
import type { TimeWindow } from './counter.js';
import type { NumericLevels } from './levels.js';
import { toTime } from './time.js';
import { createTokenTable, type TokenTable } from './tokens.js';

/** What decides a line's level; shared by `countLevels` and `scanLog`. */
export interface LevelOptions {
  /** Your own level names, in severity order (replaces TRACE…CRITICAL; aliases then default to none). */
  levelNames?: readonly string[];
  /** Words folded into a level, e.g. `{ WARN: 'WARNING' }`. @default DEFAULT_ALIASES */
  aliases?: Readonly<Record<string, string>>;
  /**
   * Match level words only in upper case. The default (false) also takes lower and Title
   * case (`[error]` in nginx, `Warning` in .NET), but never mixed case: real logs mix
   * conventions, and a case-sensitive count silently misses whole formats.
   * @default false
   */
  caseSensitive?: boolean;
  /** The convention of numeric JSON levels (`PRIORITY` is always syslog). @default 'pino' */
  numericLevels?: NumericLevels;
  /** Count only lines stamped at or after this time (a line without a timestamp takes the one above it). */
  since?: Date | string;
  /** Count only lines stamped before this time. */
  until?: Date | string;
  /** Lines without a timestamp belong to the entry above (a stack trace under its ERROR). @default false */
  multiline?: boolean;
  /** The year of syslog timestamps, which carry none. @default the current year */
  year?: number;
  signal?: AbortSignal;
}

/** The normalised pieces every reader needs. */
export interface LevelSetup {
  table: TokenTable;
  classifier: Classifier;
  window: TimeWindow | undefined;
}

/** Validates the options and builds the token table, classifier and time window. */
export function setUp(fn: string, options: LevelOptions): LevelSetup {
  try {
    const table = createTokenTable({
      ...(options.levelNames ? { levels: options.levelNames } : {}),
      ...(options.aliases ? { aliases: options.aliases } : {}),
      caseSensitive: options.caseSensitive ?? false,
    });
    const numericLevels = options.numericLevels ?? 'pino';
    if (!['pino', 'syslog', 'winston'].includes(numericLevels))
      throw new TypeError(`option "numericLevels" must be pino, syslog or winston`);
    const since = toTime(options.since, 'since');
    const until = toTime(options.until, 'until');
    const window =
      since === undefined && until === undefined && !options.multiline
        ? undefined
        : {
            since: since ?? Number.NEGATIVE_INFINITY,
            until: until ?? Number.POSITIVE_INFINITY,
            multiline: options.multiline ?? false,
            year: options.year ?? new Date().getUTCFullYear(),
          };
    return { table, classifier: createClassifier(table, numericLevels), window };
  } catch (error) {
    if (!(error instanceof TypeError)) throw error;
    throw new ConfigError('SRE_USAGE', `${fn}(): ${error.message}`, { cause: error });
  }
}
