import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countLevels } from '../../src/logs/index.js';
import { countInRanges } from '../../src/logs/parallel.js';
import { type LogTruth, writeLogFile } from '../fixtures/logs/generate.js';

const MB = 1024 * 1024;
let dir: string;
let path: string;
let truth: LogTruth;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-parallel-'));
  path = join(dir, 'mixed.log');
  truth = await writeLogFile(path, { bytes: 70 * MB, seed: 23 });
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('countInRanges()', () => {
  it('hands out several pieces per thread, the calling thread counting too, and they add up to the truth', async () => {
    const { size } = await stat(path);
    for (const threads of [1, 2, 3]) {
      let started = 0;
      const onWorker = () => {
        started++;
      };
      process.on('worker', onWorker);
      const parts = await countInRanges(path, size, {}, false, threads).finally(() =>
        process.off('worker', onWorker),
      );
      // 70 MiB in pieces of at least 16 MiB: 5 pieces, whatever the thread count.
      expect(parts.length).toBe(5);
      expect(started).toBe(threads - 1);
      expect({
        lines: parts.reduce((sum, part) => sum + part.lines, 0),
        bytes: parts.reduce((sum, part) => sum + part.bytes, 0),
        errors: parts.reduce((sum, part) => sum + part.counts[5]!, 0),
      }).toEqual({ lines: truth.lines, bytes: truth.bytes, errors: truth.levels.ERROR });
    }
  }, 180_000);

  it('stops with the abort reason when the signal is aborted mid-count', async () => {
    const controller = new AbortController();
    const counting = countLevels(path, { parallel: true, signal: controller.signal });
    setTimeout(() => controller.abort(new Error('enough')), 5);
    await expect(counting).rejects.toThrow('enough');
  }, 180_000);
});
