import { chmod, lstat, mkdtemp, readFile, readlink, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { hasCode } from '../../src/errors/index.js';
import { readJson, updateJson } from '../../src/fs/index.js';

let dir: string;
let counter = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-json-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh file in the test directory with the given text. */
async function fileWith(text: string | undefined): Promise<string> {
  const path = join(dir, `file-${++counter}.json`);
  if (text !== undefined) await writeFile(path, text);
  return path;
}

async function failure(promise: Promise<unknown>): Promise<Error & { details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

const Config = z.object({
  server: z.object({ port: z.number().int().min(1).max(65535) }),
  debug: z.boolean().optional(),
});

describe('readJson()', () => {
  it('reads, validates and types a file', async () => {
    const path = await fileWith('{"server":{"port":80}}');
    const config = await readJson(path, { schema: Config });
    expect(config.server.port).toBe(80);
  });

  it('names line and column of invalid JSON', async () => {
    const error = await failure(readJson(await fileWith('{\n  "a": 1\n  "b": 2\n}')));
    expect(hasCode(error, 'SRE_FILE_INVALID_JSON')).toBe(true);
    expect(error.message).toMatch(/:3:3: not valid JSON/);
    expect(error.details).toMatchObject({ line: 3, column: 3 });
  });

  it('treats a zero-length file and a file of NUL bytes as invalid, never as {}', async () => {
    for (const text of ['', '\0\0\0\0', '   \n']) {
      const path = await fileWith(text);
      expect(hasCode(await failure(readJson(path)), 'SRE_FILE_INVALID_JSON')).toBe(true);
      const update = await failure(updateJson(path, { a: 1 }, { create: {} }));
      expect(hasCode(update, 'SRE_FILE_INVALID_JSON')).toBe(true);
      expect(await readFile(path, 'utf8')).toBe(text);
    }
  });

  it('reports a missing file and a schema failure with each bad path', async () => {
    expect(hasCode(await failure(readJson(join(dir, 'missing.json'))), 'SRE_FILE_NOT_FOUND')).toBe(true);
    const error = await failure(readJson(await fileWith('{"server":{"port":"80a"}}'), { schema: Config }));
    expect(hasCode(error, 'SRE_CONFIG_INVALID')).toBe(true);
    expect(error.message).toContain('server.port: expected number, received "80a"');
  });
});

describe('updateJson()', () => {
  it('applies a merge patch and lists the changes', async () => {
    const path = await fileWith('{"server":{"port":80,"host":"a"},"debug":true}');
    const result = await updateJson(path, { server: { port: 8080 }, debug: null, tags: ['x'] });
    expect(result.after).toEqual({ server: { port: 8080, host: 'a' }, tags: ['x'] });
    expect(result.changes).toEqual([
      { path: 'server.port', kind: 'changed', before: 80, after: 8080 },
      { path: 'debug', kind: 'removed', before: true },
      { path: 'tags', kind: 'added', after: ['x'] },
    ]);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(result.after);
  });

  it('applies a function that mutates, or one that returns the next value, sync or async', async () => {
    const path = await fileWith('{"n":1}');
    await updateJson(path, (data) => {
      data.n += 1;
    });
    await updateJson(path, async (data) => ({ n: data.n * 10 }));
    expect(await readJson(path)).toEqual({ n: 20 });
  });

  it('writes nothing when nothing changes', async () => {
    const path = await fileWith('{ "a": 1 }');
    const before = await stat(path);
    const result = await updateJson(path, { a: 1 });
    expect(result).toMatchObject({ changed: false, changes: [] });
    expect((await stat(path)).ino).toBe(before.ino);
    expect(await readFile(path, 'utf8')).toBe('{ "a": 1 }');
  });

  it('never overwrites a file that is invalid or fails the schema, nor writes a result that fails it', async () => {
    const invalid = await fileWith('{"server": {"port": 80},');
    expect(hasCode(await failure(updateJson(invalid, { debug: false })), 'SRE_FILE_INVALID_JSON')).toBe(true);
    expect(await readFile(invalid, 'utf8')).toBe('{"server": {"port": 80},');

    const wrong = await fileWith('{"server":{"port":"eighty"}}');
    const onDisk = await failure(updateJson(wrong, { debug: false }, { schema: Config }));
    expect(hasCode(onDisk, 'SRE_CONFIG_INVALID')).toBe(true);
    expect(onDisk.message).toContain(wrong);
    expect(await readFile(wrong, 'utf8')).toBe('{"server":{"port":"eighty"}}');

    const good = await fileWith('{"server":{"port":80}}');
    const result = await failure(updateJson(good, { server: { port: 70000 } }, { schema: Config }));
    expect(hasCode(result, 'SRE_CONFIG_INVALID')).toBe(true);
    expect(result.message).toContain(`Invalid ${good} (after the update)`);
    expect(result.message).toContain('server.port');
    expect(await readFile(good, 'utf8')).toBe('{"server":{"port":80}}');
  });

  it('keeps keys the schema does not name', async () => {
    const path = await fileWith('{"server":{"port":80,"tls":{"cert":"a.pem"}},"addedByNewerVersion":[1,2]}');
    await updateJson(path, { server: { port: 81 } }, { schema: Config });
    expect(await readJson(path)).toEqual({
      server: { port: 81, tls: { cert: 'a.pem' } },
      addedByNewerVersion: [1, 2],
    });
  });

  it('creates a missing file only with create, and refuses without it', async () => {
    const missing = join(dir, `new-${++counter}.json`);
    expect(hasCode(await failure(updateJson(missing, { a: 1 })), 'SRE_FILE_NOT_FOUND')).toBe(true);
    const result = await updateJson(missing, { a: 1 }, { create: { a: 0, b: 2 } });
    expect(result).toMatchObject({ created: true, changed: true, before: undefined, after: { a: 1, b: 2 } });
    expect(await readFile(missing, 'utf8')).toBe('{\n  "a": 1,\n  "b": 2\n}\n');
  });

  it('keeps the file mode, and updates through a symlink that stays a link', async () => {
    const path = await fileWith('{"token":"x"}');
    await chmod(path, 0o600);
    await updateJson(path, { token: 'y' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);

    const link = join(dir, `link-${counter}.json`);
    await symlink(path, link);
    await updateJson(link, { token: 'z' }, { backup: true });
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(path);
    expect(await readJson(path)).toEqual({ token: 'z' });
    expect((await stat(`${path}.bak`)).mode & 0o777).toBe(0o600);
    expect(await readJson(`${path}.bak`)).toEqual({ token: 'y' });
  });

  // Changing a file's owner needs root; elsewhere this test cannot say anything.
  it.skipIf(process.getuid?.() !== 0)(
    'keeps the file owner, for the new version and the backup (needs root)',
    async () => {
      const path = await fileWith('{"token":"x"}');
      const { chown } = await import('node:fs/promises');
      await chown(path, 65534, 65534);
      await updateJson(path, { token: 'y' }, { backup: true });
      for (const written of [path, `${path}.bak`]) {
        const info = await stat(written);
        expect([info.uid, info.gid]).toEqual([65534, 65534]);
      }
    },
  );

  it('returns a before that the update function did not change, and an after apart from it', async () => {
    const path = await fileWith('{"n":1,"list":[1]}');
    const result = await updateJson(path, (data) => {
      data.n = 2;
      data.list.push(2);
    });
    expect(result.before).toEqual({ n: 1, list: [1] });
    expect(result.after).toEqual({ n: 2, list: [1, 2] });
    expect(result.changes.map((change) => change.path).sort()).toEqual(['list', 'n']);
  });

  it('writes nothing with dryRun but says what would change', async () => {
    const path = await fileWith('{"a":1}');
    const result = await updateJson(path, { a: 2 }, { dryRun: true });
    expect(result).toMatchObject({ changed: true, after: { a: 2 } });
    expect(await readFile(path, 'utf8')).toBe('{"a":1}');
  });

  it('keeps the indentation and the final newline, or uses the indent option', async () => {
    const four = await fileWith('{\n    "a": 1\n}\n');
    await updateJson(four, { b: 2 });
    expect(await readFile(four, 'utf8')).toBe('{\n    "a": 1,\n    "b": 2\n}\n');
    const tabs = await fileWith('{\n\t"a": 1\n}');
    await updateJson(tabs, { b: 2 });
    expect(await readFile(tabs, 'utf8')).toBe('{\n\t"a": 1,\n\t"b": 2\n}');
    const compact = await fileWith('{"a":1}');
    await updateJson(compact, { b: 2 });
    expect(await readFile(compact, 'utf8')).toBe('{"a":1,"b":2}');
    await updateJson(compact, { c: 3 }, { indent: 2 });
    expect(await readFile(compact, 'utf8')).toBe('{\n  "a": 1,\n  "b": 2,\n  "c": 3\n}');
  });

  it('keeps __proto__, constructor and prototype keys as data, never as prototypes', async () => {
    const path = await fileWith('{"a":{}}');
    const patch = JSON.parse(
      '{"__proto__":{"polluted":true},"a":{"constructor":{"prototype":{"polluted":true}}}}',
    );
    const result = await updateJson(path, patch);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result.after)).toBe(Object.prototype);
    expect(Object.hasOwn(result.after as object, '__proto__')).toBe(true);
    const viaFunction = await updateJson(path, (data) => {
      data.b = JSON.parse('{"__proto__":{"polluted":true}}');
    });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(JSON.parse(await readFile(path, 'utf8')).b).toEqual(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(viaFunction.changed).toBe(true);
  });

  it('refuses an update that is neither a function nor an object', async () => {
    const error = await failure(updateJson(await fileWith('{}'), 42 as never));
    expect(hasCode(error, 'SRE_USAGE')).toBe(true);
  });
});
