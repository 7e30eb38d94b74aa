import { createServer, Socket } from 'node:net';
import pRetry from 'p-retry';
import { describe, expect, it } from 'vitest';
import {
  AbortError,
  CommandError,
  FileError,
  isRetryable,
  LockError,
  SreError,
} from '../../src/errors/index.js';

const errno = (code: string, message = `${code}: something passing`) =>
  Object.assign(new Error(message), { code });

/** A real ECONNRESET: a loopback server that resets the connection as soon as it opens. */
async function connectionReset(): Promise<Error> {
  const server = createServer((socket) => socket.resetAndDestroy());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  try {
    return await new Promise<Error>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no reset within 10 s')), 10_000);
      const client = new Socket();
      client.on('error', (error) => {
        clearTimeout(timer);
        resolve(error);
      });
      client.on('close', () => {
        clearTimeout(timer);
        reject(new Error('closed without an error'));
      });
      client.connect(port, '127.0.0.1');
    });
  } finally {
    await new Promise((resolve) => server.close(resolve));
  }
}

describe('isRetryable', () => {
  it('follows an SreError’s own flag, default or overridden', () => {
    expect(isRetryable(new LockError('SRE_LOCK_TIMEOUT', 'busy'))).toBe(true);
    expect(isRetryable(new LockError('SRE_LOCK_HELD', 'held'))).toBe(false);
    expect(isRetryable(new CommandError('SRE_COMMAND_TIMEOUT', 'slow'))).toBe(true);
    expect(isRetryable(new LockError('SRE_LOCK_TIMEOUT', 'busy', { retryable: false }))).toBe(false);
    expect(isRetryable(new FileError('SRE_FILE_IO', 'hiccup', { retryable: true }))).toBe(true);
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EAI_AGAIN', 'EBUSY', 'EMFILE', 'ECONNREFUSED', 'EPIPE'])(
    'treats errno %s as transient',
    (code) => {
      expect(isRetryable(errno(code))).toBe(true);
    },
  );

  it.each(['ENOENT', 'EACCES', 'ENOTFOUND', 'EISDIR', 'ERR_INVALID_ARG_TYPE'])(
    'does not retry %s',
    (code) => {
      expect(isRetryable(errno(code))).toBe(false);
    },
  );

  it('recognises a real ECONNRESET from a socket', async () => {
    const error = await connectionReset();
    expect((error as NodeJS.ErrnoException).code).toBe('ECONNRESET');
    expect(isRetryable(error)).toBe(true);
  });

  it('looks along the cause chain of plain errors', () => {
    const wrapped = new Error('fetch inventory failed', {
      cause: new Error('request failed', { cause: errno('EAI_AGAIN') }),
    });
    expect(isRetryable(wrapped)).toBe(true);
  });

  it('lets an SreError in the chain decide for what it wraps', () => {
    expect(isRetryable(new Error('x', { cause: new LockError('SRE_LOCK_TIMEOUT', 'busy') }))).toBe(true);
    // A permanent sre-kit error is permanent even if it wraps a transient errno.
    expect(isRetryable(new SreError('SRE_INTERNAL', 'bug', { cause: errno('ECONNRESET') }))).toBe(false);
  });

  it('never retries an abort, whatever it wraps', () => {
    const domAbort = new DOMException('The operation was aborted', 'AbortError');
    expect(isRetryable(domAbort)).toBe(false);
    const signal = AbortSignal.abort();
    expect(isRetryable(signal.reason)).toBe(false);
    expect(
      isRetryable(Object.assign(new Error('aborted'), { name: 'AbortError', cause: errno('ECONNRESET') })),
    ).toBe(false);
    expect(
      isRetryable(new AbortError('SRE_ABORTED', 'Interrupted by SIGINT', { cause: errno('ETIMEDOUT') })),
    ).toBe(false);
    expect(isRetryable(new Error('wrapped', { cause: new AbortError('SRE_ABORTED', 'stop') }))).toBe(false);
  });

  it('is false for non-errors and does not loop on a cycle', () => {
    for (const value of [null, undefined, 'ECONNRESET', 42, {}]) expect(isRetryable(value)).toBe(false);
    const a = new Error('a');
    const b = new Error('b');
    a.cause = b;
    b.cause = a;
    expect(isRetryable(a)).toBe(false);
  });

  it('does not throw on getters that throw', () => {
    const hostile = new Error('x');
    for (const key of ['code', 'cause', 'name']) {
      Object.defineProperty(hostile, key, {
        get() {
          throw new Error('getter');
        },
      });
    }
    expect(isRetryable(hostile)).toBe(false);
  });
});

describe('isRetryable as p-retry’s shouldRetry', () => {
  it('retries transient failures until the work succeeds', async () => {
    const failures = [errno('ECONNRESET'), new LockError('SRE_LOCK_TIMEOUT', 'busy')];
    let attempts = 0;
    const result = await pRetry(
      async () => {
        attempts++;
        const failure = failures.shift();
        if (failure) throw failure;
        return 'inventory';
      },
      { retries: 5, minTimeout: 0, maxTimeout: 0, shouldRetry: ({ error }) => isRetryable(error) },
    );
    expect(result).toBe('inventory');
    expect(attempts).toBe(3);
  });

  it('stops at once on a permanent failure and rejects with it', async () => {
    const permanent = new FileError('SRE_FILE_PERMISSION', 'cannot read /etc/app.json');
    let attempts = 0;
    await expect(
      pRetry(
        async () => {
          attempts++;
          throw permanent;
        },
        { retries: 5, minTimeout: 0, maxTimeout: 0, shouldRetry: ({ error }) => isRetryable(error) },
      ),
    ).rejects.toBe(permanent);
    expect(attempts).toBe(1);
  });

  it('retries fetch network failures (undici codes on the cause) and AbortSignal.timeout deadlines', () => {
    const socket = Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });
    expect(isRetryable(new TypeError('fetch failed', { cause: socket }))).toBe(true);
    expect(isRetryable(new DOMException('The operation was aborted due to timeout', 'TimeoutError'))).toBe(
      true,
    );
  });
});
