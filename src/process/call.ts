import { CommandError } from '../errors/index.js';
import type { Secret } from '../secrets/secret.js';
import { type Command, isCommand } from './command.js';
import type { RunOptions } from './options.js';

/** A call of `run()` / `lines()` read into one shape, whichever overload was used. */
export interface ParsedCall {
  file: string;
  args: readonly string[];
  secrets: readonly Secret[];
  options: RunOptions | undefined;
}

/** Reads `(file, args?, options?)`, `(file, options?)` or `(command, options?)`. */
export function parseCall(
  fn: string,
  first: string | Command,
  second: readonly string[] | RunOptions | undefined,
  third: RunOptions | undefined,
): ParsedCall {
  if (isCommand(first)) {
    return {
      file: first.file,
      args: first.args,
      secrets: first.secrets,
      options: second as RunOptions | undefined,
    };
  }
  if (typeof first !== 'string' || first === '') {
    throw new CommandError(
      'SRE_COMMAND_USAGE',
      `${fn}(): the first argument must be a file name or cmd\`…\`, received ${describe(first)}`,
    );
  }
  const args = Array.isArray(second) ? (second as readonly unknown[]) : undefined;
  if (args === undefined && /\s/.test(first)) {
    const [file, ...rest] = first.trim().split(/\s+/);
    throw new CommandError(
      'SRE_COMMAND_USAGE',
      `${fn}(${JSON.stringify(first)}): sre-kit never runs a shell, so a command line in one string would be one file name. ` +
        `Pass the arguments as an array: ${fn}(${JSON.stringify(file)}, ${JSON.stringify(rest)}), or use cmd\`${first}\`. ` +
        `For shell features say so explicitly: ${fn}('bash', ['-c', script]).`,
    );
  }
  if (args?.some((arg) => typeof arg !== 'string')) {
    const index = args.findIndex((arg) => typeof arg !== 'string');
    throw new CommandError(
      'SRE_COMMAND_USAGE',
      `${fn}(): args[${index}] must be a string, received ${describe(args[index])}`,
    );
  }
  const withNul = [first, ...((args as string[] | undefined) ?? [])].findIndex((arg) => arg.includes('\0'));
  if (withNul !== -1) {
    const where = withNul === 0 ? 'the file name' : `args[${withNul - 1}]`;
    throw new CommandError(
      'SRE_COMMAND_USAGE',
      `${fn}(): ${where} contains a NUL byte, which no command line can carry`,
    );
  }
  return {
    file: first,
    args: (args as readonly string[] | undefined) ?? [],
    secrets: [],
    options: args === undefined ? (second as RunOptions | undefined) : third,
  };
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}
