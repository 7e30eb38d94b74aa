import { inspect } from 'node:util';
import { expect } from 'vitest';
import { isSecret, type Secret } from '../../src/secrets/index.js';

/**
 * The forms a secret value takes on its way into a log, an error or a file, and so the
 * forms a leak check looks for: as written, URL-encoded (`%20` and form `+` styles),
 * JSON-escaped (once, and twice for JSON logged inside a JSON string), base64 and
 * base64url (padded and not). Base64 is also computed at the two other byte alignments, so
 * a value inside a larger encoded blob (`Basic base64(user:password)`) is found too; those
 * partial forms are only used when at least 8 characters long, to avoid chance matches.
 */
export function leakFormsOf(secret: string): string[] {
  const jsonEscaped = JSON.stringify(secret).slice(1, -1);
  const forms = [
    secret,
    jsonEscaped,
    JSON.stringify(jsonEscaped).slice(1, -1),
    new URLSearchParams([['', secret]]).toString().slice(1),
  ];
  try {
    forms.push(encodeURIComponent(secret));
  } catch {
    // A lone surrogate has no URL encoding, so it cannot leak in that form.
  }
  const bytes = Buffer.from(secret, 'utf8');
  for (const shift of [0, 1, 2]) {
    const padded = Buffer.concat([Buffer.alloc(shift), bytes]);
    for (const encoding of ['base64', 'base64url'] as const) {
      const text = padded.toString(encoding);
      if (shift === 0) forms.push(text, text.replace(/=+$/, ''));
      // Inside a larger blob, characters that mix the value's first byte with the bytes
      // before it, or its last bytes with the bytes after it, differ: only the rest is sure.
      const stable = text.slice([0, 2, 3][shift], Math.floor(padded.length / 3) * 4);
      if (stable.length >= 8) forms.push(stable);
    }
  }
  return [...new Set(forms.filter((form) => form !== ''))];
}

/**
 * Fails the test if any secret, in any form of {@link leakFormsOf}, appears in any of
 * `texts`. A text that is not a string (a logger call, an error, a parsed file) is checked
 * both as `JSON.stringify` and as `util.inspect` output, so an error is checked through its
 * `toJSON()` and through its message, stack, `cause` chain and own properties alike.
 *
 * @param texts what the code under test showed: messages, errors, log records, file contents.
 * @param secrets the values that must not appear; `Secret`s are revealed for the check.
 *
 * @example
 * ```ts
 * const error = await readSecret('API_KEY', options).catch((e: unknown) => e);
 * expectNoSecretIn([error, logger.calls, await readFile(auditPath, 'utf8')], [apiKey]);
 * ```
 */
export function expectNoSecretIn(texts: readonly unknown[], secrets: readonly (string | Secret)[]): void {
  const rendered = texts.flatMap(render);
  secrets.forEach((secret, secretIndex) => {
    const value = isSecret(secret) ? secret.reveal() : secret;
    if (typeof value !== 'string' || value === '') {
      // An empty "secret" is in every text; this is a mistake in the test, not a pass.
      throw new TypeError(`expectNoSecretIn(): secret #${secretIndex} is empty or not a string`);
    }
    for (const form of leakFormsOf(value)) {
      for (const [textIndex, text] of rendered) {
        const at = text.indexOf(form);
        if (at === -1) continue;
        const around = text.slice(Math.max(0, at - 40), at + form.length + 40);
        expect.fail(
          `secret #${secretIndex} leaked in text #${textIndex} as ${JSON.stringify(form)}: …${around}…`,
        );
      }
    }
  });
}

/** The string forms of one text, each tagged with the text's index for the failure message. */
function render(text: unknown, index: number): Array<[number, string]> {
  if (typeof text === 'string') return [[index, text]];
  if (Buffer.isBuffer(text)) return [[index, text.toString('utf8')]];
  const out: Array<[number, string]> = [
    [index, inspect(text, { depth: Number.POSITIVE_INFINITY, showHidden: true })],
  ];
  try {
    const json = JSON.stringify(text);
    if (json !== undefined) out.push([index, json]);
  } catch (error) {
    // BigInt or a cycle: inspect above still shows every value.
    out.push([index, String(error)]);
  }
  return out;
}
