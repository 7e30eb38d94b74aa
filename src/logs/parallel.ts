import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Totals } from './counter.js';
import type { LevelOptions } from './options.js';
import { countRange } from './range.js';

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

/** Pieces a file is cut into per thread: more than one, so a thread that gets less CPU takes fewer. */
const PIECES_PER_THREAD = 8;
/** The smallest piece worth a message round trip. */
const MIN_PIECE_BYTES = 16 * 1024 * 1024;

/**
 * Counts a plain file in byte ranges, on the calling thread and `threads - 1` worker threads,
 * and returns each range's totals. The file is cut into several pieces per thread, handed out
 * one at a time: a thread that starts late (a worker boots in tens of ms) or gets less CPU on
 * a shared machine simply takes fewer, and the calling thread, which would otherwise wait,
 * counts too with its kernel already compiled.
 */
export async function countInRanges(
  path: string,
  size: number,
  options: LevelOptions,
  occurrences: boolean,
  threads = Math.min(availableParallelism(), 8),
): Promise<Totals[]> {
  const { signal, ...cloneable } = options;
  const pieces = Math.max(threads, Math.min(threads * PIECES_PER_THREAD, Math.ceil(size / MIN_PIECE_BYTES)));
  const step = Math.ceil(size / pieces);
  const jobs: Array<{ start: number; end: number }> = [];
  for (let start = 0; start < size; start += step) jobs.push({ start, end: Math.min(size, start + step) });
  let next = 0;
  let failed = false;
  const take = () => (failed || next >= jobs.length ? undefined : jobs[next++]);
  const results: Totals[] = [];
  const workers: Worker[] = [];
  const onAbort = () => {
    for (const worker of workers) void worker.terminate();
  };
  signal?.addEventListener('abort', onAbort, { once: true });
  const onCaller = async () => {
    for (let job = take(); job !== undefined; job = take())
      results.push(await countRange(path, job.start, job.end, options, occurrences));
  };
  const onWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = createWorker();
      workers.push(worker);
      const send = () => {
        const job = take();
        if (job === undefined) {
          void worker.terminate();
          resolve();
        } else {
          worker.postMessage({ path, ...job, options: cloneable, occurrences });
        }
      };
      worker.on('message', (reply: { totals?: Totals; error?: { message: string } }) => {
        if (reply.totals) {
          results.push(reply.totals);
          send();
        } else {
          reject(new Error(reply.error?.message ?? 'the logs worker failed'));
          void worker.terminate();
        }
      });
      worker.once('error', reject);
      worker.once('exit', (code) => {
        if (signal?.aborted) reject(signal.reason);
        else if (code !== 0) reject(new Error(`the logs worker exited with code ${code}`));
      });
      send();
    });
  try {
    await Promise.all([
      onCaller(),
      ...Array.from({ length: Math.max(0, threads - 1) }, () =>
        onWorker().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      ),
    ]);
    return results;
  } catch (error) {
    failed = true;
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    for (const worker of workers) void worker.terminate();
  }
}
