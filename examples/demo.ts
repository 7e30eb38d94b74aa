/**
 * The tour: each block of sre-kit doing its job on local, embedded defaults (temp files,
 * local processes, a key service on 127.0.0.1). `npm run demo` runs it; nothing outside this
 * machine is touched.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import {
  cmd,
  countLevels,
  FileSecretStore,
  formatError,
  main,
  readJson,
  run,
  Secret,
  SreError,
  updateJson,
  writeAtomic,
} from 'sre-kit';
import { startKeyService } from './fixtures/key-service.js';

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

const example = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

async function fsTour(signal: AbortSignal, dir: string): Promise<void> {
  step('fs: locked, atomic, validated JSON updates');
  const config = join(dir, 'jobs.json');
  // Four processes at once, each adding its own key: with updateJson none is lost.
  const writers = [1, 2, 3, 4].map((n) =>
    run(
      process.execPath,
      ['--import', 'tsx', example('update-config.ts'), config, '--create', '--set', `jobs.job${n}=${n}`],
      { signal },
    ),
  );
  await Promise.all(writers);
  say(
    `4 processes updated ${config.replace(dir, '$TMP')} at once: ${JSON.stringify(await readJson(config))}`,
  );
  const { changes } = await updateJson(config, { jobs: { job2: null }, owner: 'sre' });
  say(
    `a merge patch ({ jobs: { job2: null }, owner: 'sre' }) changed: ${changes.map((c) => `${c.path} (${c.kind})`).join(', ')}`,
  );
}

async function logsTour(signal: AbortSignal, dir: string): Promise<void> {
  step('logs: exact level counts over text, JSON and gzip');
  const path = join(dir, 'app.log.gz');
  const lines: string[] = [];
  for (let i = 0; i < 200_000; i++) {
    const time = new Date(Date.UTC(2024, 2, 1) + i * 100).toISOString();
    if (i % 10 === 0)
      lines.push(`{"level":${i % 30 === 0 ? 50 : 30},"time":${Date.parse(time)},"msg":"request"}`);
    else if (i % 7 === 0) lines.push(`${time} WARN [pool] INFORMATION about ERROR_RATE`);
    else lines.push(`${time} INFO [api] request ${i} done`);
  }
  await writeAtomic(path, gzipSync(`${lines.join('\n')}\n`));
  const started = performance.now();
  const counts = await countLevels(path, { signal });
  say(
    `${counts.lines} lines (gzip) in ${Math.round(performance.now() - started)} ms: ${JSON.stringify(counts.levels)}`,
  );
  const naive = await run('bash', ['-c', 'zcat "$1" | grep -c ERROR', 'grep', path], {
    signal,
    reject: false,
  });
  say(
    `\`zcat | grep -c ERROR\` says ${naive.stdout.trim()}; the exact answer is ${counts.levels.ERROR} (ERROR_RATE is not a level, JSON 50 is)`,
  );
}

async function secretsTour(signal: AbortSignal, dir: string): Promise<void> {
  step('secrets: values that never print, and a resumable key rotation');
  const token = new Secret('hunter2-never-shown');
  say(
    `String(secret) -> ${String(token)}, JSON -> ${JSON.stringify({ token })}, fingerprint -> ${token.fingerprint()}`,
  );
  const service = await startKeyService();
  try {
    const seed = await fetch(`${service.url}/admin/keys`, {
      method: 'POST',
      body: JSON.stringify({ label: 'seed' }),
    });
    const store = new FileSecretStore(join(dir, 'secrets.json'));
    await store.put('api', new Secret(((await seed.json()) as { key: string }).key), 'current');
    const consumer = join(dir, 'consumer.json');
    const rotation = run(
      process.execPath,
      [
        '--import',
        'tsx',
        example('rotate-api-key.ts'),
        '--service',
        service.url,
        '--store',
        store.path,
        '--consumer-config',
        consumer,
        '--audit',
        join(dir, 'audit.jsonl'),
        '--overlap-ms',
        '200',
      ],
      { signal },
    );
    say(`rotating against a local key service: ${(await rotation).stdout}`);
    say(
      `keys the service holds: ${service
        .keys()
        .map((k) => (k.live ? 'live' : 'revoked'))
        .join(', ')}`,
    );
  } finally {
    await service.close();
  }
}

await main(async ({ signal }) => {
  const dir = await mkdtemp(join(tmpdir(), 'sre-kit-demo-'));
  try {
    console.log('sre-kit tour: each block on local data, nothing leaves this machine.');
    await errorsTour();
    await processTour(signal, dir);
    await fsTour(signal, dir);
    await logsTour(signal, dir);
    await secretsTour(signal, dir);
    console.log('\nDone. Copy a script from examples/ to start your own; API docs: npm run docs.');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
