import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../src/fs/index.js';
import { finished, setUpWorker, type WorkerSetup } from '../helpers/fs-worker.js';

let setup: WorkerSetup;
let dir: string;
const start = (...args: string[]) => setup.start(...args);

beforeAll(async () => {
  setup = await setUpWorker('sre-kit-json-race-');
  dir = setup.dir;
});
afterAll(async () => {
  await setup.cleanUp();
});

describe('updateJson across processes: no lost update', () => {
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
});
