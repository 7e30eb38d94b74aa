import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode, isSreError } from '../../src/errors/index.js';
import { cmd, run } from '../../src/process/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-run-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

describe('run()', () => {
  it('runs a command without a shell and returns a plain result', async () => {
    const result = await run('echo', ['$HOME', '*', '; ls']);
    expect(result.stdout).toBe('$HOME * ; ls');
    expect(result).toMatchObject({
      exitCode: 0,
      exitSignal: null,
      stderr: '',
      timedOut: false,
      truncated: false,
    });
    expect(result.command).toBe("echo '$HOME' '*' '; ls'");
    expect(result.pid).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(result)).stdout).toBe(result.stdout);
  });

  it('refuses a command line in one string and shows the array form', async () => {
    const error = await failure(run('ls -la /tmp'));
    expect(hasCode(error, 'SRE_COMMAND_USAGE')).toBe(true);
    expect(error.message).toContain('run("ls", ["-la","/tmp"])');
    expect(error.message).toContain("run('bash', ['-c', script])");
    // Saying it explicitly works.
    expect((await run('bash', ['-c', 'echo $((1 + 2))'])).stdout).toBe('3');
  });

  it('refuses a shell option and NUL bytes with clear errors', async () => {
    const shell = await failure(run('echo', ['x'], { shell: true } as never));
    expect(hasCode(shell, 'SRE_USAGE')).toBe(true);
    expect(shell.message).toContain('never runs a shell');
    const renamed = await failure(run('echo', ['x'], { timeout: 5 } as never));
    expect(renamed.message).toContain('it is called timeoutMs');
    const nul = await failure(run('echo', ['a\0b']));
    expect(hasCode(nul, 'SRE_COMMAND_USAGE')).toBe(true);
    expect(nul.message).toContain('args[0] contains a NUL byte');
  });

  it('builds commands from cmd`` with one argument per value', async () => {
    const path = "my file; rm -rf / 'quoted'";
    const result = await run(cmd`printf %s\n ${path} --ref=${'main'} ${['a b', 'c']} x${['1', '2']}y`);
    expect(result.stdout.split('\n')).toEqual([path, '--ref=main', 'a b', 'c', 'x1', '2y']);
  });

  it('is not changed by a polluted Object.prototype', async () => {
    const proto = Object.prototype as Record<string, unknown>;
    proto.shell = true;
    proto.timeoutMs = 1;
    proto.env = { PATH: '/nonexistent' };
    try {
      const result = await run('echo', ['$HOME']);
      expect(result.stdout).toBe('$HOME');
      expect(result.timedOut).toBe(false);
    } finally {
      delete proto.shell;
      delete proto.timeoutMs;
      delete proto.env;
    }
  });

  it('reports a command that is not found with the PATH it searched', async () => {
    const error = await failure(
      run('sre-kit-no-such-command', [], { env: { PATH: '/nonexistent/a:/nonexistent/b' } }),
    );
    expect(hasCode(error, 'SRE_COMMAND_NOT_FOUND')).toBe(true);
    expect(error.message).toContain('searched PATH: /nonexistent/a:/nonexistent/b');
    expect(isSreError(error) && error.exitCode).toBe(69);
  });

  it('reports a file that is not executable, and a missing cwd', async () => {
    const script = join(dir, 'not-executable.sh');
    await writeFile(script, '#!/bin/sh\necho hi\n');
    await chmod(script, 0o644);
    const error = await failure(run(script));
    expect(hasCode(error, 'SRE_COMMAND_NOT_EXECUTABLE')).toBe(true);
    expect(error.message).toContain('not executable');
    const directory = await failure(run(dir, []));
    expect(hasCode(directory, 'SRE_COMMAND_NOT_EXECUTABLE')).toBe(true);
    const cwd = await failure(run('true', [], { cwd: join(dir, 'missing') }));
    expect(hasCode(cwd, 'SRE_FILE_NOT_FOUND')).toBe(true);
  });

  it('throws on a non-zero exit with the stderr tail, or returns it with reject: false', async () => {
    const error = await failure(run('bash', ['-c', 'echo working; echo "disk full" >&2; exit 3']));
    expect(hasCode(error, 'SRE_COMMAND_FAILED')).toBe(true);
    expect(error.message).toContain('exit code 3');
    expect(error.message).toContain('disk full');
    const details = isSreError(error) ? error.details : {};
    expect(details).toMatchObject({
      exitCode: 3,
      exitSignal: null,
      stderrTail: 'disk full\n',
      timedOut: false,
    });
    const result = await run('bash', ['-c', 'echo "disk full" >&2; exit 3'], { reject: false });
    expect(result).toMatchObject({ exitCode: 3, stderr: 'disk full' });
  });

  it('gives the child exactly the given environment with extendEnv: false', async () => {
    const result = await run('/usr/bin/env', [], { extendEnv: false, env: { ONLY: 'this', ALSO: 'that=1' } });
    expect(result.stdout.split('\n').sort()).toEqual(['ALSO=that=1', 'ONLY=this']);
    const extended = await run('/usr/bin/env', [], { env: { SRE_KIT_EXTRA: 'x', HOME: undefined } });
    expect(extended.stdout).toContain('SRE_KIT_EXTRA=x');
    expect(extended.stdout).toContain(`PATH=${process.env.PATH}`);
    expect(extended.stdout).not.toMatch(/^HOME=/m);
  });

  it('writes input from a string, a Buffer or a stream', async () => {
    expect((await run('cat', [], { input: 'from a string' })).stdout).toBe('from a string');
    expect((await run('cat', [], { input: Buffer.from('from a buffer') })).stdout).toBe('from a buffer');
    expect((await run('cat', [], { input: Readable.from(['from ', 'a stream']) })).stdout).toBe(
      'from a stream',
    );
    // Without input, stdin is empty rather than the terminal: cat ends at once.
    expect((await run('cat', [], { timeoutMs: 10_000 })).stdout).toBe('');
  });

  it('decodes a character split across chunks whole, and invalid UTF-8 as U+FFFD', async () => {
    const euro = await run('bash', ['-c', "printf '\\xe2'; sleep 0.1; printf '\\x82\\xac'"]);
    expect(euro.stdout).toBe('€');
    const invalid = await run('bash', ['-c', "printf 'a\\xffb\\xc3'"]);
    expect(invalid.stdout).toBe('a\uFFFDb\uFFFD');
    const bytes = await run('bash', ['-c', "printf 'a\\xffb'"], { encoding: 'buffer' });
    expect(bytes.stdout).toEqual(Buffer.from([0x61, 0xff, 0x62]));
  });

  it('keeps the final newline when asked', async () => {
    expect((await run('printf', ['a\\n\\n'], { stripFinalNewline: false })).stdout).toBe('a\n\n');
    expect((await run('printf', ['a\\n\\n'])).stdout).toBe('a\n');
  });
});
