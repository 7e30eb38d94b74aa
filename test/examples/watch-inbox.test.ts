import { readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { killQuietly } from '../helpers/processes.js';
import { type RunningScript, repoRoot, runScript, startScript, tsxBin } from '../helpers/run-script.js';
import { type Inbox, makeInbox, waitFor } from '../helpers/watch.js';

const example = join(repoRoot, 'examples', 'watch-inbox.ts');
const LOG = ['2024-03-01T02:00:00Z INFO started', '2024-03-01T02:10:00Z ERROR disk full', 'WARN slow'].join(
  '\n',
);

let inbox: Inbox;
let script: RunningScript | undefined;
afterEach(async () => {
  if (script) killQuietly(script.child.pid ?? 0);
  await inbox?.cleanup();
});

/** Starts the example on the inbox and waits until it watches. */
async function startExample(): Promise<RunningScript> {
  const running = startScript(tsxBin, [example, inbox.dir, '--stable-ms', '200']);
  await waitFor(() => running.stderr.includes('watchDirectory: watching'), 'the example to watch');
  return running;
}

/** Drops a file the way a producer should: written beside the inbox, renamed in. */
async function drop(name: string, data: string | Buffer): Promise<void> {
  await writeFile(join(inbox.base, name), data);
  await rename(join(inbox.base, name), inbox.file(name));
}

/** The JSON lines the example printed, by file. */
const printed = (running: RunningScript) =>
  running.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { file: string; lines: number; levels: Record<string, number> });

describe('examples/watch-inbox.ts', () => {
  it('counts each dropped file once, quarantines a bad one, stops on Ctrl-C and carries on after a restart', async () => {
    inbox = await makeInbox('sre-kit-watch-inbox-');
    script = await startExample();
    await drop('app.log', `${LOG}\n`);
    await drop('broken.log.gz', gzipSync(`${LOG}\n`).subarray(0, 20));
    const first = script;
    await waitFor(
      () => printed(first).length === 1 && first.stderr.includes('quarantined'),
      'both files dealt with',
    );
    expect(printed(first)).toEqual([
      { file: 'app.log', lines: 3, levels: expect.objectContaining({ INFO: 1, ERROR: 1, WARNING: 1 }) },
    ]);
    expect(await readdir(inbox.file('quarantine'))).toEqual(['broken.log.gz']);
    first.child.kill('SIGINT');
    const stopped = await first.done();
    expect(stopped.exitSignal).toBe('SIGINT');
    expect(stopped.stderr).toContain('stopped');

    await drop('while-down.log', 'ERROR once\n');
    script = await startExample();
    const second = script;
    await waitFor(() => printed(second).length === 1, 'the file dropped while down counted');
    expect(printed(second).map((line) => line.file)).toEqual(['while-down.log']);
    const archived = await readdir(inbox.file('done'));
    expect(archived.map((name) => name.replace(/^[0-9a-f]{12}-/, '')).sort()).toEqual([
      'app.log',
      'while-down.log',
    ]);
    second.child.kill('SIGINT');
    expect((await second.done()).exitSignal).toBe('SIGINT');
  }, 60_000);

  it('explains itself with --help and refuses bad arguments', async () => {
    const help = await runScript(tsxBin, [example, '--help']);
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toContain('--stable-ms <ms>');
    const bad = await runScript(tsxBin, [example, '/tmp', '--concurrency', 'many']);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toContain('--concurrency');
    const none = await runScript(tsxBin, [example]);
    expect(none.exitCode).toBe(64);
    expect(none.stderr).toContain('Expected exactly one inbox folder');
  });
});
