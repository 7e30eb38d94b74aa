import { CommandError } from '../errors/index.js';
import { isSecret, type Secret } from '../secrets/secret.js';

const COMMAND_BRAND = Symbol.for('sre-kit.Command');

/** A command split into its executable and arguments, made by {@link cmd}. */
export interface Command {
  readonly file: string;
  readonly args: readonly string[];
  /** Secrets interpolated into the command; masked wherever the command is shown. */
  readonly secrets: readonly Secret[];
  readonly [COMMAND_BRAND]: true;
}

/** A value that may be interpolated into {@link cmd}. */
export type CommandValue = string | number | bigint | Secret | readonly (string | number | bigint | Secret)[];

/**
 * Builds a command from a template without a shell: the static text is split on
 * whitespace, and each interpolated value becomes exactly one argument (an array becomes
 * one argument per element). Nothing is expanded, globbed or unquoted: the static text is
 * taken as written (raw), so quotes and backslashes in it are literal characters. A value written against static text joins it
 * (`--ref=${ref}` is one argument). A `Secret` is passed revealed and masked in every
 * display of the command.
 *
 * @example
 * ```ts
 * import { cmd, run } from 'sre-kit/process';
 *
 * const path = 'docs/my notes.md; rm -rf /';
 * await run(cmd`git log -n 1 -- ${path}`); // git receives the path as one argument
 * ```
 */
export function cmd(strings: TemplateStringsArray, ...values: CommandValue[]): Command {
  const tokens: string[] = [];
  const secrets: Secret[] = [];
  let current: string | undefined;
  const push = () => {
    if (current !== undefined) tokens.push(current);
    current = undefined;
  };
  const addText = (text: string) => {
    const parts = text.split(/[ \t\r\n]+/);
    parts.forEach((part, index) => {
      if (index > 0) push();
      if (part !== '') current = (current ?? '') + part;
    });
  };
  strings.raw.forEach((text, index) => {
    addText(text);
    if (index >= values.length) return;
    const items = toArguments(values[index], index, secrets);
    items.forEach((item, itemIndex) => {
      if (itemIndex > 0) push();
      current = (current ?? '') + item;
    });
  });
  push();
  const [file, ...args] = tokens;
  if (file === undefined)
    throw new CommandError('SRE_COMMAND_USAGE', 'cmd`…`: the template names no command');
  return Object.freeze({
    file,
    args: Object.freeze(args),
    secrets: Object.freeze(secrets),
    [COMMAND_BRAND]: true as const,
  });
}

/** Whether `value` was made by {@link cmd}. */
export function isCommand(value: unknown): value is Command {
  return (
    typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[COMMAND_BRAND] === true
  );
}

function toArguments(value: unknown, index: number, secrets: Secret[]): string[] {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  return list.map((item) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'bigint') return String(item);
    if (isSecret(item)) {
      secrets.push(item);
      return item.reveal();
    }
    throw new CommandError(
      'SRE_COMMAND_USAGE',
      `cmd\`…\`: value \${${index}} is ${item === null ? 'null' : typeof item}; expected a string, number, Secret or an array of them`,
    );
  });
}

/** Quotes one argument for a POSIX shell, so a displayed command can be copied and pasted. */
export function quoteArgument(argument: string): string {
  if (argument === '') return "''";
  if (/^[\w@%+=:,./-]+$/.test(argument)) return argument;
  return `'${argument.replace(/'/g, `'\\''`)}'`;
}

/** The shell-quoted display form of a command (not redacted). */
export function formatCommand(file: string, args: readonly string[]): string {
  return [file, ...args].map(quoteArgument).join(' ');
}
