import { isSecret, type Secret } from './secret.js';

/** Options of {@link createRedactor}. */
export interface RedactorOptions {
  /**
   * Also mask common credential shapes whatever their value: passwords in URLs,
   * `--password=…`-style flags, `Authorization: Bearer …`, AWS access key ids and PEM
   * private key blocks. `true` uses {@link CREDENTIAL_PATTERNS}; an array uses those.
   * @default false
   */
  patterns?: boolean | readonly RegExp[];
  /**
   * The text that replaces a secret.
   * @default '[REDACTED]'
   */
  mask?: string;
}

/** Masks secrets in text; made by {@link createRedactor}. */
export interface Redactor {
  /** Returns `text` with every occurrence of every secret masked. */
  redact(text: string): string;
  /** Whether there is nothing to mask (no values and no patterns). */
  readonly isEmpty: boolean;
}

/**
 * Credential shapes masked when `patterns: true`. Each pattern's first group, if any, is
 * kept (the `password=` before a value), the rest of the match is masked.
 */
export const CREDENTIAL_PATTERNS: readonly RegExp[] = Object.freeze([
  /([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)[^\s@/]+(?=@)/gi,
  /(--?(?:password|passwd|pass|token|secret|api[-_]?key|access[-_]?key|client[-_]?secret)[=\s]+)[^\s'"]+/gi,
  /((?:password|passwd|token|secret|api[-_]?key)["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi,
  /(\bBearer\s+)[A-Za-z0-9._~+/-]+=*/g,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
]);

/**
 * Builds a redactor for a set of secrets. Each value is masked as written and in the forms
 * it takes when it travels: URL-encoded, base64, JSON-escaped and inside a single-quoted
 * shell word. Overlapping and repeated occurrences are all masked.
 *
 * @example
 * ```ts
 * import { createRedactor } from 'sre-kit/secrets';
 *
 * const redactor = createRedactor([dbPassword], { patterns: true });
 * logger.info({ url: redactor.redact(connectionUrl) }, 'connecting');
 * ```
 */
export function createRedactor(
  secrets: Iterable<string | Secret | undefined>,
  options: RedactorOptions = {},
): Redactor {
  const mask = options.mask ?? '[REDACTED]';
  const needles = new Set<string>();
  for (const secret of secrets) {
    const value = isSecret(secret) ? secret.reveal() : secret;
    if (typeof value !== 'string' || value === '') continue;
    for (const form of formsOf(value)) needles.add(form);
  }
  const sorted = [...needles].sort((a, b) => b.length - a.length);
  const patterns = options.patterns === true ? CREDENTIAL_PATTERNS : options.patterns || [];
  const maskValues = (text: string): string => {
    // A mask placed next to the remaining text can form a secret again (a secret that
    // shares characters with the mask); a few passes settle it.
    let out = text;
    for (let pass = 0; pass < 3; pass++) {
      const next = maskRanges(out, sorted, mask);
      if (next === out) break;
      out = next;
    }
    return out;
  };
  return {
    isEmpty: sorted.length === 0 && patterns.length === 0,
    redact(text: string): string {
      let out = sorted.length > 0 ? maskValues(text) : text;
      for (const pattern of patterns) {
        out = out.replace(pattern, (_match, kept: unknown) => (typeof kept === 'string' ? kept : '') + mask);
      }
      return out;
    },
  };
}

/**
 * Masks every occurrence of the given secrets in `text`. Shorthand for
 * `createRedactor(secrets).redact(text)`; build a redactor once when masking many texts.
 *
 * @example
 * ```ts
 * import { redact } from 'sre-kit/secrets';
 *
 * redact('login admin:hunter2 ok', ['hunter2']); // 'login admin:[REDACTED] ok'
 * ```
 */
export function redact(
  text: string,
  secrets: Iterable<string | Secret | undefined>,
  options?: RedactorOptions,
): string {
  return createRedactor(secrets, options).redact(text);
}

function formsOf(value: string): string[] {
  const forms = [
    value,
    encodeURIComponent(value),
    JSON.stringify(value).slice(1, -1),
    value.replace(/'/g, `'\\''`),
  ];
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  // Short base64 forms are too likely to match unrelated text to be worth masking.
  if (value.length >= 6) forms.push(base64, base64.replace(/=+$/, ''));
  return forms;
}

function maskRanges(text: string, needles: readonly string[], mask: string): string {
  const ranges: Array<[number, number]> = [];
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      ranges.push([at, at + needle.length]);
    }
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  let out = '';
  let cursor = 0;
  let [start, end] = ranges[0]!;
  for (const [from, to] of ranges) {
    if (from <= end) {
      end = Math.max(end, to);
      continue;
    }
    out += text.slice(cursor, start) + mask;
    cursor = end;
    start = from;
    end = to;
  }
  return out + text.slice(cursor, start) + mask + text.slice(end);
}
