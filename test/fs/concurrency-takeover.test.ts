import { once } from 'node:events';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { finished, setUpWorker, type WorkerSetup, waitForLine } from '../helpers/fs-worker.js';
import { stressCount } from '../helpers/stress.js';

let setup: WorkerSetup;
let dir: string;
const start = (...args: string[]) => setup.start(...args);

beforeAll(async () => {
  setup = await setUpWorker('sre-kit-json-takeover-');
  dir = setup.dir;
});
afterAll(async () => {
  await setup.cleanUp();
});

/** Takeover rounds: 10 on the main Node, 4 on the other majors (test/helpers/stress.ts). */
const ROUNDS = stressCount(10, 4);

describe('withLock across processes: stale takeover', () => {
  it(`lets exactly one of 8 contenders take over a dead holder’s lock at a time, ${ROUNDS} rounds`, async () => {
    for (let round = 0; round < ROUNDS; round++) {
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
