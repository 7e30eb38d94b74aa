/**
 * Count log levels and scan logs, fast, over huge, gzipped, text or JSON logs.
 *
 * @module logs
 */
export { type CountLevelsOptions, countLevels, type LevelCounts, type LevelTotals } from './count.js';
export {
  DEFAULT_ALIASES,
  LEVELS,
  type Level,
  NUMERIC_LEVELS,
  type NumericLevels,
  SEVERITY_NUMBERS,
} from './levels.js';
export type { LevelOptions } from './options.js';
export { type LogEntry, type ScanLogOptions, scanLog } from './scan.js';
export type { LogSource } from './source.js';
