import { once } from 'node:events';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readJson } from '../../src/fs/index.js';
import { setUpWorker, type WorkerSetup, waitForLine } from '../helpers/fs-worker.js';
import { stressCount } from '../helpers/stress.js';

let setup: WorkerSetup;
let dir: string;
const start = (...args: string[]) => setup.start(...args);
/** SIGKILLs: 200 on the main Node, 50 on the other majors (test/helpers/stress.ts). */
const KILLS = stressCount(200, 50);

beforeAll(async () => {
  setup = await setUpWorker('sre-kit-json-crash-');
  dir = setup.dir;
});
afterAll(async () => {
  await setup.cleanUp();
});

describe('updateJson across processes: SIGKILL mid-write', () => {
  it(`survives SIGKILL at random moments, ${KILLS} times: the file parses, no committed update is lost`, async () => {
    const file = join(dir, 'crash.json');
    let committed = 0;
    for (let round = 0; round < KILLS; round++) {
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
    expect(committed).toBeGreaterThan(KILLS);
  }, 300_000);
});
