import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as bundle } from 'esbuild';
import { build } from 'tsup';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/*
 * What a user's bundler keeps of sre-kit. Each block imports its heavy dependency at the top
 * level (remote: ssh2, fs watch: chokidar), and the root re-exports every block; a bundle
 * that uses one name still must not carry them. That holds because package.json says
 * `"sideEffects": false`: the bundler may then drop every sre-kit file (tsup chunk) whose
 * exports are unused, together with that file's `import 'ssh2'`, which it would otherwise
 * have to keep, ssh2 not being side-effect free. The test asserts the flag, and bundles the
 * built package as a consumer resolves it (through the exports map).
 *
 * Until remote and fs import ssh2 and chokidar, the root case passes trivially. It was
 * checked once by hand on a scratch copy whose remote/ and fs/ imported them at the top
 * level: the root case passed with the flag and failed without it. esbuild still reads
 * the dropped files (they are in metafile.inputs), so "carries" below means the code
 * that reaches the output (bytesInOutput > 0), besides the marker strings.
 *
 * The package is built here into a private copy (JS only, same tsup config), so this test
 * never races with other tests or a build that use dist/.
 */

const root = fileURLToPath(new URL('../..', import.meta.url));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { sideEffects?: unknown };

/** Strings that occur in the code of each package, and not in sre-kit's. */
const MARKERS = {
  ssh2: 'SSH-2.0-ssh2js', // the client identification string, lib/protocol/Protocol.js
  chokidar: 'awaitWriteFinish', // a watcher option, index.js
} as const;

/** What each entry imports, and the packages its bundle must not contain. */
const CASES: ReadonlyArray<{ name: string; code: string; without: ReadonlyArray<keyof typeof MARKERS> }> = [
  { name: 'only sre-kit/errors', code: "export * from 'sre-kit/errors';", without: ['ssh2', 'chokidar'] },
  {
    name: 'one name from the root sre-kit',
    code: "import { isSreError } from 'sre-kit';\nconsole.log(isSreError(new Error('x')));",
    without: ['ssh2', 'chokidar'],
  },
  { name: 'only sre-kit/process', code: "export * from 'sre-kit/process';", without: ['ssh2', 'chokidar'] },
  { name: 'only sre-kit/secrets', code: "export * from 'sre-kit/secrets';", without: ['ssh2', 'chokidar'] },
  { name: 'only sre-kit/logs', code: "export * from 'sre-kit/logs';", without: ['ssh2', 'chokidar'] },
  { name: 'only sre-kit/fs', code: "export * from 'sre-kit/fs';", without: ['ssh2'] },
  { name: 'only sre-kit/remote', code: "export * from 'sre-kit/remote';", without: ['chokidar'] },
];

let work: string;

beforeAll(async () => {
  // Under the repo's node_modules (git-ignored), so that the copy's dependencies resolve from
  // the repo's install; the copy is node_modules/sre-kit of this temp dir.
  const cache = join(root, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  work = mkdtempSync(join(cache, 'sre-kit-tree-shaking-'));
  // A consumer package of its own: without it, the nearest package.json would be the repo's,
  // and `sre-kit` would resolve to the repo itself (a package self-reference), not the copy.
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  const copy = join(work, 'node_modules', 'sre-kit');
  mkdirSync(copy, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(copy, 'package.json'));
  await build({ outDir: join(copy, 'dist'), dts: false, silent: true });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Bundles `code` as an entry file in the temp dir; returns the output and the files it came from. */
async function bundleEntry(code: string) {
  const entry = join(work, `entry-${Math.random().toString(36).slice(2)}.mjs`);
  writeFileSync(entry, code);
  const result = await bundle({
    entryPoints: [entry],
    absWorkingDir: root,
    bundle: true,
    platform: 'node',
    format: 'esm',
    treeShaking: true,
    write: false,
    metafile: true,
    logLevel: 'silent',
    // ssh2 has optional native addons; their binaries are not JavaScript to search.
    loader: { '.node': 'empty' },
  });
  const output = result.outputFiles.map((file) => file.text).join('\n');
  // Paths relative to the repo root. `inputs` is every file the bundler read, `included`
  // the ones that put code into the output (a file read and then tree-shaken away is not).
  const included = Object.values(result.metafile.outputs).flatMap((out) =>
    Object.entries(out.inputs).flatMap(([input, { bytesInOutput }]) => (bytesInOutput > 0 ? [input] : [])),
  );
  return { output, inputs: Object.keys(result.metafile.inputs), included };
}

describe('tree shaking', () => {
  it('relies on package.json declaring sideEffects: false', () => {
    expect(pkg.sideEffects).toBe(false);
  });

  it('the markers find ssh2 and chokidar when they are bundled', async () => {
    const ssh2 = await bundleEntry("import { Client } from 'ssh2';\nconsole.log(Client);");
    expect(ssh2.output).toContain(MARKERS.ssh2);
    expect(ssh2.included.some((input) => input.includes('node_modules/ssh2/'))).toBe(true);
    const chokidar = await bundleEntry("import { watch } from 'chokidar';\nconsole.log(watch);");
    expect(chokidar.output).toContain(MARKERS.chokidar);
    expect(chokidar.included.some((input) => input.includes('node_modules/chokidar/'))).toBe(true);
  });

  for (const { name, code, without } of CASES) {
    it(`a bundle that imports ${name} carries no ${without.join(' or ')}`, async () => {
      const { output, inputs, included } = await bundleEntry(code);
      // The bundle did come from the built copy of sre-kit, through its exports map.
      // (Matched by the temp dir's unique name: esbuild reports real paths, node_modules may be a link.)
      const copy = `${basename(work)}/node_modules/sre-kit/dist/`;
      expect(inputs.some((input) => input.includes(copy))).toBe(true);
      for (const dependency of without) {
        expect(output, `${dependency} code in the bundle`).not.toContain(MARKERS[dependency]);
        expect(included.filter((input) => input.includes(`node_modules/${dependency}/`))).toEqual([]);
      }
    });
  }

  it('the root bundle keeps the name it uses', async () => {
    const { output } = await bundleEntry(
      "import { isSreError } from 'sre-kit';\nconsole.log(isSreError(new Error('x')));",
    );
    expect(output).toMatch(/function isSreError\b/);
  });
});
