import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CREDENTIAL_PATTERNS, createRedactor, redact, Secret } from '../../src/secrets/index.js';
import { expectNoSecretIn } from '../helpers/leaks.js';

const MASK = '[REDACTED]';

describe('redact() of given values', () => {
  it('masks a value as written, every time it occurs', () => {
    expect(redact('login admin:hunter22 ok', ['hunter22'])).toBe(`login admin:${MASK} ok`);
    expect(redact('hunter22 hunter22hunter22 x hunter22', ['hunter22'])).toBe(`${MASK} ${MASK} x ${MASK}`);
  });

  it('masks the URL-encoded, base64, JSON-escaped and shell-single-quoted forms', () => {
    const value = `p@ss w/rd"it's\\ok`;
    const texts = {
      url: `https://db.internal/?password=${encodeURIComponent(value)}&x=1`,
      base64: `Authorization: Basic ${Buffer.from(value).toString('base64')}`,
      base64Unpadded: `token=${Buffer.from(value).toString('base64').replace(/=+$/, '')};`,
      json: JSON.stringify({ password: value, other: 1 }),
      shell: `mysql -p'${value.replace(/'/g, `'\\''`)}' app`,
    };
    const redacted = Object.fromEntries(
      Object.entries(texts).map(([form, text]) => [form, redact(text, [value])]),
    );
    expect(redacted).toEqual({
      url: `https://db.internal/?password=${MASK}&x=1`,
      base64: `Authorization: Basic ${MASK}`,
      base64Unpadded: `token=${MASK};`,
      json: `{"password":"${MASK}","other":1}`,
      shell: `mysql -p'${MASK}' app`,
    });
    expectNoSecretIn(Object.values(redacted), [value]);
  });

  it('masks overlapping and repeated occurrences as one span', () => {
    expect(redact('xabcabcabcax', ['abcabc', 'cabca'])).toBe(`x${MASK}x`);
    expect(redact('aaaaa', ['aa'])).toBe(MASK);
    expect(redact('ab-abab-b', ['ab', 'bab'])).toBe(`${MASK}-${MASK}-b`);
    // A longer secret that contains a shorter one is masked whole.
    expect(redact('key=abcdef;', ['abc', 'abcdef'])).toBe(`key=${MASK};`);
  });

  it('accepts Secrets, skips undefined and empty values, and can use another mask', () => {
    const secrets = [new Secret('hunter22'), undefined, '', 'swordfish'];
    expect(redact('a hunter22 b swordfish c', secrets)).toBe(`a ${MASK} b ${MASK} c`);
    expect(redact('a hunter22 b', secrets, { mask: '***' })).toBe('a *** b');
    expect(redact('nothing to see', [])).toBe('nothing to see');
    expect(createRedactor([]).isEmpty).toBe(true);
    expect(createRedactor(['', undefined]).isEmpty).toBe(true);
    expect(createRedactor(['x']).isEmpty).toBe(false);
    expect(createRedactor([], { patterns: true }).isEmpty).toBe(false);
  });

  it('does not mask the base64 form of a value shorter than 6 characters (too likely to match by chance)', () => {
    const short = Buffer.from('abc').toString('base64');
    expect(redact(`${short} abc`, ['abc'])).toBe(`${short} ${MASK}`);
  });

  it('never leaves a secret formed by the mask and the text next to it', () => {
    // Each secret begins with the end of the mask: masking one occurrence forms the next.
    expect(redact(']aaaaaa', [']a'])).not.toContain(']a');
    const text = redact('E[RE', ['E[R', 'D]E']);
    expect(text).not.toContain('E[R');
    expect(text).not.toContain('D]E');
  });

  it('masks a value that is not well-formed UTF-16 instead of throwing', () => {
    const broken = 'abc\uD800def';
    expect(redact(`x ${broken} y`, [broken])).toBe(`x ${MASK} y`);
  });

  it('builds its needles once, so a redactor can be reused', () => {
    const redactor = createRedactor(['hunter22']);
    expect(redactor.redact('hunter22')).toBe(MASK);
    expect(redactor.redact('x hunter22 y')).toBe(`x ${MASK} y`);
  });
});

describe('redact() with patterns', () => {
  const masked = (text: string) => createRedactor([], { patterns: true }).redact(text);

  it('masks AWS access key ids', () => {
    expect(masked('key AKIAIOSFODNN7EXAMPLE used')).toBe(`key ${MASK} used`);
    expect(masked('ASIAY34FZKBOKMUTVV7A,')).toBe(`${MASK},`);
    // Too short, too long or lower case: not an access key id.
    expect(masked('AKIAIOSFODNN7EXAMPL AKIAIOSFODNN7EXAMPLEX akiaiosfodnn7example')).toBe(
      'AKIAIOSFODNN7EXAMPL AKIAIOSFODNN7EXAMPLEX akiaiosfodnn7example',
    );
  });

  it('masks bearer tokens and keeps the scheme', () => {
    expect(masked('Authorization: Bearer eyJhbGciOi.eyJzdWIi.SflKxw-_w== next')).toBe(
      `Authorization: Bearer ${MASK} next`,
    );
  });

  it('masks a multi-line PEM private key block, of any key type, and nothing around it', () => {
    const body = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n';
    for (const type of ['PRIVATE KEY', 'RSA PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']) {
      const text = `key:\n-----BEGIN ${type}-----\n${body}-----END ${type}-----\nafter`;
      expect(masked(text)).toBe(`key:\n${MASK}\nafter`);
    }
    const two = `-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\nmid\n-----BEGIN PRIVATE KEY-----\nBBBB\n-----END PRIVATE KEY-----`;
    expect(masked(two)).toBe(`${MASK}\nmid\n${MASK}`);
    // A public key or certificate is not a secret.
    const cert = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(masked(cert)).toBe(cert);
  });

  it('masks a PEM private key block cut short (bounded output) to the end of the text', () => {
    expect(masked('stderr: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nBKcw')).toBe(
      `stderr: ${MASK}`,
    );
  });

  it('masks the password in a URL and keeps the user and host', () => {
    expect(masked('cloning https://deploy:hunter22@git.internal/repo.git')).toBe(
      `cloning https://deploy:${MASK}@git.internal/repo.git`,
    );
    expect(masked('postgres://app:p%40ss@db:5432/app?sslmode=require')).toBe(
      `postgres://app:${MASK}@db:5432/app?sslmode=require`,
    );
    expect(masked('redis://:s3cret@cache:6379')).toBe(`redis://:${MASK}@cache:6379`);
  });

  it('masks --password=x, --token x and friends', () => {
    expect(masked('mysql --password=hunter22 app')).toBe(`mysql --password=${MASK} app`);
    expect(masked('cli --token abc123 --verbose')).toBe(`cli --token ${MASK} --verbose`);
    expect(masked('cli --api-key=k1 --client_secret=k2 -secret k3')).toBe(
      `cli --api-key=${MASK} --client_secret=${MASK} -secret ${MASK}`,
    );
  });

  it('masks a shell-quoted flag value whole, as run() shows an argument with spaces or quotes', () => {
    expect(masked(`mysql --password 'hunter2!' app`)).toBe(`mysql --password ${MASK} app`);
    expect(masked(`mysql --password 'it'\\''s a secret' app`)).toBe(`mysql --password ${MASK} app`);
    expect(masked('cli --token "two words" --verbose')).toBe(`cli --token ${MASK} --verbose`);
    expect(masked(`cli --token='a b' x`)).toBe(`cli --token=${MASK} x`);
  });

  it('masks password=x in logfmt, query strings and JSON', () => {
    expect(masked('level=info user=bob password=hunter22 msg=ok')).toBe(
      `level=info user=bob password=${MASK} msg=ok`,
    );
    expect(masked('GET /login?user=bob&password=hunter22&next=/ HTTP/1.1')).toBe(
      `GET /login?user=bob&password=${MASK}&next=/ HTTP/1.1`,
    );
    expect(masked('{"user":"bob","api_key": "k-123","n":1}')).toBe(
      `{"user":"bob","api_key": "${MASK}","n":1}`,
    );
    expect(masked('TOKEN=abc; SECRET: xyz')).toBe(`TOKEN=${MASK}; SECRET: ${MASK}`);
  });

  it('leaves ordinary text alone', () => {
    const ordinary = [
      'Please reset your password before Monday.',
      'the passwords and tokens were rotated',
      'see https://example.com:8443/docs/password-policy?x=1#token',
      'mailto:ops@example.com and ssh deploy@host',
      'git@github.com:org/repo.git',
      'uploaded 3 files in 2.5s (AKIA is the prefix of access key ids)',
      'bearer tokens are described in RFC 6750',
      'time=2024-01-01T00:00:00Z level=warn msg="secret rotation due"',
    ];
    for (const text of ordinary) expect(masked(text)).toBe(text);
  });

  it('masks both given values and patterns in one text', () => {
    const redactor = createRedactor([new Secret('s3cr3t-value')], { patterns: true });
    expect(redactor.redact('v=s3cr3t-value key=AKIAIOSFODNN7EXAMPLE')).toBe(`v=${MASK} key=${MASK}`);
  });

  it('uses only the given patterns when patterns is an array, each applied to every match', () => {
    const redactor = createRedactor([], { patterns: [/sk_live_\w+/, /(id=)\d+/g] });
    expect(redactor.redact('sk_live_abc and sk_live_def id=42 id=43 --token x')).toBe(
      `${MASK} and ${MASK} id=${MASK} id=${MASK} --token x`,
    );
  });

  it('exports patterns that are all global and frozen', () => {
    expect(Object.isFrozen(CREDENTIAL_PATTERNS)).toBe(true);
    for (const pattern of CREDENTIAL_PATTERNS) expect(pattern.global, String(pattern)).toBe(true);
  });
});

describe('redact() property', () => {
  /**
   * A text made of secrets (whole, repeated, adjacent, cut so that they overlap their
   * neighbours) and filler. Secrets that are part of the mask itself are left out: no
   * replacement can remove `RED` from `[REDACTED]`.
   */
  const caseOf = (unit: fc.Arbitrary<string> | 'grapheme' | 'binary') => {
    const piece = fc.string({ unit, minLength: 1, maxLength: 8 });
    return fc
      .record({
        secrets: fc.uniqueArray(
          piece.filter((secret) => !MASK.includes(secret)),
          { minLength: 1, maxLength: 4 },
        ),
        parts: fc.array(
          fc.oneof(
            fc.record({ secret: fc.nat(), cut: fc.nat(), repeat: fc.integer({ min: 1, max: 3 }) }),
            fc.string({ unit, maxLength: 6 }),
          ),
          { maxLength: 16 },
        ),
      })
      .map(({ secrets, parts }) => {
        const text = parts
          .map((part) => {
            if (typeof part === 'string') return part;
            const secret = secrets[part.secret % secrets.length]!;
            // Dropping the first `cut` characters of a repeat makes it overlap the previous one.
            const cut = part.cut % secret.length;
            return secret + secret.slice(cut).repeat(part.repeat - 1);
          })
          .join('');
        return { secrets, text };
      });
  };
  // Few characters, several of them the mask's, so that overlaps and masks that form a
  // secret with their neighbours are common.
  const smallAlphabet = fc.constantFrom('a', 'b', 'c', '[', ']', 'R', 'E', 'D', 'A', 'T', '%', '"', "'");

  for (const [name, unit] of [
    ['a small alphabet that shares characters with the mask', smallAlphabet],
    ['any printable ASCII', 'grapheme'],
    ['any Unicode code point', 'binary'],
  ] as const) {
    it(`leaves no secret in a text of secrets and filler: ${name}`, () => {
      fc.assert(
        fc.property(caseOf(unit), ({ secrets, text }) => {
          const out = redact(text, secrets);
          for (const secret of secrets) expect(out).not.toContain(secret);
        }),
        { numRuns: unit === 'binary' ? 500 : 2000 },
      );
    });
  }

  it('leaves a text that holds none of the secrets unchanged', () => {
    fc.assert(
      fc.property(
        caseOf(smallAlphabet),
        fc.string({ unit: smallAlphabet, maxLength: 40 }),
        ({ secrets }, text) => {
          fc.pre(secrets.every((secret) => !text.includes(secret)));
          expect(redact(text, secrets)).toBe(text);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
