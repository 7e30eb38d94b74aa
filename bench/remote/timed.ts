import { spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

const GNU_TIME = '/usr/bin/time';

/** One run of an external tool: its wall time, the CPU of it and its children, what it printed. */
export interface TimedRun {
  wallMs: number;
  /** User + system CPU of the tool and every child it waited for (its ssh processes), from GNU time. */
  cpuMs: number;
  stdout: string;
  stderr: string;
  exitCode: number | null;
}

let runs = 0;
const running = new Set<number>();

/** Kills every tool still running (its whole process group): for the bench's exit on a signal. */
export function killRunning(): void {
  for (const pid of running) {
    try {
      process.kill(-pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/**
 * Runs `argv` under GNU time in a process group of its own, killed whole past `timeoutMs`
 * (which rejects). A non-zero exit is not an error here: tools exit so when a host failed, and
 * the hosts are counted from their output.
 */
export async function runTimed(
  argv: readonly string[],
  options: { env: NodeJS.ProcessEnv; cwd: string; timeoutMs: number },
): Promise<TimedRun> {
  const timeFile = join(options.cwd, `time-${process.pid}-${runs++}`);
  const start = performance.now();
  const child = spawn(GNU_TIME, ['-f', '%U %S', '-o', timeFile, ...argv], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: options.env,
    cwd: options.cwd,
  });
  const pid = child.pid;
  if (pid !== undefined) running.add(pid);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (text: string) => {
    stdout += text;
  });
  child.stderr.setEncoding('utf8').on('data', (text: string) => {
    if (stderr.length < 1 << 20) stderr += text;
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (pid !== undefined) process.kill(-pid, 'SIGKILL');
  }, options.timeoutMs);
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
    const wallMs = performance.now() - start;
    if (timedOut) throw new Error(`${argv[0]}: over its budget, stopped after ${options.timeoutMs / 1000} s`);
    // GNU time writes "Command exited with non-zero status N" first when the tool fails.
    const last = (await readFile(timeFile, 'utf8')).trim().split('\n').at(-1) ?? '';
    const [user, system] = last.split(' ').map(Number);
    if (!Number.isFinite(user) || !Number.isFinite(system)) throw new Error(`GNU time said: ${last}`);
    return { wallMs, cpuMs: (user! + system!) * 1000, stdout, stderr, exitCode };
  } finally {
    if (pid !== undefined) running.delete(pid);
    clearTimeout(timer);
    await rm(timeFile, { force: true });
  }
}
