import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isSecret, Secret } from '../../src/secrets/index.js';
import { bundleFixture } from '../helpers/bundle.js';
import { expectNoSecretIn } from '../helpers/leaks.js';
import { repoRoot, startScript } from '../helpers/run-script.js';

const VALUE = 'tok_9f8e7d6c5b4a-s3cr3t/+=';
const MASK = '[REDACTED]';

describe('Secret', () => {
  const secret = new Secret(VALUE);

  it('shows [REDACTED] through String(), template literals and + concatenation', () => {
    const shown = [
      String(secret),
      `${secret}`,
      `token=${secret};`,
      // biome-ignore lint/style/useTemplate: + concatenation is what is tested here
      'token=' + secret,
      // biome-ignore lint/style/useTemplate: + concatenation is what is tested here
      secret + '!',
      [secret].join(),
    ];
    expect(shown).toEqual([MASK, MASK, `token=${MASK};`, `token=${MASK}`, `${MASK}!`, MASK]);
    expect(secret.toString()).toBe(MASK);
    expectNoSecretIn(shown, [VALUE]);
  });

  it('serialises as "[REDACTED]" with JSON.stringify, alone and nested', () => {
    const nested = { user: 'deploy', auth: { token: secret, list: [secret, 1] } };
    expect(JSON.stringify(secret)).toBe(`"${MASK}"`);
    expect(JSON.parse(JSON.stringify(nested))).toEqual({
      user: 'deploy',
      auth: { token: MASK, list: [MASK, 1] },
    });
    expectNoSecretIn([JSON.stringify(nested), JSON.stringify(nested, null, 2)], [VALUE]);
  });

  it('inspects as Secret([REDACTED]), also nested, in a Map, as an error cause and without its custom inspector', () => {
    const shown = [
      inspect(secret),
      inspect({ deep: { deeper: { deepest: [secret] } } }, { depth: Number.POSITIVE_INFINITY }),
      inspect(new Map([['token', secret]])),
      inspect(new Error('login failed', { cause: secret })),
      // Without the custom inspector, the private field stays invisible.
      inspect(secret, { customInspect: false, showHidden: true }),
    ];
    expect(shown[0]).toBe(`Secret(${MASK})`);
    expect(shown[1]).toContain(`Secret(${MASK})`);
    expect(shown[2]).toContain(`Secret(${MASK})`);
    expectNoSecretIn(shown, [VALUE]);
  });

  it('keeps the value out of spreads, keys and structuredClone', () => {
    expect(Object.keys(secret)).toEqual([]);
    expect({ ...secret }).toEqual({});
    expectNoSecretIn([{ ...secret }, structuredClone(secret), Object.getOwnPropertyNames(secret)], [VALUE]);
  });

  it('reveals the value and its length on request', () => {
    expect(secret.reveal()).toBe(VALUE);
    expect(secret.length).toBe(VALUE.length);
    expect(new Secret('').reveal()).toBe('');
  });

  it('compares with equals(): equal, different, different length, and with strings', () => {
    expect(secret.equals(new Secret(VALUE))).toBe(true);
    expect(secret.equals(VALUE)).toBe(true);
    expect(secret.equals(new Secret(`${VALUE.slice(0, -1)}X`))).toBe(false);
    expect(secret.equals(`${VALUE.slice(0, -1)}X`)).toBe(false);
    expect(secret.equals(VALUE.slice(0, 3))).toBe(false);
    expect(secret.equals(`${VALUE}${VALUE}`)).toBe(false);
    expect(secret.equals('')).toBe(false);
    expect(new Secret('').equals('')).toBe(true);
    expect(secret.equals(MASK)).toBe(false);
  });

  it('has a short, stable fingerprint that does not contain the value', () => {
    const fingerprint = secret.fingerprint();
    expect(fingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
    expect(new Secret(VALUE).fingerprint()).toBe(fingerprint);
    expect(secret.fingerprint()).toBe(fingerprint);
    expect(new Secret(`${VALUE}x`).fingerprint()).not.toBe(fingerprint);
    expectNoSecretIn([fingerprint], [VALUE]);
  });

  it('is recognised by isSecret(), and nothing else is', () => {
    expect(isSecret(secret)).toBe(true);
    const lookalikes = [
      undefined,
      null,
      VALUE,
      MASK,
      42,
      {},
      [],
      { reveal: () => VALUE, toString: () => MASK },
      Object.create(Secret.prototype),
      { ...secret },
      structuredClone(secret),
      new String(VALUE),
    ];
    for (const value of lookalikes) expect(isSecret(value), inspect(value)).toBe(false);
  });

  it('throws a TypeError, without the value, for anything but a string', () => {
    const values: unknown[] = [
      12345678,
      undefined,
      null,
      { value: 'abcdefgh' },
      Buffer.from('abcdefgh'),
      secret,
    ];
    for (const value of values) {
      let error: unknown;
      try {
        new Secret(value as string);
      } catch (caught) {
        error = caught;
      }
      expect(error, inspect(value)).toBeInstanceOf(TypeError);
      expect((error as Error).message).toMatch(/new Secret\(value\): expected a string/);
      expectNoSecretIn([error], ['12345678', 'abcdefgh', VALUE]);
    }
  });
});

describe('Secret printed by console.log in a child process', () => {
  let bundle: string;
  beforeAll(async () => {
    bundle = await bundleFixture(`${repoRoot}/src/secrets/secret.ts`);
  });
  afterAll(async () => {
    await rm(bundle, { force: true });
  });

  it('never shows the value, through any console method or format specifier', async () => {
    const code = `
      const { Secret } = await import(process.env.SECRET_MODULE);
      const s = new Secret(process.env.SECRET_VALUE);
      console.log(s);
      console.log({ token: s, nested: [{ s }] });
      console.log('%s|%o|%O|%j|%d|%i', s, s, s, s, s, s);
      console.log(\`\${s}\`, '' + s, String(s));
      console.info(s);
      console.dir(s, { customInspect: false, showHidden: true });
      console.table([{ token: s }]);
      console.error(s, { s });
      console.warn('%o', { s });
      console.log('done');
    `;
    const child = startScript(process.execPath, ['--input-type=module', '-e', code], {
      env: { SECRET_MODULE: pathToFileURL(bundle).href, SECRET_VALUE: VALUE },
    });
    const { exitCode, stdout, stderr } = await child.done(20_000);
    expect(stderr, stdout).not.toMatch(/Error/);
    expect(exitCode).toBe(0);
    expect(stdout).toMatch(/done\n$/);
    expect(stdout).toContain(`Secret(${MASK})`);
    expect(stdout).toContain(`${MASK}|`);
    expect(stderr).toContain(`Secret(${MASK})`);
    expectNoSecretIn([stdout, stderr], [VALUE]);
  });
});
