import type { Level } from 'sre-kit/logs';

/** What one contender did with one file in one round. */
export interface Outcome {
  /** Wall time of the whole count (every pass of a one-pass-per-level tool). */
  ms: number;
  /** Bytes counted: the uncompressed size, for gzip too. */
  bytes: number;
  /** The highest RSS of the run (the largest pass of a multi-pass tool). */
  peakBytes: number;
  /** Node rows: RSS when the measured call started (runtime, tsx, libraries). */
  baseBytes?: number;
  /** Lines per canonical level, as the tool counted them; absent for the floors. */
  levels?: Record<Level, number>;
  /** sre-kit rows: the rest of what countLevels reports, compared with the truth too. */
  rest?: { lines: number; unmatchedLines: number; unrecognized: Record<string, number> };
  /** sre-kit rows: how many worker threads the process started. */
  workersStarted?: number;
}

/** One measurement in a fresh Node process (`worker.ts`). */
export interface NodeJob {
  kind: 'countLevels' | 'countLevels parallel' | 'read loop' | 'zlib gunzip';
  path: string;
}
