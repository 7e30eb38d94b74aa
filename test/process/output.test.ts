import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { hasCode } from '../../src/errors/index.js';
import { lines, run } from '../../src/process/index.js';
import { liveGroupMembers, waitUntil } from '../helpers/processes.js';

const MB = 1024 * 1024;

/** Samples this process's RSS every 10 ms while `work` runs; returns the peak in bytes. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ value?: T; error?: unknown; peak: number }> {
  let peak = process.memoryUsage.rss();
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 10);
  try {
    return { value: await work(), peak };
  } catch (error) {
    return { error, peak };
  } finally {
    clearInterval(timer);
    peak = Math.max(peak, process.memoryUsage.rss());
  }
}

describe('bounded output', () => {
  it('stops a child writing 2 GiB at the default cap, with flat memory', async () => {
    const { error, peak } = await peakRss(() => run('head', ['-c', String(2048 * MB), '/dev/zero']));
    expect(hasCode(error, 'SRE_COMMAND_OUTPUT_TOO_LARGE')).toBe(true);
    expect((error as Error).message).toContain('more than 16777216 bytes to stdout');
    expect(peak).toBeLessThan(200 * MB);
    const pgid = (error as { details: { pid: number } }).details.pid;
    expect(await waitUntil(() => liveGroupMembers(pgid).length === 0)).toBe(true);
  });

  it('keeps the head and the tail with truncate: true', async () => {
    const { value, peak } = await peakRss(() =>
      run('seq', ['1', '3000000'], { maxOutputBytes: MB, truncate: true }),
    );
    expect(value?.truncated).toBe(true);
    const out = value?.stdout ?? '';
    expect(out.startsWith('1\n2\n3\n')).toBe(true);
    expect(out.endsWith('2999999\n3000000')).toBe(true);
    expect(out).toMatch(/\n\[… \d+ bytes truncated …\]\n/);
    expect(out.length).toBeLessThan(MB + 100);
    expect(peak).toBeLessThan(200 * MB);
  });

  it('caps stderr too', async () => {
    const error = await run('bash', ['-c', 'head -c 100000 /dev/zero >&2'], { maxOutputBytes: 1000 }).catch(
      (e) => e,
    );
    expect(hasCode(error, 'SRE_COMMAND_OUTPUT_TOO_LARGE')).toBe(true);
    expect(error.details.stream).toBe('stderr');
  });
});

describe('lines()', () => {
  it('yields every line, CRLF and a last line without newline included', async () => {
    const got: string[] = [];
    for await (const line of lines('printf', ['a\\r\\nb\\n\\nc'])) got.push(line);
    expect(got).toEqual(['a', 'b', '', 'c']);
  });

  it('joins a line split across many chunks, and decodes multi-byte characters whole', async () => {
    const got: string[] = [];
    const script =
      "printf 'x%.0s' $(seq 1 200000); printf '\\xe2'; sleep 0.05; printf '\\x82\\xac\\nnext\\n'";
    for await (const line of lines('bash', ['-c', script])) got.push(line);
    expect(got).toHaveLength(2);
    expect(got[0]).toBe(`${'x'.repeat(200000)}€`);
    expect(got[1]).toBe('next');
  });

  it('yields the same lines as decoding the whole output, for mixed and broken input', async () => {
    // Lines of 0 to ~5,000 bytes: ASCII, CRLF, multi-byte characters and invalid bytes, so
    // lines, decoded blocks and 64 KiB chunks end at every kind of place. Seeded, so a
    // failure repeats.
    let seed = 7;
    const next = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pieces = [
      Buffer.from('plain ascii text '),
      Buffer.from('€ü漢'),
      Buffer.from([0xe2, 0x82]),
      Buffer.from([0xff]),
    ];
    const parts: Buffer[] = [];
    for (let line = 0; line < 3000; line++) {
      const words = next(4) === 0 ? next(300) : next(8);
      for (let w = 0; w < words; w++) parts.push(pieces[next(10) < 7 ? 0 : 1 + next(3)] as Buffer);
      parts.push(Buffer.from(next(5) === 0 ? '\r\n' : '\n'));
    }
    const bytes = Buffer.concat(parts);
    const dir = mkdtempSync(join(tmpdir(), 'sre-lines-'));
    try {
      const file = join(dir, 'out.log');
      writeFileSync(file, bytes);
      const got: string[] = [];
      for await (const line of lines('cat', [file])) got.push(line);
      const expected = new TextDecoder()
        .decode(bytes)
        .split('\n')
        .slice(0, -1)
        .map((l) => l.replace(/\r$/, ''));
      expect(got.length).toBe(3000);
      expect(got).toEqual(expected);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('holds the child back while the loop is busy (back-pressure)', async () => {
    // `yes` writes as fast as the pipe takes it; if reading were not paced by the loop,
    // this process would buffer the whole output while the loop sleeps.
    let count = 0;
    const { peak } = await peakRss(async () => {
      for await (const _ of lines('yes', ['a line of output that yes repeats forever'], {
        timeoutMs: 60_000,
      })) {
        if (++count % 1000 === 0) await new Promise((resolve) => setTimeout(resolve, 50));
        if (count === 20_000) break;
      }
    });
    expect(count).toBe(20_000);
    expect(peak).toBeLessThan(200 * MB);
  });

  it('throws after the last line when the command fails, with its stderr', async () => {
    const got: string[] = [];
    const error = await (async () => {
      for await (const line of lines('bash', ['-c', 'echo one; echo two; echo "broken pipe" >&2; exit 4']))
        got.push(line);
    })().catch((e) => e);
    expect(got).toEqual(['one', 'two']);
    expect(hasCode(error, 'SRE_COMMAND_FAILED')).toBe(true);
    expect(error.message).toContain('broken pipe');
  });

  it('times out like run()', async () => {
    const error = await (async () => {
      for await (const _ of lines('sleep', ['300'], { timeoutMs: 200 })) {
        // no output expected
      }
    })().catch((e) => e);
    expect(hasCode(error, 'SRE_COMMAND_TIMEOUT')).toBe(true);
  });
});
