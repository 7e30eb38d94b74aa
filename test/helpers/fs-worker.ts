import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleFixture } from './bundle.js';
import { repoRoot } from './run-script.js';

/** The fs worker fixture (test/fixtures/fs/worker.ts) bundled for plain node, and a temp dir. */
export interface WorkerSetup {
  dir: string;
  /** Starts the worker with its mode and arguments. */
  start(...args: string[]): ChildProcess;
  cleanUp(): Promise<void>;
}

export async function setUpWorker(prefix: string): Promise<WorkerSetup> {
  const worker = await bundleFixture(join(repoRoot, 'test', 'fixtures', 'fs', 'worker.ts'));
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    start: (...args) => spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }),
    cleanUp: async () => {
      await rm(dir, { recursive: true, force: true });
      await rm(worker, { force: true });
    },
  };
}

/** Waits for the child to exit (SIGKILL after `timeoutMs`) and returns its code and stderr. */
export async function finished(
  child: ChildProcess,
  timeoutMs = 120_000,
): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = await once(child, 'exit');
  clearTimeout(timer);
  return { code, stderr };
}

/** Resolves once the child prints a line that `predicate` accepts; rejects on timeout or exit. */
export function waitForLine(
  child: ChildProcess,
  predicate: (line: string) => boolean,
  timeoutMs = 30_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let buffer = '';
    const timer = setTimeout(() => reject(new Error('timed out waiting for the child')), timeoutMs);
    child.stdout?.on('data', (chunk) => {
      buffer += chunk;
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      if (lines.some(predicate)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', () => reject(new Error('the child exited first')));
  });
}
