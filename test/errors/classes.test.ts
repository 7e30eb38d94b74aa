import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  AbortError,
  CommandError,
  ConfigError,
  createError,
  ERROR_CODES,
  type ErrorFamily,
  ensureError,
  FileError,
  hasCode,
  isSreError,
  LockError,
  RemoteError,
  SecretError,
  SreError,
  type SreErrorCode,
  TimeoutError,
} from '../../src/errors/index.js';

const CLASSES = {
  SreError,
  ConfigError,
  FileError,
  LockError,
  CommandError,
  RemoteError,
  SecretError,
  TimeoutError,
  AbortError,
} satisfies Record<ErrorFamily, unknown>;

const ALL_CODES = Object.keys(ERROR_CODES) as SreErrorCode[];

describe('ERROR_CODES', () => {
  it('gives every code the SRE_ prefix, a family with a class, and a sysexits.h-style exit code', () => {
    for (const code of ALL_CODES) {
      const entry = ERROR_CODES[code];
      expect(code).toMatch(/^SRE_[A-Z_]+$/);
      expect(Object.keys(CLASSES)).toContain(entry.family);
      expect([64, 65, 66, 69, 70, 74, 75, 77, 78, 130]).toContain(entry.exitCode);
    }
  });

  it('has codes for every family the design names', () => {
    const families = new Set(ALL_CODES.map((code) => ERROR_CODES[code].family));
    expect([...families].sort()).toEqual(Object.keys(CLASSES).sort());
    expect(ERROR_CODES).toMatchObject({
      SRE_USAGE: { exitCode: 64 },
      SRE_CONFIG_INVALID: { exitCode: 78 },
      SRE_FILE_NOT_FOUND: { exitCode: 66 },
      SRE_FILE_PERMISSION: { exitCode: 77 },
      SRE_FILE_INVALID_JSON: { exitCode: 65 },
      SRE_LOCK_TIMEOUT: { exitCode: 75, retryable: true },
      SRE_COMMAND_NOT_FOUND: { exitCode: 69 },
      SRE_COMMAND_TIMEOUT: { retryable: true },
      SRE_COMMAND_OUTPUT_TOO_LARGE: { family: 'CommandError' },
      SRE_REMOTE_CONNECT: { retryable: true },
      SRE_REMOTE_AUTH: { exitCode: 77, retryable: false },
      SRE_REMOTE_HOST_KEY_CHANGED: { family: 'RemoteError' },
      SRE_SECRET_INSECURE_PERMISSIONS: { family: 'SecretError' },
      SRE_ROTATION_FAILED: { family: 'SecretError' },
      SRE_TIMEOUT: { retryable: true },
      SRE_INTERNAL: { exitCode: 70 },
    });
  });
});

describe('SreError', () => {
  it('keeps code, message and cause, and takes retryable/exitCode from ERROR_CODES', () => {
    const cause = new Error('EACCES: permission denied');
    const error = new SreError('SRE_INTERNAL', 'queue empty after a successful take', { cause });
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('SreError');
    expect(error.code).toBe('SRE_INTERNAL');
    expect(error.message).toBe('queue empty after a successful take');
    expect(error.cause).toBe(cause);
    expect(error.retryable).toBe(false);
    expect(error.exitCode).toBe(70);
    expect(error.details).toEqual({});
    expect(error.stack).toContain('queue empty after a successful take');
  });

  it('has no cause property unless one is given, but keeps an explicit undefined or null cause', () => {
    expect('cause' in new SreError('SRE_INTERNAL', 'x')).toBe(false);
    expect(Object.hasOwn(new SreError('SRE_INTERNAL', 'x', { cause: undefined }), 'cause')).toBe(true);
    expect(new SreError('SRE_INTERNAL', 'x', { cause: null }).cause).toBeNull();
  });

  it('lets options override retryable and exitCode', () => {
    const error = new LockError('SRE_LOCK_TIMEOUT', 'busy', { retryable: false, exitCode: 1 });
    expect(error.retryable).toBe(false);
    expect(error.exitCode).toBe(1);
    const retryable = new FileError('SRE_FILE_IO', 'disk hiccup', { retryable: true });
    expect(retryable.retryable).toBe(true);
    expect(retryable.exitCode).toBe(74);
  });

  it('copies details into JSON-safe form: bigints, Dates, functions, undefined, cycles, errors, throwing getters', () => {
    const cyclic: Record<string, unknown> = { name: 'loop' };
    cyclic.self = cyclic;
    const withGetter = {};
    Object.defineProperty(withGetter, 'secret', {
      enumerable: true,
      get() {
        throw new Error('vault sealed');
      },
    });
    const details = {
      bytes: 12345678901234567890n,
      at: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      bad: new Date(Number.NaN),
      callback: () => 'never serialised',
      missing: undefined,
      ratio: Number.POSITIVE_INFINITY,
      cyclic,
      list: [1, undefined, () => 1, 2n],
      error: Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }),
      withGetter,
      buffer: Buffer.from('abc'),
    };
    const error = new SreError('SRE_INTERNAL', 'x', { details });
    expect(error.details).toEqual({
      bytes: '12345678901234567890',
      at: '2024-01-02T03:04:05.000Z',
      bad: 'Invalid Date',
      ratio: 'Infinity',
      cyclic: { name: 'loop', self: '[Circular]' },
      list: [1, null, null, '2'],
      error: { name: 'Error', message: 'socket hang up', code: 'ECONNRESET' },
      withGetter: { secret: '[Getter threw: vault sealed]' },
      buffer: '[Buffer 3 bytes]',
    });
    // The copy is what JSON would give back: nothing is lost or changed by a round trip.
    expect(JSON.parse(JSON.stringify(error.details))).toEqual(error.details);
    // Details are a copy: changing the input afterwards does not change the error.
    cyclic.name = 'changed';
    expect(error.details.cyclic).toEqual({ name: 'loop', self: '[Circular]' });
  });

  it('marks a shared (non-cyclic) object twice, not as circular', () => {
    const shared = { host: 'db1' };
    const error = new SreError('SRE_INTERNAL', 'x', { details: { a: shared, b: shared } });
    expect(error.details).toEqual({ a: { host: 'db1' }, b: { host: 'db1' } });
  });

  it('stops at a depth limit instead of recursing without end', () => {
    let deep: Record<string, unknown> = { leaf: true };
    for (let index = 0; index < 50; index++) deep = { next: deep };
    const error = new SreError('SRE_INTERNAL', 'x', { details: { deep } });
    expect(JSON.stringify(error.details)).toContain('[Too deep]');
  });
});

describe('family classes', () => {
  const cases = [
    [ConfigError, 'SRE_CONFIG_INVALID', 78, false],
    [ConfigError, 'SRE_USAGE', 64, false],
    [FileError, 'SRE_FILE_NOT_FOUND', 66, false],
    [LockError, 'SRE_LOCK_TIMEOUT', 75, true],
    [CommandError, 'SRE_COMMAND_TIMEOUT', 75, true],
    [RemoteError, 'SRE_REMOTE_HOST_KEY_CHANGED', 77, false],
    [SecretError, 'SRE_SECRET_INSECURE_PERMISSIONS', 77, false],
    [TimeoutError, 'SRE_TIMEOUT', 75, true],
    [AbortError, 'SRE_ABORTED', 130, false],
  ] as const;

  it.each(cases)('%o with %s: name, code, defaults, cause, details', (Class, code, exitCode, retryable) => {
    const cause = new Error('underlying');
    const error = new (Class as new (code: string, message: string, options?: object) => SreError)(
      code,
      'it failed',
      { cause, details: { id: 7n } },
    );
    expect(error).toBeInstanceOf(Class);
    expect(error).toBeInstanceOf(SreError);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe(Class.name);
    expect(error.code).toBe(code);
    expect(error.message).toBe('it failed');
    expect(error.cause).toBe(cause);
    expect(error.details).toEqual({ id: '7' });
    expect(error.exitCode).toBe(exitCode);
    expect(error.retryable).toBe(retryable);
    expect(isSreError(error)).toBe(true);
    expect(String(error)).toBe(`${Class.name}: it failed`);
  });

  it('only accepts its own family’s codes (type level)', () => {
    // @ts-expect-error a lock code is not a file code
    new FileError('SRE_LOCK_TIMEOUT', 'x');
    // @ts-expect-error not a code at all
    new SreError('SRE_NOT_A_CODE', 'x');
    expectTypeOf<LockError['code']>().toEqualTypeOf<
      'SRE_LOCK_TIMEOUT' | 'SRE_LOCK_HELD' | 'SRE_LOCK_COMPROMISED'
    >();
  });
});

describe('createError', () => {
  it.each(ALL_CODES)('%s gives the class of its family', (code) => {
    const error = createError(code, 'message', { details: { code } });
    const Class = CLASSES[ERROR_CODES[code].family];
    expect(error).toBeInstanceOf(Class);
    expect(error.name).toBe(ERROR_CODES[code].family);
    expect(error.code).toBe(code);
    expect(error.exitCode).toBe(ERROR_CODES[code].exitCode);
    expect(error.retryable).toBe(ERROR_CODES[code].retryable);
  });

  it('is typed as the class of the code', () => {
    expectTypeOf(createError('SRE_LOCK_TIMEOUT', 'x')).toExtend<LockError>();
    expectTypeOf(createError('SRE_LOCK_TIMEOUT', 'x').code).toEqualTypeOf<'SRE_LOCK_TIMEOUT'>();
    expectTypeOf(createError('SRE_FILE_NOT_FOUND', 'x')).toExtend<FileError>();
  });
});

describe('ensureError', () => {
  it('returns Errors unchanged', () => {
    const plain = new RangeError('out of range');
    const sre = new LockError('SRE_LOCK_HELD', 'held');
    expect(ensureError(plain)).toBe(plain);
    expect(ensureError(sre)).toBe(sre);
  });

  it.each([
    [null, 'null'],
    [undefined, 'undefined'],
    ['disk full', '"disk full"'],
    [42, '42'],
    [10n, '10'],
    [{ status: 503, body: 'busy' }, '{"status":503,"body":"busy"}'],
  ])('wraps a thrown %o with an explanation and keeps it as the cause', (value, shown) => {
    const error = ensureError(value);
    expect(isSreError(error)).toBe(true);
    expect(hasCode(error, 'SRE_NON_ERROR_THROWN')).toBe(true);
    expect(error.message).toBe(`A non-Error value was thrown: ${shown}`);
    expect(error.cause).toBe(value);
    expect((error as SreError).exitCode).toBe(70);
  });

  it('keeps the explanation short for a huge thrown string', () => {
    const error = ensureError('x'.repeat(10_000));
    expect(error.message.length).toBeLessThan(300);
  });

  it('survives a thrown object whose getters throw', () => {
    const hostile = {};
    Object.defineProperty(hostile, 'boom', {
      enumerable: true,
      get() {
        throw new Error('no');
      },
    });
    expect(ensureError(hostile).message).toBe('A non-Error value was thrown: {"boom":"[Getter threw: no]"}');
  });
});

describe('isSreError and hasCode', () => {
  it('isSreError accepts every sre-kit error and nothing else', () => {
    expect(isSreError(new LockError('SRE_LOCK_HELD', 'x'))).toBe(true);
    expect(isSreError(new SreError('SRE_INTERNAL', 'x'))).toBe(true);
    for (const value of [
      new Error('x'),
      { code: 'SRE_LOCK_HELD', message: 'x' },
      null,
      undefined,
      'SRE_X',
      1,
    ]) {
      expect(isSreError(value)).toBe(false);
    }
  });

  it('recognises the brand through Symbol.for, not instanceof', () => {
    const foreign = Object.assign(new Error('from another copy'), { code: 'SRE_LOCK_TIMEOUT' });
    Object.defineProperty(foreign, Symbol.for('sre-kit.SreError'), { value: true });
    expect(isSreError(foreign)).toBe(true);
    expect(hasCode(foreign, 'SRE_LOCK_TIMEOUT')).toBe(true);
  });

  it('hasCode checks the code, not just the class', () => {
    const error: unknown = new LockError('SRE_LOCK_TIMEOUT', 'busy');
    expect(hasCode(error, 'SRE_LOCK_TIMEOUT')).toBe(true);
    expect(hasCode(error, 'SRE_LOCK_HELD')).toBe(false);
    expect(hasCode(Object.assign(new Error('x'), { code: 'SRE_LOCK_TIMEOUT' }), 'SRE_LOCK_TIMEOUT')).toBe(
      false,
    );
    expect(hasCode(null, 'SRE_LOCK_TIMEOUT')).toBe(false);
  });

  it('narrow the type', () => {
    const error: unknown = new LockError('SRE_LOCK_TIMEOUT', 'busy', { details: { lockPath: '/x.lock' } });
    if (isSreError(error)) {
      expectTypeOf(error).toEqualTypeOf<SreError>();
      expectTypeOf(error.code).toEqualTypeOf<SreErrorCode>();
    } else {
      expect.unreachable('a LockError is an SreError');
    }
    if (hasCode(error, 'SRE_LOCK_TIMEOUT')) {
      expectTypeOf(error).toExtend<LockError>();
      expectTypeOf(error.code).toEqualTypeOf<'SRE_LOCK_TIMEOUT'>();
      expect(error.details.lockPath).toBe('/x.lock');
    } else {
      expect.unreachable('the code matches');
    }
    const other: unknown = new Error('x');
    if (hasCode(other, 'SRE_REMOTE_AUTH')) {
      expectTypeOf(other).toExtend<RemoteError>();
      expectTypeOf(other).not.toExtend<LockError>();
    }
  });
});
