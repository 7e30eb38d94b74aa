// Benchmark of sre-kit/fs JSON updates (issue 4): an uncontended update of a 10 KB config
// with updateJson, with write-file-atomic alone and with plain fs.writeFile, side by side in
// one run; then 4 processes contending on one file with updateJson, against one process
// alone, counting lost updates.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeConfig } from './json/config.js';
import { WRITERS, type WriterName } from './json/writers.js';
import { describeMachine } from './lib/machine.js';
import { isQuick, pick } from './lib/mode.js';
import { median, percentile } from './lib/stats.js';
import { formatMs, formatRatio, markdownTable } from './lib/table.js';

const UPDATES = pick(400, 60);
const ROUNDS = pick(4, 2);
const CONTENDED = { processes: 4, updates: pick(250, 40), rounds: 3 };
const dir = await mkdtemp(join(tmpdir(), 'sre-kit-bench-json-'));
const file = join(dir, 'config.json');
const worker = fileURLToPath(new URL('./json/worker.ts', import.meta.url));

async function reset(): Promise<void> {
  await writeFile(file, `${JSON.stringify(makeConfig(), null, 2)}\n`);
}

console.log(`## fs: JSON updates\n\n${describeMachine(isQuick())}\n`);
const size = Buffer.byteLength(`${JSON.stringify(makeConfig(), null, 2)}\n`);

// Uncontended: the writers take turns round by round, so a burst of load on the machine
// hits them all alike.
const samples = new Map<WriterName, number[]>(Object.keys(WRITERS).map((name) => [name as WriterName, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, write] of Object.entries(WRITERS) as [WriterName, (path: string) => Promise<void>][]) {
    await reset();
    for (let i = 0; i < 10; i++) await write(file); // warm up
    for (let i = 0; i < UPDATES / ROUNDS; i++) {
      const start = performance.now();
      await write(file);
      samples.get(name)!.push(performance.now() - start);
    }
  }
}
const baseline = median(samples.get('write-file-atomic')!);
console.log(
  `Uncontended read-modify-write of a ${(size / 1024).toFixed(1)} KB config, ${UPDATES} updates each (median, p90, updates/s, ratio to write-file-atomic alone):\n`,
);
console.log(
  markdownTable(
    ['writer', 'median', 'p90', 'updates/s', 'vs write-file-atomic', 'safe from races / crashes'],
    (Object.keys(WRITERS) as WriterName[]).map((name) => {
      const values = samples.get(name)!;
      const safety =
        name === 'updateJson' ? 'yes / yes' : name === 'write-file-atomic' ? 'no / yes' : 'no / no';
      return [
        name,
        formatMs(median(values)),
        formatMs(percentile(values, 0.9)),
        (1000 / median(values)).toFixed(0),
        formatRatio(median(values) / baseline),
        safety,
      ];
    }),
    ['left', 'right', 'right', 'right', 'right', 'left'],
  ),
);

/** Starts `processes` contenders, releases them at once, and returns updates/s and the final counter. */
async function contend(
  processes: number,
  updates: number,
): Promise<{ perSecond: number; counter: number; wallMs: number }> {
  await reset();
  const tsx = import.meta.resolve('tsx');
  const children = Array.from({ length: processes }, () =>
    spawn(process.execPath, ['--import', tsx, worker, file, String(updates)], {
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  await Promise.all(
    children.map(
      (child) =>
        new Promise<void>((resolve) => {
          child.stdout.once('data', () => resolve());
        }),
    ),
  );
  const started = performance.now();
  for (const child of children) child.stdin.end('go\n');
  await Promise.all(children.map((child) => once(child, 'close')));
  const wallMs = performance.now() - started;
  const counter = (JSON.parse(await readFile(file, 'utf8')) as { counter: number }).counter;
  return { perSecond: (processes * updates * 1000) / wallMs, counter, wallMs };
}

// Rounds alternate between one process and four, and each row is its median round, so a
// burst of load on the shared machine does not land on one side only.
type Contended = Awaited<ReturnType<typeof contend>>;
const medianRound = (runs: Contended[]): Contended =>
  [...runs].sort((a, b) => a.wallMs - b.wallMs)[Math.floor(runs.length / 2)]!;
const aloneRuns: Contended[] = [];
const togetherRuns: Contended[] = [];
for (let round = 0; round < CONTENDED.rounds; round++) {
  aloneRuns.push(await contend(1, CONTENDED.updates * CONTENDED.processes));
  togetherRuns.push(await contend(CONTENDED.processes, CONTENDED.updates));
}
const alone = medianRound(aloneRuns);
const together = medianRound(togetherRuns);
const expected = CONTENDED.processes * CONTENDED.updates;
const lost = (runs: Contended[]) => runs.reduce((sum, run) => sum + (expected - run.counter), 0);
console.log(
  `\nContention: ${expected} updateJson calls on one file, by 1 process and by ${CONTENDED.processes} at once (median of ${CONTENDED.rounds} alternating rounds; lost updates summed over all rounds):\n`,
);
console.log(
  markdownTable(
    ['processes', 'updates', 'wall', 'updates/s', 'vs 1 process', 'final counter', 'lost updates'],
    [
      [
        '1',
        String(expected),
        formatMs(alone.wallMs),
        alone.perSecond.toFixed(0),
        '1.00x',
        String(alone.counter),
        String(lost(aloneRuns)),
      ],
      [
        String(CONTENDED.processes),
        String(expected),
        formatMs(together.wallMs),
        together.perSecond.toFixed(0),
        formatRatio(together.perSecond / alone.perSecond),
        String(together.counter),
        String(lost(togetherRuns)),
      ],
    ],
    ['right', 'right', 'right', 'right', 'right', 'right', 'right'],
  ),
);
console.log(
  '\nGoals: updateJson at most 1.5x write-file-atomic alone; 4-way contention at least 70% (0.70x) of one process; zero lost updates.',
);
await rm(dir, { recursive: true, force: true });
