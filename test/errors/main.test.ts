import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type StartScriptOptions, startScript } from '../helpers/run-script.js';

// Each test runs a real script under main() in its own Node process (tsx loads the
// TypeScript), and looks only at what a shell would see: stdout, stderr, exit code, signal.
const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/errors/${name}.ts`, import.meta.url));

function start(name: string, scenario: string, options: StartScriptOptions = {}) {
  return startScript(process.execPath, ['--import', 'tsx', fixture(name), scenario], options);
}

const run = (scenario: string, options: StartScriptOptions = {}) => start('exits', scenario, options).done();

describe('main() exit codes and failure output', () => {
  it('exits 0 when the script succeeds', async () => {
    const result = await run('ok');
    expect(result).toMatchObject({ exitCode: 0, exitSignal: null, stdout: 'done\n', stderr: '' });
  });

  it('prints one line starting with the code and exits with the error exit code (LockError → 75)', async () => {
    const result = await run('lock-timeout');
    expect(result.exitCode).toBe(75);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error SRE_LOCK_TIMEOUT: Could not lock \/var\/lib\/app\/state\.json/);
    // The cause is on the same line, its newline flattened; no stack without DEBUG.
    expect(lines[0]).toContain('← lock file is held by pid 4242 since 10:00');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 70 with `error: …` for an error that is not sre-kit’s', async () => {
    const result = await run('unknown');
    expect(result.exitCode).toBe(70);
    expect(result.stderr).toBe('error: TypeError: Cannot read properties of undefined (reading "hosts")\n');
  });

  it('wraps a thrown non-Error with an explanation and exits 70', async () => {
    const result = await run('non-error');
    expect(result.exitCode).toBe(70);
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      'error SRE_NON_ERROR_THROWN: A non-Error value was thrown: "a plain string" ← thrown value "a plain string"',
    ]);
  });

  it('turns a thrown ZodError into SRE_CONFIG_INVALID and exits 78', async () => {
    const result = await run('zod');
    expect(result.exitCode).toBe(78);
    const lines = result.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^error SRE_CONFIG_INVALID: /);
    expect(lines[0]).toContain('hosts[0].port: expected number, received string');
    // zod's own message (the issues as JSON) is not dumped on the line.
    expect(lines[0]).not.toContain('"code"');
  });

  it('prints the whole chain with stacks when DEBUG is set', async () => {
    const result = await run('lock-timeout', { env: { DEBUG: '1' } });
    expect(result.exitCode).toBe(75);
    expect(result.stderr).toMatch(/^error SRE_LOCK_TIMEOUT: Could not lock/);
    expect(result.stderr).toContain('\n\ncaused by: lock file is held by pid 4242\nsince 10:00\n');
    // Both links carry frames that point at the fixture.
    const frames = result.stderr.match(/^\s+at .*exits\.ts:\d+:\d+/gm) ?? [];
    expect(frames.length).toBeGreaterThanOrEqual(2);
    // A multi-line message is not repeated by the stack.
    expect(result.stderr.split('since 10:00')).toHaveLength(2);
  });

  it('uses a number returned by the script as the exit code', async () => {
    const result = await run('return-code');
    expect(result).toMatchObject({ exitCode: 3, exitSignal: null, stderr: '' });
  });

  it('does not cut short a large write to piped stdout', async () => {
    const result = await run('large-output');
    expect(result.exitCode).toBe(0);
    expect(result.stdout.length).toBe(1024 * 1024);
    expect(result.stdout).toMatch(/^x+$/);
  });
});

describe.each(['SIGTERM', 'SIGINT'] as const)('main() on %s', (signal) => {
  it('aborts the signal, lets cleanup run, then dies by the same signal', async () => {
    const script = start('signals', 'wait');
    await script.waitForStdout(/^ready$/m);
    script.child.kill(signal);
    const result = await script.done();
    expect(result.stdout).toBe(`ready\naborted SRE_ABORTED: Interrupted by ${signal}\ncleanup done\n`);
    expect(result).toMatchObject({ exitCode: null, exitSignal: signal, stderr: '' });
  });

  it('prints nothing when the script rethrows the abort reason, and still dies by the signal', async () => {
    const script = start('signals', 'rethrow');
    await script.waitForStdout(/^ready$/m);
    script.child.kill(signal);
    const result = await script.done();
    expect(result.stdout).toContain('cleanup done\n');
    expect(result).toMatchObject({ exitCode: null, exitSignal: signal, stderr: '' });
  });

  it('prints nothing either when the abort comes back wrapped in another error', async () => {
    const script = start('signals', 'wrap');
    await script.waitForStdout(/^ready$/m);
    script.child.kill(signal);
    const result = await script.done();
    expect(result).toMatchObject({ exitCode: null, exitSignal: signal, stderr: '' });
  });

  it('ends at once on a second signal while cleanup is still running', async () => {
    const script = start('signals', 'hang');
    await script.waitForStdout(/^ready$/m);
    script.child.kill(signal);
    await script.waitForStdout(/^cleanup started$/m);
    script.child.kill(signal);
    // The cleanup never finishes by itself, so only the second signal can end it in time.
    const result = await script.done();
    expect(result).toMatchObject({ exitCode: null, exitSignal: signal });
    expect(result.stdout).not.toContain('cleanup done');
  });
});
