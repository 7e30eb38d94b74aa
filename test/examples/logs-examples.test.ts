import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

const LOG = [
  '2024-03-01T01:59:00Z ERROR before the window',
  '2024-03-01T02:00:00Z INFO start INFORMATION',
  '2024-03-01T02:10:00Z ERROR disk full',
  '    at writer (disk.js:10)',
  '{"level":50,"time":1709259300000,"msg":"json error"}',
  '2024-03-01T02:20:00Z WARN slow',
  '2024-03-01T03:00:00Z ERROR after the window',
].join('\n');
const script = (name: string) => join(repoRoot, 'examples', `${name}.ts`);

let dir: string;
let log: string;
let gz: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-logs-examples-'));
  log = join(dir, 'app.log');
  gz = join(dir, 'app.log.1.gz');
  await writeFile(log, `${LOG}\n`);
  await writeFile(gz, gzipSync(`${LOG}\n`));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('examples/count-levels.ts', () => {
  it('counts per file and in total, gzip included, as a table or JSON', async () => {
    const table = await runScript(tsxBin, [script('count-levels'), log, gz]);
    expect(table.exitCode).toBe(0);
    const rows = table.stdout
      .trim()
      .split('\n')
      .map((row) => row.split('\t'));
    expect(rows[0]).toEqual([
      'file',
      'TRACE',
      'DEBUG',
      'INFO',
      'NOTICE',
      'WARNING',
      'ERROR',
      'CRITICAL',
      'no level',
      'lines',
    ]);
    expect(rows[3]).toEqual(['total', '0', '0', '2', '0', '2', '8', '0', '2', '14']);
    const json = await runScript(tsxBin, [
      script('count-levels'),
      gz,
      '--json',
      '--since',
      '2024-03-01T02:00:00Z',
      '--until',
      '2024-03-01T03:00:00Z',
    ]);
    expect(JSON.parse(json.stdout).levels).toMatchObject({ INFO: 1, WARNING: 1, ERROR: 2 });
  });

  it('refuses a bad date naming the option', async () => {
    const bad = await runScript(tsxBin, [script('count-levels'), log, '--since', 'last tuesday']);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toContain('--since: expected a date');
  });
});

describe('examples/find-errors.ts', () => {
  it('prints the ERROR lines with line numbers, stack traces kept with --multiline', async () => {
    const result = await runScript(tsxBin, [script('find-errors'), gz, '--multiline']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        '1:ERROR: 2024-03-01T01:59:00Z ERROR before the window',
        '3:ERROR: 2024-03-01T02:10:00Z ERROR disk full\n    at writer (disk.js:10)',
        '5:ERROR: {"level":50,"time":1709259300000,"msg":"json error"}',
        '7:ERROR: 2024-03-01T03:00:00Z ERROR after the window',
        '',
      ].join('\n'),
    );
    const matched = await runScript(tsxBin, [
      script('find-errors'),
      log,
      '--min-level',
      'WARNING',
      '--match',
      'slow|disk',
    ]);
    expect(
      matched.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(':')[0]),
    ).toEqual(['3', '6']);
  });
});

describe('examples/filter-logs.ts', () => {
  it('writes the matching entries of a window to the output file', async () => {
    const output = join(dir, 'errors.log');
    const args = [
      '--input',
      gz,
      '--output',
      output,
      '--level',
      'WARNING',
      '--start-date',
      '2024-03-01T02:00:00Z',
      '--end-date',
      '2024-03-01T03:00:00Z',
      '--multiline',
    ];
    const result = await runScript(tsxBin, [script('filter-logs'), ...args]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(`3 entries written to ${output}\n`);
    // Lines 3 to 6: the ERROR with its stack trace, the JSON error and the WARN.
    expect(await readFile(output, 'utf8')).toBe(`${LOG.split('\n').slice(2, 6).join('\n')}\n`);
  });

  it('names the option of a bad date, and a missing input', async () => {
    const bad = await runScript(tsxBin, [
      script('filter-logs'),
      '--input',
      log,
      '--output',
      join(dir, 'x.log'),
      '--start-date',
      'yesterday',
    ]);
    expect(bad.exitCode).toBe(64);
    expect(bad.stderr).toContain('--start-date: expected an ISO date');
    const order = await runScript(tsxBin, [
      script('filter-logs'),
      '--input',
      log,
      '--output',
      join(dir, 'x.log'),
      '--start-date',
      '2024-03-02',
      '--end-date',
      '2024-03-01',
    ]);
    expect(order.stderr).toContain('--end-date: must be after --start-date');
    const missing = await runScript(tsxBin, [
      script('filter-logs'),
      '--input',
      join(dir, 'nope.log'),
      '--output',
      join(dir, 'x.log'),
    ]);
    expect(missing.exitCode).toBe(66);
    const help = await runScript(tsxBin, [script('filter-logs'), '--help']);
    expect(help.stdout).toContain('--start-date <date>');
  });
});
