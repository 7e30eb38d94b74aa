import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import {
  ConfigError,
  FileError,
  formatError,
  hasCode,
  isSreError,
  LockError,
  RemoteError,
  type SerializedError,
  SreError,
} from '../../src/errors/index.js';

/** What a process on the other side of a queue or a log file would get. */
const throughJson = (error: SreError): SerializedError => JSON.parse(JSON.stringify(error));

/** Follows `cause` links, failing the test if one is missing. */
function causeOf(error: unknown): unknown {
  expect(error).toBeInstanceOf(Error);
  expect(Object.hasOwn(error as Error, 'cause')).toBe(true);
  return (error as Error).cause;
}

async function enoent(): Promise<NodeJS.ErrnoException> {
  try {
    await readFile('/nonexistent/sre-kit/config.json');
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('the file unexpectedly exists');
}

describe('toJSON / SreError.fromJSON', () => {
  it('round-trips a whole chain: SreError → errno Error → AggregateError of errors → thrown string', async () => {
    const errno = await enoent();
    const aggregate = new AggregateError(
      [
        new RemoteError('SRE_REMOTE_AUTH', 'db1: every key was rejected', { details: { host: 'db1' } }),
        Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:22'), { code: 'ECONNREFUSED' }),
        'db3 threw a string',
      ],
      'collect failed on 3 hosts',
      { cause: 'the original thrown string' },
    );
    errno.cause = aggregate;
    const top = new LockError('SRE_LOCK_TIMEOUT', 'Could not lock state.json within 5000 ms', {
      cause: errno,
      details: { lockPath: '/srv/state.json.lock', waitedMs: 5000, pid: 4242n },
      retryable: false,
    });

    const json = throughJson(top);
    expect(json).toMatchObject({
      kind: 'sre',
      name: 'LockError',
      code: 'SRE_LOCK_TIMEOUT',
      retryable: false,
      exitCode: 75,
      details: { lockPath: '/srv/state.json.lock', waitedMs: 5000, pid: '4242' },
      cause: {
        kind: 'error',
        code: 'ENOENT',
        cause: {
          kind: 'aggregate',
          name: 'AggregateError',
          errors: [
            { kind: 'sre', code: 'SRE_REMOTE_AUTH', details: { host: 'db1' } },
            { kind: 'error', code: 'ECONNREFUSED' },
            { kind: 'value', message: '"db3 threw a string"' },
          ],
          cause: { kind: 'value', message: '"the original thrown string"' },
        },
      },
    });

    const back = SreError.fromJSON(json);
    expect(back).toBeInstanceOf(LockError);
    expect(hasCode(back, 'SRE_LOCK_TIMEOUT')).toBe(true);
    const lock = back as LockError;
    expect(lock.message).toBe(top.message);
    expect(lock.name).toBe('LockError');
    expect(lock.retryable).toBe(false); // the override survives, not the code's default
    expect(lock.exitCode).toBe(75);
    expect(lock.details).toEqual({ lockPath: '/srv/state.json.lock', waitedMs: 5000, pid: '4242' });
    expect(lock.stack).toBe(top.stack);

    const backErrno = causeOf(lock) as NodeJS.ErrnoException;
    expect(isSreError(backErrno)).toBe(false);
    expect(backErrno.message).toBe(errno.message);
    expect(backErrno.code).toBe('ENOENT');

    const backAggregate = causeOf(backErrno) as AggregateError;
    expect(backAggregate).toBeInstanceOf(AggregateError);
    expect(backAggregate.message).toBe('collect failed on 3 hosts');
    expect(backAggregate.errors).toHaveLength(3);
    const [auth, refused, thrown] = backAggregate.errors as [Error, NodeJS.ErrnoException, Error];
    expect(auth).toBeInstanceOf(RemoteError);
    expect((auth as RemoteError).details).toEqual({ host: 'db1' });
    expect(refused.code).toBe('ECONNREFUSED');
    expect(thrown.message).toContain('db3 threw a string');

    const root = causeOf(backAggregate) as Error;
    expect(root).toBeInstanceOf(Error);
    expect(root.message).toContain('the original thrown string');
    expect(Object.hasOwn(root, 'cause')).toBe(false);

    // The revived chain reads the same to a human as the original.
    expect(formatError(back)).toMatch(
      /^SRE_LOCK_TIMEOUT: Could not lock state\.json within 5000 ms ← ENOENT: no such file or directory, open '\/nonexistent\/sre-kit\/config\.json' ← AggregateError: collect failed on 3 hosts \[SRE_REMOTE_AUTH: db1: every key was rejected; ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:22; .*db3 threw a string.*\] ← .*the original thrown string/,
    );
  });

  it('gives the same JSON again when a revived error is serialised (for sre-kit and plain links)', () => {
    const original = new ConfigError('SRE_CONFIG_INVALID', 'bad port', {
      cause: Object.assign(new Error('read EIO'), { code: 'EIO' }),
      details: { path: '/etc/app.json' },
    });
    const once = throughJson(original);
    const twice = throughJson(SreError.fromJSON(once) as SreError);
    expect(twice).toEqual(once);
  });

  it('terminates on a cycle (a.cause = b; b.cause = a)', () => {
    const a = new Error('a');
    const b = new Error('b');
    a.cause = b;
    b.cause = a;
    const top = new SreError('SRE_INTERNAL', 'top', { cause: a });
    const json = throughJson(top);
    expect(json.cause?.message).toBe('a');
    expect(json.cause?.cause?.message).toBe('b');
    expect(json.cause?.cause?.cause).toMatchObject({ kind: 'value', name: 'Circular' });
    expect(json.cause?.cause?.cause?.cause).toBeUndefined();

    const back = SreError.fromJSON(json);
    const backB = causeOf(causeOf(back));
    expect((backB as Error).message).toBe('b');
    expect((causeOf(backB) as Error).name).toBe('Circular');
  });

  it('terminates on an SreError that is its own cause, and on a cycle through an AggregateError', () => {
    const self = new SreError('SRE_INTERNAL', 'me');
    Object.defineProperty(self, 'cause', { value: self });
    expect(throughJson(self).cause).toMatchObject({ name: 'Circular' });

    const aggregate = new AggregateError([], 'many');
    const inner = new Error('inner', { cause: aggregate });
    aggregate.errors.push(inner);
    const top = new SreError('SRE_INTERNAL', 'top', { cause: aggregate });
    const json = throughJson(top);
    expect(json.cause?.errors?.[0]?.message).toBe('inner');
    expect(json.cause?.errors?.[0]?.cause).toMatchObject({ name: 'Circular' });
  });

  it('caps a very long (non-cyclic) chain', () => {
    let error: Error = new Error('root');
    for (let index = 0; index < 200; index++) error = new Error(`level ${index}`, { cause: error });
    const json = throughJson(new SreError('SRE_INTERNAL', 'top', { cause: error }));
    let depth = 0;
    for (let link: SerializedError | undefined = json; link; link = link.cause) depth++;
    expect(depth).toBeLessThan(64);
  });

  it('does not throw on getters that throw, on message and on cause', () => {
    const hostile = new Error('hidden');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('x');
      },
    });
    Object.defineProperty(hostile, 'cause', {
      get() {
        throw new Error('cause getter exploded');
      },
    });
    Object.defineProperty(hostile, 'code', {
      get() {
        throw new Error('code getter exploded');
      },
    });
    const top = new FileError('SRE_FILE_IO', 'write failed', { cause: hostile });

    const json = throughJson(top);
    expect(json.cause?.message).toBe('[unreadable: x]');
    expect(json.cause?.code).toBeUndefined();
    expect(json.cause?.cause?.message).toContain('cause getter exploded');

    const back = SreError.fromJSON(json);
    expect(back).toBeInstanceOf(FileError);
    expect((causeOf(back) as Error).message).toBe('[unreadable: x]');
    expect(() => formatError(top)).not.toThrow();
    expect(formatError(top)).toMatch(/^SRE_FILE_IO: write failed ← \[unreadable: x\]/);
  });

  it('does not throw on an error whose name and stack getters throw', () => {
    const hostile = new Error('m');
    // 'stack' first: defining it makes V8 format the stack, which reads 'name'.
    for (const key of ['stack', 'name']) {
      Object.defineProperty(hostile, key, {
        get() {
          throw new Error(`${key} getter`);
        },
      });
    }
    const json = throughJson(new SreError('SRE_INTERNAL', 'top', { cause: hostile }));
    expect(json.cause).toMatchObject({ kind: 'error', name: '[unreadable: name getter]', message: 'm' });
    expect(json.cause?.stack).toBeUndefined();
  });

  it('serialises thrown non-Errors as causes: null, undefined, numbers, objects', () => {
    for (const [value, message] of [
      [null, 'null'],
      [undefined, 'undefined'],
      [404, '404'],
      [{ status: 'busy' }, '{"status":"busy"}'],
    ] as const) {
      const json = throughJson(new SreError('SRE_INTERNAL', 'top', { cause: value }));
      expect(json.cause).toEqual({ kind: 'value', name: 'NonError', message });
      expect((causeOf(SreError.fromJSON(json)) as Error).message).toBe(message);
    }
  });

  it('keeps a code this version does not know (from a newer version), with its flags', () => {
    const json: SerializedError = {
      kind: 'sre',
      name: 'QuotaError',
      message: 'over quota',
      code: 'SRE_QUOTA_EXCEEDED',
      retryable: true,
      exitCode: 75,
      details: { quota: 100 },
      cause: { kind: 'error', name: 'Error', message: 'HTTP 429' },
    };
    const back = SreError.fromJSON(JSON.parse(JSON.stringify(json)));
    expect(isSreError(back)).toBe(true);
    const error = back as SreError;
    expect(error).toBeInstanceOf(SreError);
    expect(error.code as string).toBe('SRE_QUOTA_EXCEEDED');
    expect(error.name).toBe('QuotaError');
    expect(error.retryable).toBe(true);
    expect(error.exitCode).toBe(75);
    expect(error.details).toEqual({ quota: 100 });
    expect((causeOf(error) as Error).message).toBe('HTTP 429');
    // And it serialises back to what it was read from.
    expect(throughJson(error)).toMatchObject(json);
  });

  it('keeps the name of a plain error subclass and of AggregateError', () => {
    const json = throughJson(new SreError('SRE_INTERNAL', 'top', { cause: new RangeError('too far') }));
    expect(json.cause).toMatchObject({ kind: 'error', name: 'RangeError' });
    expect((causeOf(SreError.fromJSON(json)) as Error).name).toBe('RangeError');
  });
});
