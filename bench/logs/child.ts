import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/** One run of a command: wall time, peak RSS and what it printed. */
export interface ChildRun {
  ms: number;
  peakBytes: number;
  stdout: string;
}

export interface ChildOptions {
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  /** grep and rg exit 1 when nothing matched: not a failure for a count. @default [0] */
  okExitCodes?: readonly number[];
}

/** How {@link runChild} measures peak RSS, for the table's notes. */
export function childRssMethod(): string {
  return existsSync(GNU_TIME)
    ? "GNU `/usr/bin/time -f '%M'` (for a pipeline or a tool that spawns a helper: the largest single process, not the sum)"
    : '`VmHWM` of `/proc/<pid>/status` sampled every 10 ms until exit (the direct child only: a pipeline under `bash -c` is not covered; install Debian `time` for better)';
}

let runs = 0;

/**
 * Runs `argv` (no shell; pass `bash -c` explicitly for a pipeline) in a process group of its
 * own, killed whole past `timeoutMs`, and measures its wall time and peak RSS.
 */
export async function runChild(argv: readonly string[], options: ChildOptions): Promise<ChildRun> {
  const timed = existsSync(GNU_TIME);
  const rssFile = join(tmpdir(), `sre-kit-bench-rss-${process.pid}-${runs++}`);
  const [command, ...args] = timed ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv] : [...argv];
  const start = performance.now();
  const child = spawn(command!, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 4096) stderr += text;
  });
  let sampledKb = 0;
  const sampler = timed
    ? undefined
    : setInterval(() => {
        sampledKb = Math.max(sampledKb, readHighWaterMarkKb(child.pid));
      }, 10);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  }, options.timeoutMs);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const ms = performance.now() - start;
    if (timedOut)
      throw new Error(`over its budget, stopped after ${(options.timeoutMs / 1000).toFixed(0)} s`);
    if (exitCode === null || !(options.okExitCodes ?? [0]).includes(exitCode)) {
      const why = stderr.trim().split('\n').at(-1) ?? '';
      throw new Error(`${argv.slice(0, 3).join(' ')}… exited ${exitCode ?? 'by a signal'}: ${why}`);
    }
    const peakKb = timed ? await readTimeFile(rssFile) : sampledKb;
    return { ms, peakBytes: peakKb * 1024, stdout };
  } finally {
    clearTimeout(timer);
    if (sampler !== undefined) clearInterval(sampler);
    await rm(rssFile, { force: true });
  }
}

// GNU time writes "Command exited with non-zero status 1" before the figure when the
// command fails; the figure is the last line.
async function readTimeFile(path: string): Promise<number> {
  const lines = (await readFile(path, 'utf8')).trim().split('\n');
  return Number(lines.at(-1));
}

function readHighWaterMarkKb(pid: number | undefined): number {
  try {
    const match = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // already gone
  }
}
