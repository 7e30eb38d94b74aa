// Runs every bench/*.bench.ts, one after the other, each in a Node process of its own.
//   npm run bench                     all of them
//   npm run bench -- process logs     only those whose name contains one of the words
//   npm run bench -- --quick          counts and sizes cut about tenfold (or BENCH_QUICK=1)
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { isQuick } from './lib/mode.js';
import { formatMs } from './lib/table.js';

const here = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2).filter((arg) => !arg.startsWith('--'));
const unknown = process.argv.slice(2).filter((arg) => arg.startsWith('--') && arg !== '--quick');
if (unknown.length > 0) {
  console.error(`bench: unknown option ${unknown.join(' ')}; usage: npm run bench -- [--quick] [name…]`);
  process.exit(64);
}
const scripts = readdirSync(here)
  .filter((file) => file.endsWith('.bench.ts'))
  .filter((file) => filters.length === 0 || filters.some((filter) => file.includes(filter)))
  .sort();
if (scripts.length === 0) {
  console.error(`bench: no bench/*.bench.ts matches ${filters.join(', ')}`);
  process.exit(64);
}

const tsx = import.meta.resolve('tsx');
const failed: string[] = [];
for (const script of scripts) {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', tsx, `${here}${script}`], {
    stdio: 'inherit',
    env: { ...process.env, ...(isQuick() ? { BENCH_QUICK: '1' } : {}) },
  });
  const [exitCode, exitSignal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  const took = formatMs(performance.now() - started);
  if (exitCode !== 0) failed.push(`${script} (${exitSignal ?? `exit ${exitCode}`})`);
  console.error(`bench: ${script} ${exitCode === 0 ? 'done' : 'FAILED'} in ${took}\n`);
}
if (failed.length > 0) {
  console.error(`bench: failed: ${failed.join(', ')}`);
  process.exitCode = 1;
}
