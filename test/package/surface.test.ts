import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SUBPATHS, WORKER_ENTRIES } from '../../scripts/subpaths.js';
import tsupConfig from '../../tsup.config.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const readJson = (file: string): unknown => JSON.parse(readFileSync(join(root, file), 'utf8'));

/** `.` → `src/index.ts`, `errors` → `src/errors/index.ts`. */
const sourceOf = (subpath: string) => (subpath === '.' ? 'src/index.ts' : `src/${subpath}/index.ts`);
const sorted = (names: Iterable<string>) => [...names].sort();

describe('the public subpaths', () => {
  const subpaths = sorted(SUBPATHS);

  it('package.json exports each subpath (and package.json), types first, from dist/', () => {
    const pkg = readJson('package.json') as { exports: Record<string, unknown> };
    const keys = Object.keys(pkg.exports).filter((key) => key !== './package.json');
    expect(sorted(keys.map((key) => (key === '.' ? '.' : key.slice(2))))).toEqual(subpaths);
    for (const subpath of SUBPATHS) {
      const key = subpath === '.' ? '.' : `./${subpath}`;
      const base = subpath === '.' ? './dist/index' : `./dist/${subpath}/index`;
      // Key order matters to resolvers: `types` must come before `default`.
      expect(Object.entries(pkg.exports[key] as object)).toEqual([
        ['types', `${base}.d.ts`],
        ['default', `${base}.js`],
      ]);
    }
    expect(pkg.exports['./package.json']).toBe('./package.json');
  });

  it('tsup builds one entry per subpath, and the internal worker entries', () => {
    expect(Array.isArray(tsupConfig) || typeof tsupConfig === 'function').toBe(false);
    const { entry } = tsupConfig as { entry?: unknown };
    expect(entry).toEqual({
      ...Object.fromEntries(
        SUBPATHS.map((subpath) => [subpath === '.' ? 'index' : `${subpath}/index`, sourceOf(subpath)]),
      ),
      ...WORKER_ENTRIES,
    });
  });

  it('typedoc documents each subpath', () => {
    const typedoc = readJson('typedoc.json') as { entryPoints: string[] };
    expect(sorted(typedoc.entryPoints)).toEqual(sorted(SUBPATHS.map(sourceOf)));
  });

  it('every folder of src/ but internal/ is a subpath, with an index.ts', () => {
    const folders = readdirSync(join(root, 'src'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'internal')
      .map((entry) => entry.name);
    expect(sorted(folders)).toEqual(subpaths.filter((subpath) => subpath !== '.'));
    for (const subpath of SUBPATHS) expect(existsSync(join(root, sourceOf(subpath))), subpath).toBe(true);
  });
});

describe('index files', () => {
  it('list their exports by name: no `export *` in any subpath index', () => {
    for (const subpath of SUBPATHS.filter((name) => name !== '.')) {
      const source = readFileSync(join(root, sourceOf(subpath)), 'utf8');
      expect(source, sourceOf(subpath)).not.toMatch(/\bexport\s+(type\s+)?\*/);
    }
  });

  it('the root re-exports every module and nothing else', () => {
    const source = readFileSync(join(root, 'src/index.ts'), 'utf8');
    const code = source.replace(/\/\*[\s\S]*?\*\//g, '').trim();
    const lines = code.split('\n').map((line) => line.trim());
    const modules = lines.map(
      (line) => /^export \* from '\.\/([a-z-]+)\/index\.js';$/.exec(line)?.[1] ?? line,
    );
    expect(sorted(modules)).toEqual(sorted(SUBPATHS.filter((name) => name !== '.')));
  });
});

/**
 * The runtime names each subpath exports, pinned. This test is MEANT TO FAIL whenever the
 * public surface changes: adding, renaming or removing an export means updating the list
 * here in the same change, so that no name becomes public (or disappears) by accident.
 * Types are not listed: they have no runtime name; typedoc and attw cover them.
 */
const EXPECTED_NAMES: Record<Exclude<(typeof SUBPATHS)[number], '.'>, readonly string[]> = {
  errors: [
    'AbortError',
    'CommandError',
    'ConfigError',
    'ERROR_CODES',
    'FileError',
    'LockError',
    'RemoteError',
    'SecretError',
    'SreError',
    'TimeoutError',
    'createError',
    'ensureError',
    'formatError',
    'formatPath',
    'fromZodError',
    'hasCode',
    'isRetryable',
    'isSreError',
    'main',
    'parseCliArgs',
  ],
  fs: [
    'FileLedger',
    'applyMergePatch',
    'readJson',
    'updateJson',
    'watchDirectory',
    'withLock',
    'writeAtomic',
  ],
  process: ['cmd', 'formatCommand', 'lines', 'quoteArgument', 'run'],
  secrets: [
    'CREDENTIAL_PATTERNS',
    'FileSecretStore',
    'Secret',
    'createRedactor',
    'isSecret',
    'readSecret',
    'redact',
    'rotateSecret',
  ],
  logs: ['DEFAULT_ALIASES', 'LEVELS', 'NUMERIC_LEVELS', 'SEVERITY_NUMBERS', 'countLevels', 'scanLog'],
  remote: [
    'InventorySchema',
    'METRIC_NAMES',
    'buildMetricsCommand',
    'collect',
    'collectStream',
    'computeCpuUsage',
    'loadInventory',
    'openSftp',
    'parseDf',
    'parseLoadavg',
    'parseMeminfo',
    'parseMetricsOutput',
    'parseOsRelease',
    'parseProcStat',
    'parseUptime',
    'selectHosts',
    'toCSV',
    'toJSON',
    'toNDJSON',
  ],
};

describe('exported runtime names (update EXPECTED_NAMES when the surface changes)', () => {
  for (const [subpath, names] of Object.entries(EXPECTED_NAMES)) {
    it(`sre-kit/${subpath}`, async () => {
      const module: object = await import(join(root, sourceOf(subpath)));
      // Lists are written sorted, so that a diff shows where a name went.
      expect(names).toEqual(sorted(names));
      expect(sorted(Object.keys(module))).toEqual(names);
    });
  }

  it('sre-kit (the root) exports exactly the union of the subpaths, so no two modules clash', async () => {
    // `export *` silently drops a name that two modules both export: this catches it.
    const module: object = await import(join(root, 'src/index.ts'));
    const union = new Set(Object.values(EXPECTED_NAMES).flat());
    expect(sorted(Object.keys(module))).toEqual(sorted(union));
    expect(union.size).toBe(Object.values(EXPECTED_NAMES).flat().length);
  });
});
