import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { percentile } from '../lib/stats.js';
import { type ContenderName, startContender } from './contenders.js';

/** One measurement, run in a fresh process by worker.ts. */
export type Job =
  | {
      kind: 'drop';
      contender: ContenderName;
      files: number;
      bytes: number;
      /** Files dropped per second; 0: as fast as the producer can. */
      perSecond: number;
      stableMs: number;
      budgetMs: number;
    }
  | { kind: 'restart'; contender: ContenderName; ledger: string; stableMs: number };

/** What a drop measurement saw. */
export interface DropOutcome {
  /** Handler calls, and distinct files among them. */
  calls: number;
  distinct: number;
  /** From the producer's first write to the last handler's end. */
  wallMs: number;
  /** How long the producer took to drop every file. */
  dropMs: number;
  /** From a file complete (renamed in) to its handler's start. */
  latency: { p50: number; p99: number; max: number };
  /** CPU time (user + system) of the watcher's process from the first write to the end, per file handled. */
  cpuMsPerFile: number;
  timedOut: boolean;
}

/** How long a start took before the watcher was ready. */
export interface RestartOutcome {
  readyMs: number;
}

const DROPPER = fileURLToPath(new URL('./dropper.ts', import.meta.url));
const now = () => performance.timeOrigin + performance.now();

export async function runJob(job: Job): Promise<DropOutcome | RestartOutcome> {
  const base = await mkdtemp(join(tmpdir(), 'sre-kit-bench-watch-'));
  try {
    const inbox = join(base, 'inbox');
    await mkdir(inbox);
    if (job.kind === 'restart') {
      const started = performance.now();
      const running = await startContender(job.contender, inbox, job.ledger, job.stableMs, async () => {});
      const readyMs = performance.now() - started;
      await running.close();
      return { readyMs };
    }
    return await drop(job, base, inbox);
  } finally {
    await rm(base, { recursive: true, force: true });
  }
}

async function drop(job: Extract<Job, { kind: 'drop' }>, base: string, inbox: string): Promise<DropOutcome> {
  const stage = join(base, 'stage');
  await mkdir(stage);
  const latencies: number[] = [];
  const names = new Set<string>();
  let lastEnd = 0;
  let allHandled!: () => void;
  const finished = new Promise<void>((resolve) => {
    allHandled = resolve;
  });
  const running = await startContender(
    job.contender,
    inbox,
    join(base, 'ledger.jsonl'),
    job.stableMs,
    async (path) => {
      const start = now();
      const text = await readFile(path, 'utf8');
      latencies.push(start - Number(text.slice(text.indexOf(' ') + 1, text.indexOf('\n'))));
      names.add(path);
      lastEnd = now();
      if (latencies.length === job.files) allHandled();
    },
  );
  const producer = spawn(
    process.execPath,
    [
      '--import',
      import.meta.resolve('tsx'),
      DROPPER,
      stage,
      inbox,
      String(job.files),
      String(job.bytes),
      String(job.perSecond),
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await once(producer.stdout, 'data');
  const go = now();
  const cpu = process.cpuUsage();
  producer.stdin.end('go\n');
  await once(producer, 'close');
  const dropMs = now() - go;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    finished.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), job.budgetMs);
    }),
  ]);
  clearTimeout(timer);
  const { user, system } = process.cpuUsage(cpu);
  await running.close();
  return {
    cpuMsPerFile: (user + system) / 1000 / Math.max(1, latencies.length),
    calls: latencies.length,
    distinct: names.size,
    wallMs: lastEnd - go,
    dropMs,
    latency: {
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      max: Math.max(...latencies),
    },
    timedOut,
  };
}
