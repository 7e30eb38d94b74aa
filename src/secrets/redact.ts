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
  // A value may be shell-quoted, as `run()` shows it: `--password 'it'\''s'`.
  /(--?(?:password|passwd|pass|token|secret|api[-_]?key|access[-_]?key|client[-_]?secret)[=\s]+)(?:'(?:[^'\n]|'\\'')*'|"[^"\n]*"|[^\s'"]+)/gi,
  /((?:password|passwd|token|secret|api[-_]?key)["']?\s*[:=]\s*["']?)[^\s"'&,;]+/gi,
  // At least 8 token characters, so that prose ("the Bearer of bad news") stays as it is.
  /(\bBearer\s+)[A-Za-z0-9._~+/-]{8,}=*/gi,
  /\b(?:AKIA|ASIA)[A-Z0-9]{16}\b/g,
  // A block cut short (bounded output) is masked to the end of the text.
  /-----BEGIN [A-Z ]*PRIVATE KEY-----(?:[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----|[\s\S]*)/g,
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
  // String.replace with a non-global pattern replaces only the first match.
  const patterns = (options.patterns === true ? CREDENTIAL_PATTERNS : options.patterns || []).map(
    (pattern) => (pattern.global ? pattern : new RegExp(pattern.source, `${pattern.flags}g`)),
  );
  return {
    isEmpty: sorted.length === 0 && patterns.length === 0,
    redact(text: string): string {
      let out = sorted.length > 0 ? maskValues(text, sorted, mask) : text;
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
  const forms = [value, JSON.stringify(value).slice(1, -1), value.replace(/'/g, `'\\''`)];
  try {
    forms.push(encodeURIComponent(value));
  } catch {
    // A lone surrogate (not well-formed UTF-16) has no URL encoding.
  }
  const base64 = Buffer.from(value, 'utf8').toString('base64');
  // Short base64 forms are too likely to match unrelated text to be worth masking.
  if (value.length >= 6) forms.push(base64, base64.replace(/=+$/, ''));
  return forms;
}

type Span = [from: number, to: number];

/**
 * `text` with every occurrence of every needle masked; occurrences that overlap or touch
 * share one mask. A mask can form a needle with the text beside it (`]a` masked in
 * `]aa` gives `[REDACTED]a`): such a span is grown over the text the needle reaches and
 * the result checked again. Every round masks at least one more character of `text`, so
 * it ends; a needle found wholly inside one mask (a secret such as `RED`) cannot be helped.
 */
function maskValues(text: string, needles: readonly string[], mask: string): string {
  const reach = Math.max(...needles.map((needle) => needle.length)) - 1;
  let spans = occurrences(text, needles);
  for (;;) {
    if (spans.length === 0) return text;
    spans = merge(spans);
    // Settling each mask with its neighbours first keeps a chain (`]aaaa…`) to one round.
    spans.forEach((span, index) => {
      settle(
        span,
        text,
        needles,
        mask,
        spans[index - 1]?.[1] ?? 0,
        spans[index + 1]?.[0] ?? text.length,
        reach,
      );
    });
    spans = merge(spans);
    let out = '';
    const starts: number[] = []; // where each span's mask starts in `out`
    let cursor = 0;
    for (const [from, to] of spans) {
      out += text.slice(cursor, from);
      starts.push(out.length);
      out += mask;
      cursor = to;
    }
    out += text.slice(cursor);
    // The span whose mask covers `out[at]`, or the index in `text` of that plain character.
    const locate = (at: number): Span | number => {
      let low = 0;
      let high = starts.length - 1;
      while (low < high) {
        const middle = Math.ceil((low + high) / 2);
        if (starts[middle]! <= at) low = middle;
        else high = middle - 1;
      }
      const start = starts[low]!;
      if (at < start) return at;
      const span = spans[low]!;
      return at < start + mask.length ? span : span[1] + (at - start - mask.length);
    };
    const grown: Span[] = [];
    for (const [from, to] of occurrences(out, needles)) {
      const first = locate(from);
      const last = locate(to - 1);
      if (first === last && typeof first !== 'number') continue;
      grown.push([
        typeof first === 'number' ? first : first[0],
        typeof last === 'number' ? last + 1 : last[1],
      ]);
    }
    if (grown.length === 0) return out;
    spans.push(...grown);
  }
}

/**
 * Grows `span` while its mask forms a needle with the plain text beside it, `reach`
 * characters each way but not past `low` and `high`, where the neighbouring masks are.
 */
function settle(
  span: Span,
  text: string,
  needles: readonly string[],
  mask: string,
  low: number,
  high: number,
  reach: number,
): void {
  for (;;) {
    const before = text.slice(Math.max(low, span[0] - reach), span[0]);
    const after = text.slice(span[1], Math.min(high, span[1] + reach));
    const maskEnd = before.length + mask.length;
    let [from, to] = span;
    for (const [start, end] of occurrences(before + mask + after, needles)) {
      if (start < before.length) from = Math.min(from, span[0] - before.length + start);
      if (end > maskEnd) to = Math.max(to, span[1] + end - maskEnd);
    }
    if (from === span[0] && to === span[1]) return;
    span[0] = from;
    span[1] = to;
  }
}

function occurrences(text: string, needles: readonly string[]): Span[] {
  const found: Span[] = [];
  for (const needle of needles) {
    for (let at = text.indexOf(needle); at !== -1; at = text.indexOf(needle, at + 1)) {
      found.push([at, at + needle.length]);
    }
  }
  return found;
}

/** Sorted spans, those that overlap or touch joined into one. */
function merge(spans: Span[]): Span[] {
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const [from, to] of spans) {
    const last = merged.at(-1);
    if (last !== undefined && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}
