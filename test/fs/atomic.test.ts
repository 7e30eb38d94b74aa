import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { writeAtomic } from '../../src/fs/index.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-atomic-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('writeAtomic()', () => {
  it('writes a string, bytes or a stream of chunks', async () => {
    const path = join(dir, 'a.txt');
    await writeAtomic(path, 'one');
    expect(await readFile(path, 'utf8')).toBe('one');
    await writeAtomic(path, Buffer.from('two'));
    expect(await readFile(path, 'utf8')).toBe('two');
    await writeAtomic(
      path,
      (async function* () {
        for (let i = 0; i < 1000; i++) yield `line ${i}\n`;
      })(),
    );
    expect((await readFile(path, 'utf8')).split('\n')).toHaveLength(1001);
  });

  it('leaves the target untouched and no temp file when the source fails half-way', async () => {
    const path = join(dir, 'keep.txt');
    await writeFile(path, 'original');
    const failing = (async function* () {
      yield 'partial ';
      throw new Error('the source broke');
    })();
    await expect(writeAtomic(path, failing)).rejects.toThrow('the source broke');
    expect(await readFile(path, 'utf8')).toBe('original');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('keeps the mode of an existing file, or uses the mode option', async () => {
    const path = join(dir, 'secret.txt');
    await writeFile(path, 'x');
    await chmod(path, 0o600);
    await writeAtomic(path, 'y');
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    const fresh = join(dir, 'fresh.txt');
    await writeAtomic(fresh, 'z', { mode: 0o640 });
    expect((await stat(fresh)).mode & 0o777).toBe(0o640);
  });

  it('says which directory is missing', async () => {
    const error = await writeAtomic(join(dir, 'missing', 'x.txt'), 'x').catch((e) => e);
    expect(hasCode(error, 'SRE_FILE_NOT_FOUND')).toBe(true);
    expect(error.message).toContain(join(dir, 'missing'));
  });

  it('gives a new file 0666 minus the umask, never more', async () => {
    const fresh = join(dir, 'umask.txt');
    await writeAtomic(fresh, 'x');
    expect((await stat(fresh)).mode & 0o777).toBe(0o666 & ~process.umask());
  });

  it('passes the data source’s own errors through, naming nothing it did not do', async () => {
    const failing = (async function* () {
      yield 'x';
      throw Object.assign(new Error('EISDIR: illegal operation on a directory, read'), { code: 'EISDIR' });
    })();
    const error = await writeAtomic(join(dir, 'out.txt'), failing).catch((e) => e);
    expect(error.message).toBe('EISDIR: illegal operation on a directory, read');
  });
});
