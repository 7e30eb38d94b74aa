// The producer of the drop benchmark, in a process of its own so that it does not share the
// watcher's event loop: `dropper.ts <stageDir> <inbox> <count> <bytes> <perSecond>`. Prints
// `ready`, waits for a line on stdin, then writes each file beside the inbox and renames it
// in, the way a careful producer does: as fast as it can (perSecond 0), or paced. Each file carries the time it became complete (just before
// its rename), so the handler can measure the latency from there to its own start.
import { once } from 'node:events';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

const [stageDir, inbox, countText, bytesText, rateText] = process.argv.slice(2);
if (!stageDir || !inbox) throw new Error('usage: dropper.ts <stageDir> <inbox> <count> <bytes> <perSecond>');
const count = Number(countText);
const perSecond = Number(rateText ?? 0);
const padding = 'x'.repeat(Math.max(0, Number(bytesText) - 40));

process.stdout.write('ready\n');
await once(process.stdin, 'data');
const started = performance.now();
for (let index = 0; index < count; index++) {
  // Paced: file `index` is due `index / perSecond` seconds after the start.
  const wait = perSecond > 0 ? started + (index * 1000) / perSecond - performance.now() : 0;
  if (wait > 1) await sleep(wait);
  const name = `drop-${index}.log`;
  const completeAt = performance.timeOrigin + performance.now();
  // The stamp is taken before the write: the latency includes the write and rename (~0.1 ms).
  await writeFile(join(stageDir, name), `${index} ${completeAt}\n${padding}\n`);
  await rename(join(stageDir, name), join(inbox, name));
}
process.stdout.write('dropped\n');
