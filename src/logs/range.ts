import { open } from 'node:fs/promises';
import { createTotals, LineCounter, type Totals } from './counter.js';
import { ChunkFeeder } from './feed.js';
import { type LevelOptions, setUp } from './options.js';
import { readAhead } from './reads.js';

/**
 * Counts the lines of a plain file that start in `[start, end)`: a line that begins before
 * `start` belongs to the range before, and the last line is read past `end` to its newline.
 * Ranges that tile a file count every line exactly once.
 */
export async function countRange(
  path: string,
  start: number,
  end: number,
  options: LevelOptions,
  occurrences: boolean,
): Promise<Totals> {
  const { table, classifier } = setUp('countLevels', options);
  const totals = createTotals(table.names.length);
  const counter = new LineCounter(table, classifier, occurrences, totals);
  const handle = await open(path, 'r');
  try {
    let position = start;
    if (start > 0) {
      // Skip the end of a line that started in the range before.
      position = await findLineStart(handle, start - 1);
      if (position >= end) return totals;
      counter.startSource(false);
    } else {
      counter.startSource();
    }
    // The next read is in flight while a chunk is counted; the feeder copies only split lines.
    const feeder = new ChunkFeeder(counter);
    for await (const chunk of readAhead(handle, position, options.signal)) {
      let data = chunk;
      let reachedEnd = false;
      if (position + chunk.length >= end) {
        // Past the range: keep only up to the newline that ends the last line starting in it.
        const firstAfter = chunk.indexOf(0x0a, Math.max(0, end - position - 1));
        if (firstAfter !== -1) {
          data = chunk.subarray(0, firstAfter + 1);
          reachedEnd = true;
        }
      }
      position += chunk.length;
      totals.bytes += data.length;
      feeder.push(data);
      if (reachedEnd) break;
    }
    feeder.end();
    return totals;
  } finally {
    await handle.close();
  }
}

/** The position after the first newline at or after `from` (the file's size when there is none). */
async function findLineStart(handle: Awaited<ReturnType<typeof open>>, from: number): Promise<number> {
  const buffer = Buffer.allocUnsafe(64 * 1024);
  for (let position = from; ; position += buffer.length) {
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, position);
    if (bytesRead === 0) return position;
    const newline = buffer.subarray(0, bytesRead).indexOf(0x0a);
    if (newline !== -1) return position + newline + 1;
  }
}
