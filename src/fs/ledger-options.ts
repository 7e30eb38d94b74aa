import { ConfigError, type Logger } from '../errors/index.js';
import { noopLogger } from '../internal/logger.js';

/** Options of {@link FileLedger}. */
export interface FileLedgerOptions {
  /** Compact when the file has more than `compactAt` lines per live entry, and at least 1000 lines. @default 2 */
  compactAt?: number;
  /** The ledger's lock, not refreshed for this long, is taken over (a dead holder on this host at once); at least 2000. @default 10000 */
  staleMs?: number;
  /** Told about skipped lines, a cut torn line, compactions and a lost lock. @default no logging */
  logger?: Logger;
}

/** The options with their defaults, checked. */
export function normalizeLedgerOptions(
  path: string,
  options: FileLedgerOptions,
): Required<FileLedgerOptions> {
  const fail = (message: string) => {
    throw new ConfigError('SRE_USAGE', `new FileLedger(): ${message}`);
  };
  if (typeof path !== 'string' || path === '')
    fail(`path must be a non-empty string, received ${String(path)}`);
  const compactAt = options.compactAt ?? 2;
  const staleMs = options.staleMs ?? 10_000;
  if (!(compactAt >= 1)) fail(`compactAt must be at least 1, received ${compactAt}`);
  if (!(staleMs >= 2000)) fail(`staleMs must be at least 2000, received ${staleMs}`);
  return { compactAt, staleMs, logger: options.logger ?? noopLogger };
}
