// One contender of the contention benchmark: waits for "go" on stdin, makes `count` updates
// of the shared file with updateJson, then reports how long its updates took.
import { createInterface } from 'node:readline';
import { reportResult } from '../lib/isolate.js';
import { WRITERS } from './writers.js';

const [path, count] = process.argv.slice(2);
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'go') break;
}
const started = performance.now();
for (let i = 0; i < Number(count); i++) await WRITERS.updateJson(path!);
reportResult({ ms: performance.now() - started });
