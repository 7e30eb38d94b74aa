/**
 * The tour: each block of sre-kit doing its job on local, embedded defaults (temp files,
 * local processes). `npm run demo` runs it; nothing outside this machine is touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cmd, formatError, main, run, Secret, SreError } from 'sre-kit';

const step = (title: string) => console.log(`\n== ${title}`);
const say = (text: string) => console.log(`   ${text}`);

async function errorsTour(): Promise<void> {
  step('errors: stable codes, causes, exit codes');
  const cause = Object.assign(new Error('EACCES: permission denied, open /etc/app.json'), { code: 'EACCES' });
  const error = new SreError('SRE_CONFIG_INVALID', 'Cannot load the app config', {
    cause,
    details: { path: '/etc/app.json' },
  });
  say(`formatError(error)  -> ${formatError(error)}`);
  say(`error.exitCode      -> ${error.exitCode} (sysexits EX_CONFIG), retryable: ${error.retryable}`);
  const copy = SreError.fromJSON(JSON.parse(JSON.stringify(error)));
  say(`after a JSON round trip: ${formatError(copy)}`);
}

async function processTour(signal: AbortSignal, dir: string): Promise<void> {
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

await main(async ({ signal }) => {
  const dir = await mkdtemp(join(tmpdir(), 'sre-kit-demo-'));
  try {
    console.log('sre-kit tour: each block on local data, nothing leaves this machine.');
    await errorsTour();
    await processTour(signal, dir);
    console.log('\nDone. Copy a script from examples/ to start your own; API docs: npm run docs.');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
