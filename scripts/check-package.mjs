#!/usr/bin/env node
// Checks the package a user would install: builds and packs it (`npm pack`), then fails on
// any problem that publint or @arethetypeswrong/cli finds in the tarball, on a file in it
// that a consumer does not need, and on a subpath that plain Node cannot import from the
// unpacked tarball.
//
//   npm run check:package
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const subpaths = Object.keys(pkg.exports).filter((key) => key !== './package.json');

/** What a consumer needs; anything else in the tarball is a leak (sources, tests, maps). */
const ALLOWED_FILES = [/^package\.json$/, /^README\.md$/, /^LICENSE(\.md|\.txt)?$/, /^dist\/.+\.(js|d\.ts)$/];

const problems = [];
const work = mkdtempSync(join(tmpdir(), 'sre-kit-pack-'));
try {
  // 1. Build, then pack. `prepack` would build too, but its output would mix with the JSON
  //    that `npm pack --json` prints on stdout, so the build runs on its own first.
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
  const packOutput = execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [packed] = JSON.parse(packOutput);
  const tarball = join(work, packed.filename);
  console.log(`packed ${packed.filename}: ${packed.entryCount} files, ${packed.size} bytes`);

  for (const { path } of packed.files) {
    if (!ALLOWED_FILES.some((pattern) => pattern.test(path)))
      problems.push(`tarball: unexpected file ${path}`);
  }

  // 2. publint, strict, every level down to suggestions.
  const bytes = readFileSync(tarball);
  const arrayBuffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const lint = await publint({ pack: { tarball: arrayBuffer }, level: 'suggestion', strict: true });
  for (const message of lint.messages) {
    problems.push(
      `publint ${message.type}: ${formatMessage(message, lint.pkg, { color: false }) ?? message.code}`,
    );
  }
  console.log(`publint: ${lint.messages.length} messages`);

  // 3. attw. The package is ESM only, so CommonJS `require` and node10 resolution are out of
  //    scope (the esm-only profile); everything else must resolve with the right types.
  const attw = spawnSync(
    join(root, 'node_modules', '.bin', 'attw'),
    [tarball, '--profile', 'esm-only', '--format', 'ascii', '--no-color', '--no-emoji'],
    { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
  );
  if (attw.status !== 0) {
    problems.push(`attw exited with ${attw.status ?? attw.signal}:\n${attw.stdout}${attw.stderr}`);
  } else {
    console.log('attw: no problems');
  }

  // 4. Import every subpath from the unpacked tarball with plain Node, as a consumer would.
  //    The consumer lives under the repo's node_modules so that the package's dependencies
  //    resolve from the repo's install, without touching the registry.
  const consumer = join(root, 'node_modules', '.cache', 'sre-kit-pack-consumer');
  rmSync(consumer, { recursive: true, force: true });
  const installed = join(consumer, 'node_modules', 'sre-kit');
  mkdirSync(installed, { recursive: true });
  writeFileSync(
    join(consumer, 'package.json'),
    JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
  );
  execFileSync('tar', ['-xzf', tarball, '-C', installed, '--strip-components=1']);
  const script = `
    const subpaths = ${JSON.stringify(subpaths)};
    const names = {};
    for (const subpath of subpaths) {
      const specifier = subpath === '.' ? 'sre-kit' : 'sre-kit/' + subpath.slice(2);
      names[subpath] = Object.keys(await import(specifier)).sort();
    }
    const union = [...new Set(subpaths.filter((s) => s !== '.').flatMap((s) => names[s]))].sort();
    if (JSON.stringify(union) !== JSON.stringify(names['.'])) {
      throw new Error('the root does not export exactly the union of the subpaths: ' + JSON.stringify(names));
    }
    console.log('imported ' + subpaths.length + ' subpaths, ' + names['.'].length + ' names');
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '--eval', script], {
    cwd: consumer,
    encoding: 'utf8',
  });
  if (run.status !== 0) problems.push(`importing the unpacked tarball failed:\n${run.stdout}${run.stderr}`);
  else process.stdout.write(run.stdout);
  rmSync(consumer, { recursive: true, force: true });
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (problems.length > 0) {
  console.error(`\ncheck:package found ${problems.length} problem(s):`);
  for (const problem of problems) console.error(`- ${problem}`);
  process.exitCode = 1;
} else {
  console.log('check:package: ok');
}
