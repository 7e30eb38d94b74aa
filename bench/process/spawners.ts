import { execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import type { Call } from '../lib/timing.js';

/**
 * Ways to run `true` and wait for it, each as a caller would write it: output captured,
 * the call awaited. Each loads its library only when picked, so a worker process holds
 * one library and its RSS says what that library costs.
 */
export const SPAWNERS = {
  'sre-kit run()': async () => {
    const { run } = await import('sre-kit/process');
    return () => run('true');
  },
  'child_process.spawn': async () => spawnAndWait,
  'execFile (promisified)': async () => {
    const execFileAsync = promisify(execFile);
    return () => execFileAsync('true', []);
  },
  'execa 9': async () => {
    const { execa } = await import('execa');
    return () => execa('true');
  },
  // zx always goes through a shell: this is `bash -c 'set -euo pipefail;true'`.
  'zx 8 $ (bash -c)': async () => {
    const { $ } = await import('zx');
    const quiet$ = $({ quiet: true, nothrow: true });
    return () => quiet$`true`;
  },
} satisfies Record<string, () => Promise<Call>>;

/** A contender's name. */
export type SpawnerName = keyof typeof SPAWNERS;

/** The baseline: raw `spawn`, stdout and stderr collected, resolved on 'close'. */
function spawnAndWait(): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('true', [], { stdio: ['ignore', 'pipe', 'pipe'] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.once('error', reject);
    child.once('close', (exitCode) => resolve(exitCode));
  });
}
