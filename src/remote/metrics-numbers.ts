import { ConfigError } from '../errors/index.js';

/** An `SRE_DATA_INVALID` error for output a metric parser cannot read; shows the start of the text. */
export function invalidOutput(what: string, problem: string, text?: string): ConfigError {
  const trimmed = text?.trim();
  const shown =
    trimmed === undefined
      ? ''
      : `; got ${trimmed === '' ? '(empty)' : JSON.stringify(trimmed.length > 80 ? `${trimmed.slice(0, 80)}…` : trimmed)}`;
  return new ConfigError('SRE_DATA_INVALID', `Cannot parse ${what}: ${problem}${shown}`, {
    details: { what },
  });
}

/** `part / whole` in percent, rounded to two decimals; 0 when `whole` is 0. */
export function percentOf(part: number, whole: number): number {
  if (whole <= 0) return 0;
  return Math.round((part / whole) * 10_000) / 100;
}

/** Splits text into lines, `\r\n` or `\n`. */
export function splitLines(text: string): string[] {
  return text.split(/\r?\n/);
}
