import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';

// An application often ends up with two copies of a library (two versions in node_modules,
// or one bundled into a dependency). Build the errors module with the package's own tsup
// settings, install the output in two different directories, and load both.
type ErrorsModule = typeof import('../../src/errors/index.js');

const root = fileURLToPath(new URL('../..', import.meta.url));
let work: string;
let a: ErrorsModule;
let b: ErrorsModule;

async function installCopy(built: string, name: string): Promise<ErrorsModule> {
  const dir = join(work, name, 'node_modules', 'sre-kit');
  await cp(built, join(dir, 'dist'), { recursive: true });
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  await writeFile(
    join(dir, 'package.json'),
    JSON.stringify({ ...manifest, dependencies: {}, devDependencies: {} }),
  );
  return (await import(pathToFileURL(join(dir, 'dist', 'errors', 'index.js')).href)) as ErrorsModule;
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'sre-kit-two-copies-'));
  const built = join(work, 'build');
  // The package's tsup settings, but only the errors entry and into a temp dir, so this test
  // neither races with another build of dist/ nor depends on the other blocks compiling.
  await build({
    ...tsupConfig,
    entry: { 'errors/index': join(root, 'src/errors/index.ts') },
    outDir: built,
    dts: false,
    silent: true,
    config: false,
  });
  a = await installCopy(built, 'copy-a');
  b = await installCopy(built, 'copy-b');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('two copies of the package in one process', () => {
  it('really are two copies: classes differ and instanceof fails across them', () => {
    expect(a.SreError).not.toBe(b.SreError);
    const fromB = new b.LockError('SRE_LOCK_TIMEOUT', 'busy');
    expect(fromB instanceof a.SreError).toBe(false);
    expect(fromB instanceof b.SreError).toBe(true);
  });

  it('isSreError and hasCode of copy A accept an error created by copy B', () => {
    const fromB: unknown = b.createError('SRE_LOCK_TIMEOUT', 'Could not lock state.json', {
      details: { lockPath: '/srv/state.json.lock' },
    });
    expect(a.isSreError(fromB)).toBe(true);
    expect(a.hasCode(fromB, 'SRE_LOCK_TIMEOUT')).toBe(true);
    expect(a.hasCode(fromB, 'SRE_LOCK_HELD')).toBe(false);
    if (a.hasCode(fromB, 'SRE_LOCK_TIMEOUT')) expect(fromB.details.lockPath).toBe('/srv/state.json.lock');
    expect(a.isSreError(new Error('plain'))).toBe(false);
  });

  it('the source copy and the built copies recognise each other', async () => {
    const source: ErrorsModule = await import('../../src/errors/index.js');
    expect(source.isSreError(new a.FileError('SRE_FILE_NOT_FOUND', 'x'))).toBe(true);
    expect(a.isSreError(new source.FileError('SRE_FILE_NOT_FOUND', 'x'))).toBe(true);
  });

  it('fromJSON of one copy reads toJSON of the other, in both directions', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:22'), { code: 'ECONNREFUSED' });
    const fromB = new b.RemoteError('SRE_REMOTE_CONNECT', 'db1 unreachable', {
      cause,
      details: { host: 'db1' },
    });
    const revivedByA = a.SreError.fromJSON(JSON.parse(JSON.stringify(fromB)));
    expect(revivedByA).toBeInstanceOf(a.RemoteError);
    expect(a.hasCode(revivedByA, 'SRE_REMOTE_CONNECT')).toBe(true);
    expect((revivedByA as InstanceType<ErrorsModule['RemoteError']>).details).toEqual({ host: 'db1' });
    expect((revivedByA.cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');

    const revivedByB = b.SreError.fromJSON(JSON.parse(JSON.stringify(revivedByA)));
    expect(revivedByB).toBeInstanceOf(b.RemoteError);
    expect(JSON.parse(JSON.stringify(revivedByB))).toEqual(JSON.parse(JSON.stringify(fromB)));
  });

  it('the rest of the API treats the other copy’s errors as its own', () => {
    const fromB = new b.LockError('SRE_LOCK_TIMEOUT', 'busy', { cause: new Error('held by pid 7') });
    expect(a.ensureError(fromB)).toBe(fromB);
    expect(a.isRetryable(fromB)).toBe(true);
    expect(a.formatError(fromB)).toBe('SRE_LOCK_TIMEOUT: busy ← held by pid 7');
    expect(a.formatError(new a.SreError('SRE_INTERNAL', 'outer', { cause: fromB }))).toBe(
      'SRE_INTERNAL: outer ← SRE_LOCK_TIMEOUT: busy ← held by pid 7',
    );
    const json = new a.SreError('SRE_INTERNAL', 'outer', { cause: fromB }).toJSON();
    expect(json.cause).toMatchObject({
      kind: 'sre',
      code: 'SRE_LOCK_TIMEOUT',
      retryable: true,
      exitCode: 75,
    });
  });
});
