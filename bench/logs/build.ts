import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { WORKER_ENTRIES } from '../../scripts/subpaths.js';

/**
 * Bundles the measuring worker (bench/logs/worker.ts) with sre-kit/logs the way tsup builds
 * dist/: ESM, code splitting, the worker entries of `parallel: true` beside it, dependencies
 * left to node_modules. Node then runs plain JavaScript, as the package's users do; under tsx
 * every worker thread would load tsx again, which costs a parallel count time and memory that
 * users never pay. Returns the worker script's URL.
 */
export async function buildWorker(outdir: string): Promise<URL> {
  await rm(outdir, { recursive: true, force: true });
  await build({
    absWorkingDir: fileURLToPath(new URL('../../', import.meta.url)),
    entryPoints: { 'bench-worker': 'bench/logs/worker.ts', ...WORKER_ENTRIES },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  return pathToFileURL(join(outdir, 'bench-worker.js'));
}
