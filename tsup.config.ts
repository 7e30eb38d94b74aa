import { defineConfig } from 'tsup';
import { SUBPATHS, WORKER_ENTRIES } from './scripts/subpaths.js';

// One entry per public subpath; the list is shared with package.json's exports and
// typedoc's entry points (test/package/surface.test.ts asserts they agree).
export default defineConfig({
  entry: {
    ...Object.fromEntries(
      SUBPATHS.map((name) => [
        name === '.' ? 'index' : `${name}/index`,
        name === '.' ? 'src/index.ts' : `src/${name}/index.ts`,
      ]),
    ),
    ...WORKER_ENTRIES,
  },
  format: ['esm'],
  target: 'node20',
  platform: 'node',
  dts: true,
  splitting: true,
  treeshake: true,
  clean: true,
  sourcemap: false,
  outDir: 'dist',
});
