import fc from 'fast-check';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { cmd, run } from '../../src/process/index.js';
import { openFdCount, waitUntil } from '../helpers/processes.js';

describe('resources', () => {
  it('leaves no file descriptor open after 500 runs, 50 at a time, failures included', async () => {
    await run('true'); // warm up lazily opened handles
    const before = openFdCount();
    const limit = pLimit(50);
    const outcomes = await Promise.allSettled(
      Array.from({ length: 500 }, (_, index) =>
        limit(() =>
          index % 5 === 0
            ? run('bash', ['-c', 'echo err >&2; exit 1'])
            : index % 7 === 0
              ? run('sleep', ['5'], { timeoutMs: 50 })
              : run('cat', [], { input: `run ${index}` }),
        ),
      ),
    );
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled').length).toBeGreaterThan(300);
    expect(await waitUntil(() => openFdCount() === before, 5000)).toBe(true);
  });
});

describe('cmd`` arguments (property)', () => {
  it('passes arbitrary strings byte for byte as single arguments', async () => {
    const echo = 'process.stdout.write(JSON.stringify(process.argv.slice(1)))';
    const argument = fc.string({ unit: 'binary', maxLength: 40 }).filter((text) => !text.includes('\0'));
    await fc.assert(
      fc.asyncProperty(argument, fc.array(argument, { maxLength: 4 }), async (one, many) => {
        const result = await run(cmd`${process.execPath} -e ${echo} ${one} x${one}y ${many}`);
        expect(JSON.parse(result.stdout)).toEqual([one, `x${one}y`, ...many]);
      }),
      { numRuns: 60 },
    );
  });
});
