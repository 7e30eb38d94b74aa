// Benchmark of sre-kit/fs watchDirectory (issue 7): 10,000 files dropped into a folder by
// another process (written beside it and renamed in) as fast as it can, then a steady 200
// files/s, handled by watchDirectory and by the textbook watcher (chokidar with
// awaitWriteFinish and an in-memory Set, no ledger), side by side in one run, each
// measurement in a fresh process; then the start-up time with a ledger of 100,000 entries.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { interleave } from './lib/interleave.js';
import { runIsolated } from './lib/isolate.js';
import { describeMachine } from './lib/machine.js';
import { isQuick, pick } from './lib/mode.js';
import { formatCount, formatMs, formatRatio } from './lib/table.js';
import { BASELINE, CONTENDERS, type ContenderName } from './watch/contenders.js';
import type { DropOutcome, Job, RestartOutcome } from './watch/jobs.js';
import { makeLedger } from './watch/ledger.js';
import { dropTable, latency, readyMs, restartTable, throughput } from './watch/report.js';

const WORKER = new URL('./watch/worker.ts', import.meta.url);
const FILES = pick(10_000, 2_000);
const BYTES = 1024;
const STABLE_MS = 500;
const ROUNDS = pick(3, 1);
/** A steady stream the watchers keep up with: latency without a queue. */
const PACED = { files: pick(2_000, 600), perSecond: 200, rounds: pick(2, 1) };
const LEDGER_ENTRIES = pick(100_000, 100_000);
const RESTART_ROUNDS = pick(5, 2);
const BUDGET_MS = pick(120_000, 60_000);

function measure<T>(label: string, round: number, rounds: number, job: Job): Promise<T> {
  process.stderr.write(`  ${label}, round ${round + 1}/${rounds}: ${job.contender}\n`);
  return runIsolated<T>(WORKER, [JSON.stringify(job)], BUDGET_MS + 60_000);
}

const started = performance.now();
console.log(`## fs: watchDirectory\n\n${describeMachine(isQuick())}\n`);
console.log(
  'Latency: from the rename that completes a file to its handler start. Wall: from the first write to the last handler end.\n',
);
const names = Object.keys(CONTENDERS) as ContenderName[];

/** One drop scenario for every contender, in interleaved rounds, and its table. */
async function dropScenario(files: number, perSecond: number, rounds: number) {
  const results = await interleave(names, rounds, (contender, round) =>
    measure<DropOutcome>(perSecond === 0 ? 'burst' : 'paced', round, rounds, {
      kind: 'drop',
      contender,
      files,
      bytes: BYTES,
      perSecond,
      stableMs: STABLE_MS,
      budgetMs: BUDGET_MS,
    }),
  );
  const how = perSecond === 0 ? 'as fast as one producer can' : `at ${formatCount(perSecond)} files/s`;
  console.log(
    `### ${formatCount(files)} files of 1 KiB dropped ${how} by another process (written beside the folder, renamed in), stableMs ${STABLE_MS}, median of ${rounds}\n`,
  );
  console.log(`${dropTable(results, files)}\n`);
  return results;
}

const drops = await dropScenario(FILES, 0, ROUNDS);
const paced = await dropScenario(PACED.files, PACED.perSecond, PACED.rounds);

const state = await mkdtemp(join(tmpdir(), 'sre-kit-bench-watch-ledger-'));
const ledger = join(state, 'ledger.jsonl');
await makeLedger(ledger, LEDGER_ENTRIES);
const restartNames: ContenderName[] = ['sre-kit (defaults)', BASELINE];
const restarts = await interleave(restartNames, RESTART_ROUNDS, (contender, round) =>
  measure<RestartOutcome>('restart', round, RESTART_ROUNDS, {
    kind: 'restart',
    contender,
    ledger,
    stableMs: STABLE_MS,
  }),
);
await rm(state, { recursive: true, force: true });
console.log(
  `### Start-up with a ledger of ${formatCount(LEDGER_ENTRIES)} entries (empty folder), median of ${RESTART_ROUNDS}: from watchDirectory() to ready\n`,
);
console.log(`${restartTable(restarts, LEDGER_ENTRIES)}\n`);

const baseline = throughput(drops.get(BASELINE));
const restart = readyMs(restarts.get('sre-kit (defaults)'));
const verdict = (ok: boolean) => (ok ? 'met' : 'NOT MET');
const dropGoals = (name: ContenderName) => {
  const ratio = throughput(drops.get(name)) / baseline;
  const p99 = latency(paced.get(name), 'p99');
  const p99Burst = latency(drops.get(name), 'p99');
  return [
    `- ${name}: burst throughput ${formatRatio(ratio)} of the textbook watcher, goal 0.80x (${verdict(ratio >= 0.8)}); ` +
      `p99 latency at ${PACED.perSecond} files/s ${formatMs(p99)}, goal under stableMs + 100 ms = ${STABLE_MS + 100} ms ` +
      `(${verdict(p99 < STABLE_MS + 100)}); in the burst ${formatMs(p99Burst)}`,
  ];
};
console.log(
  [
    'Goals (issue 7):',
    ...dropGoals('sre-kit (defaults)'),
    `- restart with ${formatCount(LEDGER_ENTRIES)} ledger entries under 1 s: ${formatMs(restart)} (${verdict(restart < 1000)})`,
    `- the textbook watcher's own p99 latency: ${formatMs(latency(paced.get(BASELINE), 'p99'))} paced, ${formatMs(latency(drops.get(BASELINE), 'p99'))} in the burst`,
    '',
    `(${formatMs(performance.now() - started)} in all)`,
  ].join('\n'),
);
