import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (path: string) => fileURLToPath(new URL(`./src/${path}`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^sre-kit$/, replacement: src('index.ts') },
      { find: /^sre-kit\/(.*)$/, replacement: src('$1/index.ts') },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 180_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Vitest's default is one worker less than the cores, which is one on a 2-core CI machine:
    // the suite then runs file after file. Most tests wait on child processes, sshd or timers,
    // so two files at a time use the machine instead of queueing.
    maxWorkers: 2,
  },
});
