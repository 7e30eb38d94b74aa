/**
 * The canonical level names, ordered by their OpenTelemetry severity numbers, so that
 * `minLevel: 'WARNING'` means WARNING and above.
 */
export const LEVELS = ['TRACE', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL'] as const;

/** A canonical level name. */
export type Level = (typeof LEVELS)[number];

/** OpenTelemetry severity numbers of the canonical levels (NOTICE is INFO2, CRITICAL is FATAL). */
export const SEVERITY_NUMBERS: Readonly<Record<Level, number>> = Object.freeze({
  TRACE: 1,
  DEBUG: 5,
  INFO: 9,
  NOTICE: 10,
  WARNING: 13,
  ERROR: 17,
  CRITICAL: 21,
});

/**
 * Words that fold into a canonical level by default. The `aliases` option replaces this
 * table (pass `{ ...DEFAULT_ALIASES, VERBOSE: 'DEBUG' }` to extend it).
 */
export const DEFAULT_ALIASES: Readonly<Record<string, Level>> = Object.freeze({
  WARN: 'WARNING',
  ERR: 'ERROR',
  FATAL: 'CRITICAL',
  CRIT: 'CRITICAL',
  EMERG: 'CRITICAL',
  ALERT: 'CRITICAL',
});

/** How numeric levels in JSON are read: they are ambiguous between conventions. */
export type NumericLevels = 'pino' | 'syslog' | 'winston';

/**
 * Numeric level tables. pino and bunyan: 10 trace … 60 fatal. syslog and journald
 * `PRIORITY`: 0 emerg … 7 debug. winston's npm levels: 0 error … 6 silly. A number the
 * chosen table does not hold is not guessed: it is counted in `unrecognized`.
 */
export const NUMERIC_LEVELS: Readonly<Record<NumericLevels, Readonly<Record<number, Level>>>> = Object.freeze(
  {
    pino: { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARNING', 50: 'ERROR', 60: 'CRITICAL' },
    syslog: {
      0: 'CRITICAL',
      1: 'CRITICAL',
      2: 'CRITICAL',
      3: 'ERROR',
      4: 'WARNING',
      5: 'NOTICE',
      6: 'INFO',
      7: 'DEBUG',
    },
    winston: { 0: 'ERROR', 1: 'WARNING', 2: 'INFO', 3: 'DEBUG', 4: 'DEBUG', 5: 'DEBUG', 6: 'TRACE' },
  },
);

/** JSON fields read for the level, in this order; `log.level` is a nested field or a dotted key. */
export const JSON_LEVEL_FIELDS = [
  'level',
  'lvl',
  'severity',
  'log.level',
  '@l',
  'levelname',
  'severityText',
  'PRIORITY',
] as const;
