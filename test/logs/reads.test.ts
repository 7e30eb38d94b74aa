import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readAhead } from '../../src/logs/reads.js';

let dir: string;
let path: string;
const bytes = Buffer.from(Array.from({ length: 10_000 }, (_, i) => (i * 7) % 251));

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sre-kit-reads-'));
  path = join(dir, 'data.bin');
  await writeFile(path, bytes);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('readAhead()', () => {
  it('yields the file from a position in chunks of at most the read size, in two buffers that take turns', async () => {
    for (const [start, size] of [
      [0, 1000],
      [0, 7],
      [3, 4096],
      [9_999, 64],
      [10_000, 64],
      [0, 1 << 20],
    ] as const) {
      const handle = await open(path, 'r');
      const copies: Buffer[] = [];
      const backing = new Set<ArrayBufferLike>();
      for await (const chunk of readAhead(handle, start, undefined, size)) {
        expect(chunk.length).toBeLessThanOrEqual(size);
        copies.push(Buffer.from(chunk));
        backing.add(chunk.buffer);
      }
      await handle.close();
      expect(Buffer.concat(copies).equals(bytes.subarray(start))).toBe(true);
      if (copies.length > 2) expect(backing.size).toBeLessThanOrEqual(2);
    }
  });

  it('gives its buffers of the default size to the next reader when it ends', async () => {
    // Over 2 MiB: both buffers of a reader show in its chunks.
    const big = join(dir, 'big.bin');
    await writeFile(big, Buffer.alloc(5 * 512 * 1024, 7));
    const buffersOf = async () => {
      const handle = await open(big, 'r');
      const seen = new Set<ArrayBufferLike>();
      for await (const chunk of readAhead(handle, 0)) seen.add(chunk.buffer);
      await handle.close();
      return seen;
    };
    const first = await buffersOf();
    const second = await buffersOf();
    expect(first.size).toBe(2);
    expect([...second].every((buffer) => first.has(buffer))).toBe(true);
  });

  it('lets a caller stop early: the read in flight lands before the file is closed', async () => {
    const handle = await open(path, 'r');
    let seen = 0;
    for await (const chunk of readAhead(handle, 0, undefined, 100)) {
      seen += chunk.length;
      if (seen >= 300) break;
    }
    await handle.close();
    expect(seen).toBe(300);
  });

  it('stops with the abort reason once the signal is aborted', async () => {
    const handle = await open(path, 'r');
    const controller = new AbortController();
    const reading = (async () => {
      for await (const _ of readAhead(handle, 0, controller.signal, 100)) controller.abort(new Error('stop'));
    })();
    await expect(reading).rejects.toThrow('stop');
    await handle.close();
  });
});
