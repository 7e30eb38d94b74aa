import { mkdir } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { build } from 'esbuild';
import { repoRoot } from './run-script.js';

/**
 * Bundles a TypeScript fixture into one `.mjs` file that plain `node` starts in tens of
 * milliseconds (tsx takes ~0.5 s), for tests that start hundreds of child processes.
 * Packages stay external and resolve from the repository's node_modules.
 */
export async function bundleFixture(entry: string): Promise<string> {
  const outdir = join(repoRoot, 'node_modules', '.cache', 'sre-kit-tests');
  await mkdir(outdir, { recursive: true });
  const outfile = join(outdir, `${basename(entry, '.ts')}-${process.pid}.mjs`);
  await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    logLevel: 'error',
  });
  return outfile;
}
