// Benchmark of sre-kit/process (issue 3): run() against raw child_process, execFile, execa
// and zx, and lines() against hand-written readers, side by side in one run. Every
// measurement runs in a fresh Node process (bench/process/worker.ts), so one tool's heap,
// JIT state and peak RSS stay out of another's numbers.
import { interleave } from './lib/interleave.js';
import { runIsolated } from './lib/isolate.js';
import { describeMachine } from './lib/machine.js';
import { isQuick, pick } from './lib/mode.js';
import { formatCount, formatMiB, formatMs, formatRatio } from './lib/table.js';
import type { Job, SpawnOutcome, StreamOutcome } from './process/jobs.js';
import { readerMedian, rssGrowth, spawnMedian, spawnTable, streamTable } from './process/report.js';
import { SPAWNERS, type SpawnerName } from './process/spawners.js';
import { READERS, type ReaderName } from './process/streams.js';

const WORKER = new URL('./process/worker.ts', import.meta.url);
const SEQUENTIAL = { count: pick(2000, 200), rounds: pick(4, 2), warmup: pick(100, 20) };
// 200 parallel runs are over in half a second, too short to ride out a neighbour's burst of
// load: each round repeats all 200.
const BATCHES = { count: pick(200, 40), rounds: pick(5, 2), batchSize: 20, warmup: pick(100, 20) };
const STREAM = { bytes: pick(2 ** 30, 2 ** 27), rounds: pick(3, 1), warmupBytes: 2 ** 24 };
const SPAWN_BUDGET_MS = pick(120_000, 30_000);
const STREAM_BUDGET_MS = pick(60_000, 20_000);

/** Runs one job in a fresh process, saying so on stderr (stdout is for the tables). */
function measure<T>(label: string, round: number, rounds: number, job: Job): Promise<T> {
  const name = 'spawner' in job ? job.spawner : job.reader;
  process.stderr.write(`  ${label}, round ${round + 1}/${rounds}: ${name}\n`);
  return runIsolated<T>(WORKER, [JSON.stringify(job)], job.budgetMs + 30_000);
}

const started = performance.now();
console.log(`## process\n\n${describeMachine(isQuick())}\n`);
const spawners = Object.keys(SPAWNERS) as SpawnerName[];

const sequential = await interleave(spawners, SEQUENTIAL.rounds, (spawner, round) =>
  measure<SpawnOutcome>('sequential', round, SEQUENTIAL.rounds, {
    kind: 'sequential',
    spawner,
    count: SEQUENTIAL.count / SEQUENTIAL.rounds,
    warmup: SEQUENTIAL.warmup,
    budgetMs: SPAWN_BUDGET_MS,
  }),
);
console.log(`### ${formatCount(SEQUENTIAL.count)} sequential runs of \`true\`\n`);
console.log(`${spawnTable(sequential, 1)}\n`);

const batches = await interleave(spawners, BATCHES.rounds, (spawner, round) =>
  measure<SpawnOutcome>('batches', round, BATCHES.rounds, {
    kind: 'batches',
    spawner,
    count: BATCHES.count,
    batchSize: BATCHES.batchSize,
    warmup: BATCHES.warmup,
    budgetMs: SPAWN_BUDGET_MS,
  }),
);
const size = BATCHES.batchSize;
console.log(
  `### ${formatCount(BATCHES.count)} runs of \`true\` in parallel batches of ${size}, ${BATCHES.rounds} rounds (time / call = batch time / ${size})\n`,
);
console.log(`${spawnTable(batches, size)}\n`);

const readers = Object.keys(READERS) as ReaderName[];
const streams = await interleave(readers, STREAM.rounds, (reader, round) =>
  measure<StreamOutcome>('stream', round, STREAM.rounds, {
    kind: 'stream',
    reader,
    bytes: STREAM.bytes,
    warmupBytes: STREAM.warmupBytes,
    budgetMs: STREAM_BUDGET_MS,
  }),
);
console.log(
  `### ${formatMiB(STREAM.bytes)} of 100-byte log lines from a child's stdout, median of ${STREAM.rounds} (MB = 10^6 bytes)\n`,
);
console.log(`${streamTable(streams)}\n`);

const vsSpawn = (name: SpawnerName) => {
  const ratio = (results: typeof sequential) =>
    formatRatio(spawnMedian(results.get(name)) / spawnMedian(results.get('child_process.spawn')));
  return `${ratio(sequential)} sequential, ${ratio(batches)} in batches`;
};
console.log(
  [
    'Goals (issue 3):',
    `- run() within 1.15x of raw spawn per call: ${vsSpawn('sre-kit run()')}`,
    `- run() faster than execa: execa is ${vsSpawn('execa 9')}`,
    `- lines() at least 500 MB/s: ${readerMedian(streams.get('sre-kit lines()')).toFixed(0)} MB/s`,
    `- lines() with flat memory: RSS grew by at most ${formatMiB(rssGrowth(streams.get('sre-kit lines()')))} over ${formatMiB(STREAM.bytes)}`,
    '',
    `(${formatMs(performance.now() - started)} in all)`,
  ].join('\n'),
);
