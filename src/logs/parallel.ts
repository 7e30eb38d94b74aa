import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Totals } from './counter.js';
import type { LevelOptions } from './options.js';

/** Below this size a file is counted on the calling thread: workers cost more than they save. */
export const PARALLEL_MIN_BYTES = 64 * 1024 * 1024;

/**
 * Where the worker script is: beside this module in the sources (run through tsx), or the
 * built `logs/worker.js`, which sits next to this code or one folder down depending on the
 * chunk the bundler put it in.
 */
function createWorker(): Worker {
  if (import.meta.url.endsWith('.ts')) {
    // Running from the TypeScript sources (tests, tsx): register tsx inside the worker first.
    const script = new URL('./worker.ts', import.meta.url).href;
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(script)}); });`;
    return new Worker(boot, { eval: true });
  }
  for (const relative of ['./worker.js', './logs/worker.js', '../logs/worker.js']) {
    const url = new URL(relative, import.meta.url);
    if (existsSync(url)) return new Worker(url);
  }
  throw new Error('the logs worker script is missing from the package');
}

/** Counts a plain file in byte ranges on worker threads and returns each range's totals. */
export async function countInRanges(
  path: string,
  size: number,
  options: LevelOptions,
  occurrences: boolean,
  threads = Math.min(availableParallelism(), 8),
): Promise<Totals[]> {
  const { signal, ...cloneable } = options;
  const step = Math.ceil(size / threads);
  const jobs = Array.from({ length: threads }, (_, index) => ({
    start: index * step,
    end: Math.min(size, (index + 1) * step),
  }));
  const workers: Worker[] = [];
  const onAbort = () => {
    for (const worker of workers) void worker.terminate();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    return await Promise.all(
      jobs.map(
        (job) =>
          new Promise<Totals>((resolve, reject) => {
            const worker = createWorker();
            workers.push(worker);
            worker.once('message', (reply: { totals?: Totals; error?: { message: string } }) => {
              if (reply.totals) resolve(reply.totals);
              else reject(new Error(reply.error?.message ?? 'the logs worker failed'));
              void worker.terminate();
            });
            worker.once('error', reject);
            worker.once('exit', (code) => {
              if (signal?.aborted) reject(signal.reason);
              else if (code !== 0) reject(new Error(`the logs worker exited with code ${code}`));
            });
            worker.postMessage({ path, ...job, options: cloneable, occurrences });
          }),
      ),
    );
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
