import { describe, expect, it } from 'vitest';
import { type ZodError, z } from 'zod';
import { ConfigError, formatPath, fromZodError, hasCode } from '../../src/errors/index.js';

const Inventory = z.object({
  hosts: z.array(
    z.object({
      name: z.string(),
      port: z.number().int().min(1).max(65535),
      role: z.enum(['db', 'web']).optional(),
    }),
  ),
});

const input = {
  hosts: [
    { name: 'db1', port: 22 },
    { name: 'db2', port: 22 },
    { name: 'web1', port: 22 },
    { name: 'web2', port: '22a' },
    { port: 70000, role: 'cache' },
  ],
};

function zodError(schema: z.ZodType, value: unknown, reportInput = false): ZodError {
  const result = schema.safeParse(value, { reportInput });
  if (result.success) throw new Error('expected the value to fail validation');
  return result.error;
}

describe('fromZodError', () => {
  it('names each bad path with expected and received when given the input', () => {
    const error = fromZodError(zodError(Inventory, input), { source: 'hosts.yaml', input });
    expect(error).toBeInstanceOf(ConfigError);
    expect(hasCode(error, 'SRE_CONFIG_INVALID')).toBe(true);
    expect(error.exitCode).toBe(78);
    expect(error.message).toBe(
      'Invalid hosts.yaml: hosts[3].port: expected number, received "22a"; ' +
        'hosts[4].name: required, expected string; ' +
        'hosts[4].port: Too big: expected number to be <=65535; ' +
        'hosts[4].role: Invalid option: expected one of "db"|"web"',
    );
  });

  it('shows the received value from zod’s reportInput', () => {
    const error = fromZodError(zodError(Inventory, input, true), { source: 'hosts.yaml' });
    expect(error.message).toContain('hosts[3].port: expected number, received "22a"');
    expect(error.message).toContain('hosts[4].name: required, expected string');
  });

  it('without the input still says what type was received, and that a missing key is required', () => {
    const error = fromZodError(zodError(Inventory, input));
    expect(error.message).toMatch(/^Invalid input: /);
    expect(error.message).toContain('hosts[3].port: expected number, received string');
    expect(error.message).toContain('hosts[4].name: required, expected string');
    expect(error.message).not.toContain('hosts[3].port: required');
  });

  it('describes received values of each kind', () => {
    const Schema = z.object({ a: z.string(), b: z.string(), c: z.string(), d: z.string(), e: z.number() });
    const value = { a: null, b: [1], c: { x: 1 }, d: 42, e: 'y'.repeat(100) };
    const message = fromZodError(zodError(Schema, value), { input: value }).message;
    expect(message).toContain('a: expected string, received null');
    expect(message).toContain('b: expected string, received an array');
    expect(message).toContain('c: expected string, received an object');
    expect(message).toContain('d: expected string, received number 42');
    expect(message).toMatch(/e: expected number, received "y{40}…"/);
  });

  it('lists { path, message } of every issue in details.issues, with the source', () => {
    const error = fromZodError(zodError(Inventory, input), { source: 'hosts.yaml', input });
    expect(error.details).toEqual({
      source: 'hosts.yaml',
      issues: [
        { path: 'hosts[3].port', message: 'expected number, received "22a"' },
        { path: 'hosts[4].name', message: 'required, expected string' },
        { path: 'hosts[4].port', message: 'Too big: expected number to be <=65535' },
        { path: 'hosts[4].role', message: 'Invalid option: expected one of "db"|"web"' },
      ],
    });
    expect(JSON.parse(JSON.stringify(error.details))).toEqual(error.details);
  });

  it('keeps the ZodError as the cause', () => {
    const cause = zodError(Inventory, input);
    const error = fromZodError(cause);
    expect(error.cause).toBe(cause);
    expect(error.toJSON().cause).toMatchObject({ kind: 'error', name: 'ZodError' });
  });

  it('names the root, and takes another ConfigError code', () => {
    const error = fromZodError(zodError(Inventory, null), {
      source: '--inventory',
      code: 'SRE_USAGE',
      input: null,
    });
    expect(error.message).toBe('Invalid --inventory: (root): expected object, received null');
    expect(error.code).toBe('SRE_USAGE');
    expect(error.exitCode).toBe(64);
  });

  it('shows ten issues and counts the rest', () => {
    const value = Array.from({ length: 15 }, (_, index) => `h${index}`);
    const error = fromZodError(zodError(z.array(z.number()), value), { input: value });
    expect(error.message).toContain('[9]: expected number, received "h9"; and 5 more');
    expect(error.message).not.toContain('[10]');
    expect(error.details.issues).toHaveLength(15);
  });

  it('reports unknown keys of a strict object', () => {
    const Strict = z.strictObject({ port: z.number() });
    expect(fromZodError(zodError(Strict, { port: 1, prot: 2 })).message).toBe(
      'Invalid input: (root): Unrecognized key: "prot"',
    );
  });
});

describe('formatPath', () => {
  it.each([
    [[], '(root)'],
    [['hosts', 3, 'port'], 'hosts[3].port'],
    [[0, 'name'], '[0].name'],
    [['labels', 'app.kubernetes.io/name'], 'labels["app.kubernetes.io/name"]'],
    [['x-forwarded-for'], 'x-forwarded-for'],
    [['a', Symbol('s')], 'a["Symbol(s)"]'],
  ] as [PropertyKey[], string][])('%o → %s', (path, shown) => {
    expect(formatPath(path)).toBe(shown);
  });
});
