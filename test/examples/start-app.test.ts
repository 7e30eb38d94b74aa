import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

const example = join(repoRoot, 'examples', 'start-app.ts');
const app = join(repoRoot, 'examples', 'fixtures', 'start_app.sh');
const start = (...args: string[]) => runScript(tsxBin, [example, '--app', app, ...args]);

let dir: string;
const config = (mode: string) => join(dir, `${mode}.json`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-start-app-'));
  for (const mode of ['ok', 'fail', 'hang']) {
    await writeFile(config(mode), JSON.stringify({ env: { APP_MODE: mode } }));
  }
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/start-app.ts', () => {
  it('streams the app output with an explicit environment', async () => {
    const result = await start('--config', config('ok'));
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`[app] starting with config ${config('ok')} in mode ok`);
    // PATH, HOME, APP_MODE and what sh itself adds (PWD…): not the test runner's environment.
    const count = Number(/environment has (\d+) variables/.exec(result.stdout)?.[1]);
    expect(count).toBeLessThan(8);
    expect(result.stdout).toContain('app finished successfully');
  });

  it('fails with one line and the app stderr when the app fails', async () => {
    const result = await start('--config', config('fail'));
    expect(result.exitCode).toBe(70);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(
      /^error SRE_COMMAND_FAILED: Command failed with exit code 3: .*cannot bind port/,
    );
  });

  it('kills a hung app at the deadline', async () => {
    const result = await start('--config', config('hang'), '--timeout-ms', '500');
    expect(result.exitCode).toBe(75);
    expect(result.stderr).toMatch(/^error SRE_COMMAND_TIMEOUT: Command timed out after 500 ms/);
  });

  it('explains its options and refuses bad ones', async () => {
    const help = await runScript(tsxBin, [example, '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--timeout-ms <ms>');
    const bad = await start('--config', config('ok'), '--timeout-ms', 'soon');
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr.trim()).toBe(
      'error SRE_USAGE: Invalid arguments: --timeout-ms: expected number, received "soon" (see --help)',
    );
  });
});
