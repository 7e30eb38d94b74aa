/**
 * The worker of `countLevels(…, { parallel: true })`: counts byte ranges of a plain file, one
 * per message, and posts each range's totals back. Loaded by URL from parallel.ts, never
 * imported.
 */
import { parentPort } from 'node:worker_threads';
import type { LevelOptions } from './options.js';
import { countRange } from './range.js';

interface Job {
  path: string;
  start: number;
  end: number;
  options: LevelOptions;
  occurrences: boolean;
}

parentPort?.on('message', (job: Job) => {
  countRange(job.path, job.start, job.end, job.options, job.occurrences).then(
    (totals) => parentPort?.postMessage({ totals }),
    (error: Error) =>
      parentPort?.postMessage({
        error: { message: error.message, code: (error as NodeJS.ErrnoException).code },
      }),
  );
});
