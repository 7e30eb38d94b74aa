import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import type { Stream } from './producer.js';

/** What a reader saw of a stream. */
export interface StreamCount {
  lines: number;
  bytes: number;
  /** Whether the reader stopped at the deadline before the end. */
  stopped: boolean;
}

/** Reads `stream` to the end or until `performance.now()` passes `deadline`. */
export type Reader = (stream: Stream, deadline: number) => Promise<StreamCount>;

// Every reader does the same work per line: count it and its bytes (the lines are ASCII).
// The deadline is checked every 65,536 lines, or per chunk where there are chunks.
const CHECK_EVERY = 0xffff;

/** Ways to read a child's stdout line by line; each loads its library only when picked. */
export const READERS = {
  'sre-kit lines()': async (): Promise<Reader> => {
    const { lines } = await import('sre-kit/process');
    return async (stream, deadline) => {
      const count = { lines: 0, bytes: 0, stopped: false };
      for await (const line of lines(stream.file, stream.args)) {
        count.lines++;
        count.bytes += line.length + 1;
        if ((count.lines & CHECK_EVERY) === 0 && performance.now() > deadline) {
          count.stopped = true;
          break;
        }
      }
      return count;
    };
  },
  'spawn + split in data handler': async (): Promise<Reader> => splitInDataHandler,
  'spawn + readline (for await)': async (): Promise<Reader> => readlineLoop,
  'execa 9 (for await, buffer: false)': async (): Promise<Reader> => {
    const { execa } = await import('execa');
    return async (stream, deadline) => {
      const count = { lines: 0, bytes: 0, stopped: false };
      const subprocess = execa(stream.file, stream.args, { buffer: false });
      for await (const line of subprocess) {
        count.lines++;
        count.bytes += line.length + 1;
        if ((count.lines & CHECK_EVERY) === 0 && performance.now() > deadline) {
          count.stopped = true;
          break;
        }
      }
      subprocess.kill();
      await subprocess.catch(() => {});
      return count;
    };
  },
  'spawn, bytes only (pipe ceiling)': async (): Promise<Reader> => bytesOnly,
} satisfies Record<string, () => Promise<Reader>>;

/** A reader's name. */
export type ReaderName = keyof typeof READERS;

/** The baseline: split each chunk on '\n' synchronously, one decoded string per line. */
async function splitInDataHandler(stream: Stream, deadline: number): Promise<StreamCount> {
  const count = { lines: 0, bytes: 0, stopped: false };
  const child = spawn(stream.file, stream.args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = once(child, 'close');
  let carry: Buffer | undefined;
  const take = (line: string) => {
    count.lines++;
    count.bytes += line.length + 1;
  };
  child.stdout.on('data', (chunk: Buffer) => {
    let start = 0;
    for (let end = chunk.indexOf(10); end !== -1; end = chunk.indexOf(10, start)) {
      if (carry === undefined) take(chunk.toString('utf8', start, end));
      else take(Buffer.concat([carry, chunk.subarray(start, end)]).toString('utf8'));
      carry = undefined;
      start = end + 1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      carry = carry === undefined ? Buffer.from(rest) : Buffer.concat([carry, rest]);
    }
    if (performance.now() > deadline && !count.stopped) {
      count.stopped = true;
      child.kill();
    }
  });
  await closed;
  if (carry !== undefined && !count.stopped) take(carry.toString('utf8'));
  return count;
}

/** The idiomatic Node way: `readline` over the child's stdout, read with `for await`. */
async function readlineLoop(stream: Stream, deadline: number): Promise<StreamCount> {
  const count = { lines: 0, bytes: 0, stopped: false };
  const child = spawn(stream.file, stream.args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = once(child, 'close');
  for await (const line of createInterface({ input: child.stdout, crlfDelay: Number.POSITIVE_INFINITY })) {
    count.lines++;
    count.bytes += line.length + 1;
    if ((count.lines & CHECK_EVERY) === 0 && performance.now() > deadline) {
      count.stopped = true;
      break;
    }
  }
  child.kill();
  await closed;
  return count;
}

/** How fast the pipe delivers with no line work at all: the ceiling for every reader. */
async function bytesOnly(stream: Stream, deadline: number): Promise<StreamCount> {
  const count = { lines: 0, bytes: 0, stopped: false };
  const child = spawn(stream.file, stream.args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const closed = once(child, 'close');
  child.stdout.on('data', (chunk: Buffer) => {
    count.bytes += chunk.length;
    if (performance.now() > deadline && !count.stopped) {
      count.stopped = true;
      child.kill();
    }
  });
  await closed;
  return count;
}
