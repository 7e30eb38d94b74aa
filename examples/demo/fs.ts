/** Tour step: JSON updated by several processes at once, locked, atomic and validated. */
import { join } from 'node:path';
import { readJson, updateJson } from 'sre-kit/fs';
import { runExample, say, step, type TourContext } from './tour.js';

export async function fsStep(context: TourContext): Promise<void> {
  const { dir } = context;
  step('fs: locked, atomic, validated JSON updates');
  const config = join(dir, 'jobs.json');
  // Four processes at once, each adding its own key: with updateJson none is lost.
  const writers = [1, 2, 3, 4].map(async (n) => {
    const result = await runExample(
      'update-config.ts',
      [config, '--create', '--set', `jobs.job${n}=${n}`],
      context,
    );
    if (result.exitCode !== 0) throw new Error(`update-config.ts failed: ${result.stderr}`);
  });
  await Promise.all(writers);
  say(
    `4 processes updated ${config.replace(dir, '$TMP')} at once: ${JSON.stringify(await readJson(config))}`,
  );
  const { changes } = await updateJson(config, { jobs: { job2: null }, owner: 'sre' });
  say(
    `a merge patch ({ jobs: { job2: null }, owner: 'sre' }) changed: ${changes.map((c) => `${c.path} (${c.kind})`).join(', ')}`,
  );
}
