// Entry point of one isolated measurement: `worker.ts '<NodeJob as JSON>'`, started by
// runIsolated() from logs.bench.ts. Times only the call, not Node's and tsx's start-up.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { type CountLevelsOptions, countLevels, type Level } from 'sre-kit/logs';
import { reportResult } from '../lib/isolate.js';
import { startRssMeter } from '../lib/memory.js';
import type { NodeJob, Outcome } from './outcome.js';

const READ_SIZE = 1024 * 1024;

type Counted = Omit<Outcome, 'ms' | 'peakBytes' | 'baseBytes'>;

async function count(path: string, parallel: boolean): Promise<Counted> {
  // Typed loosely on purpose: the bench must compile and run before `parallel` exists;
  // whether it did anything shows in the worker threads the process started.
  const options: CountLevelsOptions & { parallel?: boolean } = parallel ? { parallel: true } : {};
  const { levels, lines, unmatchedLines, unrecognized, bytes } = await countLevels(path, options);
  return { bytes, levels: levels as Record<Level, number>, rest: { lines, unmatchedLines, unrecognized } };
}

/** The floor of any Node reader: large reads into one reused buffer, nothing done with them. */
async function readLoop(path: string): Promise<Counted> {
  const handle = await open(path, 'r');
  const buffer = Buffer.allocUnsafe(READ_SIZE);
  let bytes = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, READ_SIZE, bytes);
      if (bytesRead === 0) return { bytes };
      bytes += bytesRead;
    }
  } finally {
    await handle.close();
  }
}

/** Node's own gunzip alone, with the buffer sizes that make it fastest here (1 MiB reads, 256 KiB output chunks). */
async function gunzip(path: string): Promise<Counted> {
  let bytes = 0;
  await pipeline(
    createReadStream(path, { highWaterMark: READ_SIZE }),
    createGunzip({ chunkSize: 256 * 1024 }),
    async (source: AsyncIterable<Buffer>) => {
      for await (const chunk of source) bytes += chunk.length;
    },
  );
  return { bytes };
}

const JOBS: Record<NodeJob['kind'], (path: string) => Promise<Counted>> = {
  countLevels: (path) => count(path, false),
  'countLevels parallel': (path) => count(path, true),
  'read loop': readLoop,
  'zlib gunzip': gunzip,
};

const job = JSON.parse(process.argv[2] ?? '') as NodeJob;
let workersStarted = 0;
process.on('worker', () => {
  workersStarted++;
});
const meter = startRssMeter();
const start = performance.now();
const counted = await JOBS[job.kind](job.path);
const ms = performance.now() - start;
const rss = meter.stop();
const outcome: Outcome = {
  ...counted,
  ms,
  peakBytes: rss.peakBytes,
  baseBytes: rss.baseBytes,
  workersStarted,
};
reportResult(outcome);
