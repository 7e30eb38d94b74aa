// Benchmark of sre-kit/logs (issue 6): countLevels against ripgrep, GNU grep, awk and the
// textbook Python script, on a generated 1 GiB log (100 MiB in quick mode) and on its gzip,
// side by side in one run, with `cat`, `gzip -dc` and Node's own reads as floors. Every
// tool's counts are checked against the generator's truth. Node measurements run in a fresh
// process each (bench/logs/worker.ts), the other tools under GNU time.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { interleave } from './lib/interleave.js';
import { describeMachine } from './lib/machine.js';
import { isQuick, pick } from './lib/mode.js';
import { formatCount, formatMiB, formatMs } from './lib/table.js';
import { buildWorker } from './logs/build.js';
import { childRssMethod } from './logs/child.js';
import { contenders, SRE_KIT_PARALLEL } from './logs/contenders.js';
import { CACHE_DIR, type LogFile, prepareLog, warmPageCache } from './logs/data.js';
import type { Outcome } from './logs/outcome.js';
import { accuracyTable, goals, parallelExists, type Row, resultTable } from './logs/report.js';
import { type Contender, type Input, LEVEL_WORDS, type NodeWorker } from './logs/runners.js';
import { toolVersions } from './logs/versions.js';

const SEED = 1;
const SMALL = 100 * 2 ** 20;
const BIG = pick(2 ** 30, SMALL);
const ROUNDS: Record<Input, number> = { plain: pick(3, 2), gzip: pick(2, 2) };
/** Per contender and round; past it the tool is stopped and its row says so. */
const BUDGET_MS = pick(120_000, 40_000);
/** A contender slower than this runs once: more rounds would not change the picture. */
const REPEAT_UNDER_MS = pick(20_000, 8_000);

const started = performance.now();
console.log(`## logs: countLevels\n\n${describeMachine(isQuick())}\n`);
const big = await prepareLog(BIG, SEED);
const small = BIG === SMALL ? big : await prepareLog(SMALL, SEED);
warmPageCache([...new Set([big.path, big.gzipPath, small.path, small.gzipPath])]);
const buildDir = join(CACHE_DIR, `build-${process.pid}`);
const worker: NodeWorker = await buildWorker(buildDir).then(
  (url) => ({ url, tsx: false }),
  (error: unknown) => {
    console.log(
      `(Building the Node worker failed, so it runs through tsx: ${String(error).split('\n')[0]})\n`,
    );
    return { url: new URL('./logs/worker.ts', import.meta.url), tsx: true };
  },
);
const CONTENDERS = contenders(worker);

/** Every contender that reads `input`, in interleaved rounds. */
async function measureInput(input: Input): Promise<Row[]> {
  const entrants = CONTENDERS.filter((contender) => contender.inputs.includes(input));
  const byName = new Map(entrants.map((contender) => [contender.name, contender]));
  const fileOf = (contender: Contender): LogFile => (contender.slowOn?.includes(input) ? small : big);
  const firsts = new Map<string, Outcome>();
  const rounds = ROUNDS[input];
  const results = await interleave([...byName.keys()], rounds, async (name, round) => {
    const contender = byName.get(name)!;
    const first = firsts.get(name);
    if (
      first !== undefined &&
      (first.ms > REPEAT_UNDER_MS || (first.workersStarted === 0 && name === SRE_KIT_PARALLEL))
    )
      return null;
    const file = fileOf(contender);
    process.stderr.write(`  ${input}, round ${round + 1}/${rounds}: ${contender.label(input)}\n`);
    const path = input === 'gzip' ? file.gzipPath : file.path;
    const outcome = await contender.measure({ path, input, bytes: file.bytes }, BUDGET_MS);
    if (first === undefined) firsts.set(name, outcome);
    return outcome;
  });
  return entrants.map((contender) => {
    const file = fileOf(contender);
    return {
      contender,
      input,
      truth: file.truth,
      scale: big.bytes / file.bytes,
      measured: results.get(contender.name)!,
    };
  });
}

const { truth } = big;
const mix = Object.entries(truth.mix)
  .sort(([, a], [, b]) => b.lines - a.lines)
  .map(([kind, { lines }]) => `${kind} ${((lines / truth.lines) * 100).toFixed(0)}%`)
  .join(', ');
console.log(
  [
    `Log: ${formatMiB(big.bytes)}, ${formatCount(truth.lines)} lines (test/fixtures/logs/generate.ts, seed ${SEED}; ${mix}); gzip -6: ${formatMiB(big.gzipBytes)}.`,
    `True counts: ${Object.entries(truth.levels)
      .map(([level, count]) => `${level} ${formatCount(count)}`)
      .join(', ')}; ${formatCount(truth.unmatchedLines)} lines without a level.`,
    `Tools: ${toolVersions()}. grep, awk and sort run with LC_ALL=C (their fast, byte-wise mode).`,
    `Every tool looks for the same words, the canonical names and their aliases: ${Object.values(LEVEL_WORDS)
      .map((words) => words.join('/'))
      .join(', ')}.`,
    `Page cache warm (every file read once first); rounds interleaved, order rotating; time is the median of the runs; MB = 10^6 bytes, and for gzip MB of decompressed log.`,
    '',
  ].join('\n'),
);

const plain = await measureInput('plain');
const parallel = parallelExists(plain);
console.log(`### plain text, ${formatMiB(big.bytes)}\n\n${resultTable(plain, big.bytes, parallel)}\n`);
const gzip = await measureInput('gzip');
console.log(
  `### gzip, ${formatMiB(big.gzipBytes)} -> ${formatMiB(big.bytes)}\n\n${resultTable(gzip, big.bytes, parallel)}\n`,
);

const notes = [
  `Peak RSS of other tools: ${childRssMethod()}. ripgrep maps the file into memory, so its RSS includes the file's pages from the page cache.`,
  `‡ Node rows: ${worker.tsx ? 'run through tsx (the build failed), so Node and tsx are in the RSS and every worker thread loads tsx' : 'bench/logs/worker.ts and src/logs bundled by esbuild as tsup builds dist/ (with the `parallel` worker entry), run by plain node'}; peak RSS is the whole process by its kernel high-water mark (VmHWM, worker threads included); (+…) is what the call added to the process. Their time is that of the call, without Node's start-up.`,
];
if (big !== small)
  notes.push(
    `† Too slow for ${formatMiB(big.bytes)} within the budget (the textbook script; one pass per level over gzip decompresses the file seven times): it counted the ${formatMiB(small.bytes)} log made with the same seed, against that log's own truth, and its time is scaled ×${(big.bytes / small.bytes).toFixed(2)}; its MB/s and its error are as measured.`,
  );
console.log(`${notes.join('\n')}\n`);

console.log(`### how far each count is from the truth, plain text (per level, % of the true count)\n`);
console.log(`${accuracyTable(plain, truth, parallel)}\n`);
console.log(
  'rg/grep -c count lines that contain a word anywhere (a message mentioning an error, a JSON field, `level=` after another level word) and miss numeric and syslog levels; `-o | uniq -c` and the textbook script count every occurrence; awk takes the first word of the line, the wrong one on JSON and logfmt lines where another word comes before the level field, and also in mixed case (iNfO).\n',
);

console.log(`${goals(plain, gzip, worker.tsx)}\n\n(${formatMs(performance.now() - started)} in all)`);
await rm(buildDir, { recursive: true, force: true });
