/** Tour step: run() with no shell, deadlines that kill the whole process tree, secrets masked. */
import { join } from 'node:path';
import { cmd, run } from 'sre-kit/process';
import { Secret } from 'sre-kit/secrets';
import { say, step, type TourContext } from './tour.js';

export async function processStep({ signal, dir }: TourContext): Promise<void> {
  step('process: no shell, deadlines that kill the whole tree, secrets masked');
  const path = join(dir, 'file; rm -rf ~');
  const listed = await run(cmd`ls -d ${path}`, { reject: false, signal });
  say(`a path with "; rm -rf ~" in it is one argument: ${listed.command} -> exit ${listed.exitCode}`);
  const started = Date.now();
  const hung = await run('bash', ['-c', 'sleep 300 & sleep 300 & wait'], {
    timeoutMs: 300,
    reject: false,
    signal,
  });
  say(
    `a hung command with two children, deadline 300 ms: timedOut=${hung.timedOut}, returned after ${Date.now() - started} ms, tree killed`,
  );
  const password = new Secret('hunter2-demo');
  const failed = await run(cmd`sh -c ${'exit 2'} mysql --password=${password}`, { signal }).catch(
    (e: Error) => e,
  );
  say(`a failure never shows a secret: ${(failed as Error).message}`);
}
