import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runScript, tsxBin } from '../helpers/run-script.js';

// Runs examples/load-config.ts the way a user would (`npx tsx examples/load-config.ts`), so
// the example cannot rot: a broken import, option or exit code fails here.
const example = join(repoRoot, 'examples', 'load-config.ts');
const run = (...args: string[]) => runScript(tsxBin, [example, ...args]);

let dir: string;
const file = (name: string) => join(dir, name);

/** The failure output of main(): exactly one line on stderr. */
function onlyLine(stderr: string): string {
  const lines = stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  return lines[0] as string;
}

/** Like `toMatch(/^…/)` for a literal prefix (temp paths are not regex-safe), with a readable diff. */
function expectStart(text: string, prefix: string): void {
  expect(text.slice(0, prefix.length)).toBe(prefix);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-load-config-'));
  await writeFile(file('good.json'), JSON.stringify({ service: 'api', port: 8080 }));
  await writeFile(file('bad.json'), '{\n  "service": "api",\n  "port": 8080\n  "replicas": 2\n}\n');
  await writeFile(file('missing-key.json'), JSON.stringify({ port: 8080 }));
  await writeFile(file('bad-port.json'), JSON.stringify({ service: 'api', port: '80', replicas: 2 }));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('examples/load-config.ts', () => {
  it('imports sre-kit by its package name, as a copied script would', async () => {
    expect(await readFile(example, 'utf8')).toMatch(
      /from 'sre-kit\/(errors|fs|process|secrets|logs|remote)'/,
    );
  });

  it('prints the validated config and exits 0', async () => {
    const result = await run('--config', file('good.json'));
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ service: 'api', port: 8080, replicas: 1 });
    expect(onlyLine(result.stderr)).toMatch(/^info config is valid /);
  });

  it('prints --help and exits 0', async () => {
    const result = await run('--help');
    expect(result).toMatchObject({ exitCode: 0, stderr: '' });
    expect(result.stdout).toMatch(/^Usage: load-config --config <file\.json>/);
    expect(result.stdout).toContain('--config <file>');
  });

  it('exits 66 for a missing file', async () => {
    const missing = file('nope.json');
    const result = await run('-c', missing);
    expect(result.exitCode).toBe(66);
    expect(onlyLine(result.stderr)).toBe(
      `error SRE_FILE_NOT_FOUND: No config file at ${missing} ← ENOENT: no such file or directory, open '${missing}'`,
    );
  });

  it('exits 65 for invalid JSON and says the line and column', async () => {
    const result = await run('--config', file('bad.json'));
    expect(result.exitCode).toBe(65);
    expectStart(
      onlyLine(result.stderr),
      `error SRE_FILE_INVALID_JSON: ${file('bad.json')}:4:3: not valid JSON ← SyntaxError: `,
    );
  });

  it('exits 78 when a required key is missing', async () => {
    const result = await run('--config', file('missing-key.json'));
    expect(result.exitCode).toBe(78);
    expectStart(
      onlyLine(result.stderr),
      `error SRE_CONFIG_INVALID: Invalid ${file('missing-key.json')}: service: required, expected string`,
    );
  });

  it('exits 78 when a value has the wrong type, and shows what it got', async () => {
    const result = await run('--config', file('bad-port.json'));
    expect(result.exitCode).toBe(78);
    expect(onlyLine(result.stderr)).toContain('port: expected number, received "80"');
  });

  it.each([
    [[], 'error SRE_USAGE: Missing --config <file> (see --help)'],
    [['--bogus'], "error SRE_USAGE: Unknown option '--bogus' (see --help)"],
    [['--config'], "error SRE_USAGE: Option '-c, --config <value>' argument missing (see --help)"],
    [['--config='], 'error SRE_USAGE: Invalid arguments: --config: Too small'],
    [['-c', 'app.json', 'extra'], "error SRE_USAGE: Unexpected argument 'extra'"],
  ])('exits 64 for bad arguments %o', async (args, line) => {
    const result = await run(...args);
    expect(result.exitCode).toBe(64);
    expect(result.stdout).toBe('');
    expectStart(onlyLine(result.stderr), line);
  });
});
