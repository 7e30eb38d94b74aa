import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ConfigError,
  FileError,
  formatError,
  fromZodError,
  LockError,
  SreError,
} from '../../src/errors/index.js';

async function caught(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a failure');
}

describe('formatError', () => {
  it('renders a chain as `message ← cause ← cause`', () => {
    const error = new Error('deploy failed', {
      cause: new Error('upload failed', { cause: new Error('disk full') }),
    });
    expect(formatError(error)).toBe('deploy failed ← upload failed ← disk full');
  });

  it('shows sre-kit codes, errno codes and error names, each once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sre-kit-format-'));
    try {
      const missing = join(dir, 'app.json');
      const enoent = await caught(() => readFile(missing));
      // Node's own message already starts with the code: it is not repeated.
      expect(enoent.message.startsWith('ENOENT')).toBe(true);
      expect(formatError(enoent)).toBe(`ENOENT: no such file or directory, open '${missing}'`);

      const error = new ConfigError('SRE_CONFIG_INVALID', 'Cannot load config', {
        cause: new FileError('SRE_FILE_NOT_FOUND', `Not found: ${missing}`, { cause: enoent }),
      });
      expect(formatError(error)).toBe(
        `SRE_CONFIG_INVALID: Cannot load config ← SRE_FILE_NOT_FOUND: Not found: ${missing} ← ENOENT: no such file or directory, open '${missing}'`,
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('does not repeat a code the message already starts with', () => {
    expect(formatError(new LockError('SRE_LOCK_HELD', 'SRE_LOCK_HELD: held by pid 7'))).toBe(
      'SRE_LOCK_HELD: held by pid 7',
    );
    expect(formatError(Object.assign(new Error('EBUSY: resource busy'), { code: 'EBUSY' }))).toBe(
      'EBUSY: resource busy',
    );
  });

  it('shows the name of errors other than Error and SreError when there is no code', () => {
    expect(formatError(new TypeError('x is not a function'))).toBe('TypeError: x is not a function');
    expect(formatError(new SreError('SRE_INTERNAL', 'bug'))).toBe('SRE_INTERNAL: bug');
    expect(formatError(new Error('plain'))).toBe('plain');
  });

  it('lists the errors of an AggregateError, each with its own chain', () => {
    const aggregate = new AggregateError(
      [
        new Error('db1 down', {
          cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
        }),
        new LockError('SRE_LOCK_TIMEOUT', 'db2 locked'),
        'db3 threw a string',
      ],
      '3 hosts failed',
    );
    expect(formatError(new Error('collect failed', { cause: aggregate }))).toBe(
      'collect failed ← AggregateError: 3 hosts failed [db1 down ← ECONNREFUSED: connect ECONNREFUSED; ' +
        'SRE_LOCK_TIMEOUT: db2 locked; thrown value "db3 threw a string"]',
    );
  });

  it('names thrown non-Error values', () => {
    expect(formatError(null)).toBe('thrown value null');
    expect(formatError('oops')).toBe('thrown value "oops"');
    expect(formatError(new Error('wrapped', { cause: 42 }))).toBe('wrapped ← thrown value 42');
  });

  it('prints the stack only when asked', () => {
    const error = new Error('outer', { cause: new Error('inner\nsecond line') });
    const short = formatError(error);
    expect(short).not.toMatch(/\n/);
    expect(short).not.toContain(' at ');

    const long = formatError(error, { stack: true });
    const [outer, inner] = long.split('\n\ncaused by: ');
    expect(outer).toMatch(/^outer\n\s+at .*format\.test\.ts/);
    expect(inner).toMatch(/^inner\nsecond line\n\s+at .*format\.test\.ts/);
    // The multi-line message is printed once, not again as the stack's header.
    expect(long.split('second line')).toHaveLength(2);
  });

  it('stops at a cycle', () => {
    const a = new Error('a');
    const b = new Error('b');
    a.cause = b;
    b.cause = a;
    expect(formatError(a)).toBe('a ← b ← [circular cause]');
    expect(formatError(a, { stack: true })).toMatch(/caused by: \[circular cause\]$/);
  });

  it('stops at a cycle inside an AggregateError', () => {
    const aggregate = new AggregateError([], 'many');
    aggregate.errors.push(new Error('inner', { cause: aggregate }));
    expect(formatError(aggregate)).toBe('AggregateError: many [inner ← [circular cause]]');
  });

  it('does not take a cause shared by two aggregated errors for a cycle', () => {
    const shared = new Error('network down');
    const aggregate = new AggregateError(
      [new Error('db1', { cause: shared }), new Error('db2', { cause: shared })],
      'both failed',
    );
    expect(formatError(aggregate)).toBe(
      'AggregateError: both failed [db1 ← network down; db2 ← network down]',
    );
  });

  it('caps a very long chain', () => {
    let error = new Error('root');
    for (let index = 0; index < 100; index++) error = new Error(`level ${index}`, { cause: error });
    expect(formatError(error).split(' ← ').length).toBeLessThanOrEqual(16);
  });

  it('does not throw when getters throw', () => {
    const hostile = new Error('hidden');
    Object.defineProperty(hostile, 'message', {
      get() {
        throw new Error('x');
      },
    });
    Object.defineProperty(hostile, 'cause', {
      get() {
        throw new Error('y');
      },
    });
    expect(formatError(new Error('top', { cause: hostile }))).toMatch(/^top ← \[unreadable: x\]/);
  });

  it('leaves out a ZodError cause on one line, since fromZodError already named its issues', () => {
    const result = z.object({ port: z.number(), host: z.string() }).safeParse({ port: 'x' });
    if (result.success) throw new Error('expected a failure');
    const error = fromZodError(result.error, { source: 'app.json' });
    expect(formatError(error)).toBe(
      'SRE_CONFIG_INVALID: Invalid app.json: port: expected number, received string; host: required, expected string',
    );
    // With stacks (DEBUG), the ZodError and its full message are shown.
    expect(formatError(error, { stack: true })).toMatch(/caused by: ZodError: \[[\s\S]*"invalid_type"/);
    // A ZodError formatted by itself stays on one line instead of printing its issues as JSON.
    expect(formatError(result.error)).toBe('ZodError: 2 validation issues');
  });

  it('leaves out a cause whose message the link above already contains, but goes on past it', () => {
    const root = Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
    const inner = new Error("Unknown option '--bogus'", { cause: root });
    const outer = new Error("Unknown option '--bogus' (see --help)", { cause: inner });
    expect(formatError(outer)).toBe("Unknown option '--bogus' (see --help) ← EACCES: permission denied");
    expect(formatError(outer, { stack: true })).toContain("caused by: Unknown option '--bogus'");
  });
});
