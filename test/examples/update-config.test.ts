import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

const example = join(repoRoot, 'examples', 'update-config.ts');
const update = (...args: string[]) => runScript(tsxBin, [example, ...args]);

let dir: string;
let app: string;
let schema: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-update-config-'));
  app = join(dir, 'app.json');
  schema = join(dir, 'schema.json');
  await writeFile(
    schema,
    JSON.stringify({
      type: 'object',
      properties: {
        server: { type: 'object', properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } } },
      },
    }),
  );
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/update-config.ts', () => {
  it('sets and unsets keys, validated by a JSON Schema, and prints what changed', async () => {
    await writeFile(app, '{\n  "server": { "port": 80 },\n  "debug": true\n}\n');
    const result = await update(app, '--set', 'server.port=8080', '--unset', 'debug', '--schema', schema);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('changed server.port: 80 → 8080\nchanged debug: true → (removed)\n');
    expect(JSON.parse(await readFile(app, 'utf8'))).toEqual({ server: { port: 8080 } });
  });

  it('refuses a result that breaks the schema and leaves the file as it was', async () => {
    const before = await readFile(app, 'utf8');
    const result = await update(app, '--set', 'server.port=99999', '--schema', schema);
    expect(result.exitCode).toBe(78);
    expect(result.stderr).toContain('server.port');
    expect(await readFile(app, 'utf8')).toBe(before);
  });

  it('applies a merge-patch file, and writes nothing in a dry run', async () => {
    const patch = join(dir, 'patch.json');
    await writeFile(patch, JSON.stringify({ server: { host: 'db1' }, tags: ['blue'] }));
    const before = await readFile(app, 'utf8');
    const dry = await update(app, '--patch', patch, '--dry-run');
    expect(dry.stdout).toContain('would change server.host: (absent) → "db1"');
    expect(await readFile(app, 'utf8')).toBe(before);
    const real = await update(app, '--patch', patch);
    expect(real.exitCode).toBe(0);
    expect(JSON.parse(await readFile(app, 'utf8'))).toEqual({
      server: { port: 8080, host: 'db1' },
      tags: ['blue'],
    });
  });

  it('is safe to run many times at once: no update is lost', async () => {
    const shared = join(dir, 'shared.json');
    const runs = await Promise.all(
      Array.from({ length: 6 }, (_, index) =>
        update(shared, '--create', '--set', `jobs.job${index}=${index}`),
      ),
    );
    expect(runs.map((run) => run.exitCode)).toEqual(Array(6).fill(0));
    const { jobs } = JSON.parse(await readFile(shared, 'utf8'));
    expect(jobs).toEqual({ job0: 0, job1: 1, job2: 2, job3: 3, job4: 4, job5: 5 });
  });

  it('explains its options and refuses a missing file without --create', async () => {
    const help = await update('--help');
    expect(help.stdout).toContain('--unset <path>');
    const missing = await update(join(dir, 'nope.json'), '--set', 'a=1');
    expect(missing.exitCode).toBe(66);
    expect(missing.stderr).toMatch(/^error SRE_FILE_NOT_FOUND: .*nope\.json/);
  });
});
