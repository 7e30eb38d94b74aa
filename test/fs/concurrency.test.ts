import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../src/fs/index.js';
import { bundleFixture } from '../helpers/bundle.js';
import { repoRoot } from '../helpers/run-script.js';

let worker: string;
let dir: string;

beforeAll(async () => {
  worker = await bundleFixture(join(repoRoot, 'test', 'fixtures', 'fs', 'worker.ts'));
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-json-race-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
  await rm(worker, { force: true });
});

function start(...args: string[]): ChildProcess {
  return spawn(process.execPath, [worker, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

async function finished(
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

/** Resolves with each line the child prints, until `predicate` accepts one. */
function waitForLine(
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

describe('updateJson across processes', () => {
  it('loses no update: 8 processes x 250 increments = 2000, and every version a reader sees parses', async () => {
    const file = join(dir, 'counter.json');
    const children = Array.from({ length: 8 }, () => start('increment', file, '250'));
    const done = Promise.all(children.map((child) => finished(child)));
    let reads = 0;
    let running = true;
    void done.then(() => {
      running = false;
    });
    while (running) {
      try {
        const data = (await readJson(file)) as { n: number };
        expect(Number.isInteger(data.n)).toBe(true);
        reads++;
      } catch (error) {
        // Before the first writer created it, the file may not exist yet; nothing else may fail.
        expect((error as { code?: string }).code).toBe('SRE_FILE_NOT_FOUND');
        expect(reads).toBe(0);
      }
    }
    const results = await done;
    expect(results.map((result) => result.code)).toEqual(Array(8).fill(0));
    expect(await readJson(file)).toEqual({ n: 2000 });
    expect(reads).toBeGreaterThan(10);
  });

  it('survives SIGKILL at random moments, 200 times: the file parses, no committed update is lost', async () => {
    const file = join(dir, 'crash.json');
    let committed = 0;
    for (let round = 0; round < 200; round++) {
      const child = start('loop', file);
      let last = -1;
      let buffer = '';
      child.stdout?.on('data', (chunk) => {
        buffer += chunk;
        const lines = buffer.split('\n');
        buffer = lines.pop() ?? '';
        for (const line of lines) last = Number(line);
      });
      // The first commit proves the previous child's stale lock was taken over.
      await waitForLine(child, () => true);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      child.kill('SIGKILL');
      await once(child, 'exit');
      const { n } = (await readJson(file)) as { n: number };
      expect(last).toBeGreaterThan(committed - 1);
      // The kill may land after a commit and before its line was printed: one more is fine.
      expect([last, last + 1]).toContain(n);
      committed = n;
    }
    expect(committed).toBeGreaterThan(200);
  }, 300_000);

  it('lets exactly one of 8 contenders take over a dead holder’s lock at a time, 10 rounds', async () => {
    for (let round = 0; round < 10; round++) {
      const file = join(dir, `stale-${round}.json`);
      const log = join(dir, `stale-${round}.log`);
      await writeFile(file, '{}');
      await writeFile(`${file}.count`, '0');
      await writeFile(log, '');
      const holder = start('hold', file);
      await waitForLine(holder, (line) => line === 'locked');
      holder.kill('SIGKILL');
      await once(holder, 'exit');
      const contenders = Array.from({ length: 8 }, () => start('contend', file, log));
      const results = await Promise.all(contenders.map((child) => finished(child)));
      expect(results.map((result) => result.stderr)).toEqual(Array(8).fill(''));
      expect(await readFile(`${file}.count`, 'utf8')).toBe('8');
      // The critical sections never overlap: the log alternates enter/leave of one pid.
      const entries = (await readFile(log, 'utf8'))
        .trim()
        .split('\n')
        .map((line) => line.split(' '));
      expect(entries).toHaveLength(16);
      for (let i = 0; i < entries.length; i += 2) {
        expect(entries[i]?.[0]).toBe('enter');
        expect(entries[i + 1]?.[0]).toBe('leave');
        expect(entries[i + 1]?.[1]).toBe(entries[i]?.[1]);
      }
    }
  }, 300_000);
});
