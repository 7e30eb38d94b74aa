/**
 * The worker of `countLevels(…, { parallel: true })`: counts one byte range of a plain file
 * and posts its totals back. Loaded by URL from parallel.ts, never imported.
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

parentPort?.once('message', (job: Job) => {
  countRange(job.path, job.start, job.end, job.options, job.occurrences).then(
    (totals) => parentPort?.postMessage({ totals }),
    (error: Error) =>
      parentPort?.postMessage({
        error: { message: error.message, code: (error as NodeJS.ErrnoException).code },
      }),
  );
});
