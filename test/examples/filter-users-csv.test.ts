import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

const example = join(repoRoot, 'examples', 'filter-users-csv.ts');
const filter = (...args: string[]) => runScript(tsxBin, [example, ...args]);

// A BOM, a blank line, quoted commas, a quoted field over two lines and every kind of bad row.
const USERS = [
  '\uFEFFname,Age,email',
  'ann,34,ann@example.com',
  '',
  'bob,"1',
  '2",bob@example.com',
  'cid,abc,cid@example.com',
  'dan,17',
  'eve,18,eve@example.com,extra',
  'fay, 18 ,"fay, the second"',
  'gil,,gil@example.com',
  'hal,70,hal@example.com',
  'ivy,17.5,ivy@example.com',
].join('\n');

let dir: string;
const file = (name: string) => join(dir, name);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-filter-users-'));
  await writeFile(file('users.csv'), USERS);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/filter-users-csv.ts', () => {
  it('imports sre-kit by its package name, as a copied script would', async () => {
    expect(await readFile(example, 'utf8')).toMatch(
      /from 'sre-kit\/(errors|fs|process|secrets|logs|remote)'/,
    );
  });

  it('keeps the rows at or above the minimum age and reports each bad row with its line', async () => {
    const output = file('adults.csv');
    const result = await filter('--input', file('users.csv'), '--output', output, '--min-age', '18');
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      `3 of 9 rows with age >= 18 written to ${output}; 5 bad rows skipped (see stderr)\n`,
    );
    const input = file('users.csv');
    expect(result.stderr.split('\n').filter(Boolean)).toEqual([
      `${input}:4: skipped: age "1\\n2" is not a number`,
      `${input}:6: skipped: age "abc" is not a number`,
      `${input}:7: skipped: 2 columns, the header has 3`,
      `${input}:8: skipped: 4 columns, the header has 3`,
      `${input}:10: skipped: age "" is not a number`,
    ]);
    // csv-stringify quotes what needs quoting; the BOM is not copied into the header.
    expect(await readFile(output, 'utf8')).toBe(
      'name,Age,email\nann,34,ann@example.com\nfay, 18 ,"fay, the second"\nhal,70,hal@example.com\n',
    );
  });

  it('streams a large file in batches', async () => {
    const rows = Array.from(
      { length: 30_000 },
      (_, index) => `user${index},${index % 100},u${index}@example.com`,
    );
    await writeFile(file('many.csv'), `name,age,email\n${rows.join('\n')}\n`);
    const result = await filter(
      '--input',
      file('many.csv'),
      '--output',
      file('many-out.csv'),
      '--min-age',
      '50',
    );
    expect(result.stdout).toBe(`15000 of 30000 rows with age >= 50 written to ${file('many-out.csv')}\n`);
    const written = (await readFile(file('many-out.csv'), 'utf8')).trim().split('\n');
    expect(written).toHaveLength(15_001);
    expect(written[1]).toBe('user50,50,u50@example.com');
  });

  it('stops when the header has no age column, the file is empty or missing, and writes nothing', async () => {
    await writeFile(file('no-age.csv'), 'name,email\nann,ann@example.com\n');
    const result = await filter('--input', file('no-age.csv'), '--output', file('none.csv'));
    expect(result.exitCode).toBe(65);
    expect(result.stderr).toBe(
      `error SRE_DATA_INVALID: ${file('no-age.csv')}: the header has no "age" column (columns: name, email)\n`,
    );
    await writeFile(file('empty.csv'), '');
    const empty = await filter('--input', file('empty.csv'), '--output', file('none-either.csv'));
    expect(empty.exitCode).toBe(65);
    expect(empty.stderr).toContain('empty.csv: empty, no header row');
    const missing = await filter('--input', file('nope.csv'), '--output', file('none-at-all.csv'));
    expect(missing.exitCode).toBe(66);
    expect(missing.stderr).toMatch(/^error SRE_FILE_NOT_FOUND: No file at .*nope\.csv/);
    expect((await readdir(dir)).filter((name) => name.includes('none') || name.endsWith('.tmp'))).toEqual([]);
  });

  it('leaves the previous output whole when the CSV breaks half-way', async () => {
    const output = file('kept.csv');
    await writeFile(output, 'previous,run\n');
    await writeFile(file('broken.csv'), 'name,age\nann,34\n"bob,40\n');
    const result = await filter('--input', file('broken.csv'), '--output', output);
    expect(result.exitCode).toBe(65);
    expect(result.stderr).toMatch(
      /^error SRE_DATA_INVALID: .*broken\.csv:3: not valid CSV ← CSV_QUOTE_NOT_CLOSED/,
    );
    expect(await readFile(output, 'utf8')).toBe('previous,run\n');
  });

  it('explains its options and refuses bad ones', async () => {
    const help = await filter('--help');
    expect(help).toMatchObject({ exitCode: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: filter-users-csv --input <users\.csv> --output <file\.csv>/);
    expect(help.stdout).toContain('--min-age <n>');
    const bad = await filter('--input', file('users.csv'), '--output', file('x.csv'), '--min-age', 'old');
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toContain('--min-age: expected number');
    const missing = await filter('--input', file('users.csv'));
    expect(missing.stderr).toContain('--output: required');
  });
});
