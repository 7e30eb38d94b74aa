import { type RssReport, startRssMeter } from '../lib/memory.js';
import { timeBatches, timeSequential } from '../lib/timing.js';
import { logStream } from './producer.js';
import { SPAWNERS, type SpawnerName } from './spawners.js';
import { READERS, type ReaderName, type StreamCount } from './streams.js';

/** One measurement, run by `worker.ts` in a process of its own. */
export type Job =
  | { kind: 'sequential'; spawner: SpawnerName; count: number; warmup: number; budgetMs: number }
  | {
      kind: 'batches';
      spawner: SpawnerName;
      count: number;
      batchSize: number;
      warmup: number;
      budgetMs: number;
    }
  | { kind: 'stream'; reader: ReaderName; bytes: number; warmupBytes: number; budgetMs: number };

/** Per-call times in ms (per batch for `batches`), and the CPU time and memory of the timed phase. */
export interface SpawnOutcome {
  samples: number[];
  /** CPU time (user + system) of the calling process per call: what the library itself costs. */
  cpuMsPerCall: number;
  rss: RssReport;
}

/** What one reader did with one stream. */
export interface StreamOutcome {
  count: StreamCount;
  expected: { lines: number; bytes: number };
  wallMs: number;
  /** CPU time (user + system) of the reading process alone: robust to a busy machine. */
  cpuMs: number;
  rss: RssReport;
}

/** Runs a job: warm up (JIT, lazy loading), then measure with the RSS high-water mark reset. */
export async function runJob(job: Job): Promise<SpawnOutcome | StreamOutcome> {
  const deadline = performance.now() + job.budgetMs;
  if (job.kind === 'stream') {
    const read = await READERS[job.reader]();
    await read(logStream(job.warmupBytes), deadline);
    const stream = logStream(job.bytes);
    const meter = startRssMeter();
    const cpu = process.cpuUsage();
    const start = performance.now();
    const count = await read(stream, deadline);
    const wallMs = performance.now() - start;
    const { user, system } = process.cpuUsage(cpu);
    return {
      count,
      expected: { lines: stream.lines, bytes: stream.bytes },
      wallMs,
      cpuMs: (user + system) / 1000,
      rss: meter.stop(),
    };
  }
  const call = await SPAWNERS[job.spawner]();
  const batchSize = job.kind === 'batches' ? job.batchSize : 1;
  const time = (count: number) =>
    batchSize === 1 ? timeSequential(call, count, deadline) : timeBatches(call, count, batchSize, deadline);
  await time(job.warmup);
  const meter = startRssMeter();
  const cpu = process.cpuUsage();
  const samples = await time(job.count);
  const { user, system } = process.cpuUsage(cpu);
  const rss = meter.stop();
  return { samples, cpuMsPerCall: (user + system) / 1000 / (samples.length * batchSize), rss };
}
