import { type ParseArgsConfig, parseArgs } from 'node:util';
import type { ZodType, z } from 'zod';
import { ConfigError } from './classes.js';
import { fromZodError } from './zod.js';

/** What {@link parseCliArgs} takes: `node:util` parseArgs options and a zod schema for the values. */
export interface CliSpec<S extends ZodType> {
  /** The options, as `node:util`'s `parseArgs` takes them. */
  options: NonNullable<ParseArgsConfig['options']>;
  /** Validates and converts the parsed values (strings to numbers, dates, enums…). */
  schema: S;
  /**
   * Whether positional arguments are allowed.
   * @default false
   */
  allowPositionals?: boolean;
}

/**
 * Parses a script's arguments with `node:util`'s `parseArgs` and validates them with a zod
 * schema. Every problem is a `ConfigError` with code `SRE_USAGE` (exit 64) that names the
 * option: `Invalid arguments: --port: expected number, received "80a"`.
 *
 * @throws `SRE_USAGE` for an unknown option, a missing value or a value the schema refuses.
 *
 * @example
 * ```ts
 * import { z } from 'zod';
 * import { main, parseCliArgs } from 'sre-kit/errors';
 *
 * await main(async ({ argv }) => {
 *   const { values } = parseCliArgs(argv, {
 *     options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
 *     schema: z.object({ port: z.coerce.number().int().default(8080), help: z.boolean().default(false) }),
 *   });
 *   console.log(values.port);
 * });
 * ```
 */
export function parseCliArgs<S extends ZodType>(
  argv: readonly string[],
  spec: CliSpec<S>,
): { values: z.output<S>; positionals: string[] } {
  let parsed: { values: Record<string, unknown>; positionals: string[] };
  try {
    parsed = parseArgs({
      args: [...argv],
      options: spec.options,
      allowPositionals: spec.allowPositionals ?? false,
      strict: true,
    });
  } catch (error) {
    throw new ConfigError(
      'SRE_USAGE',
      `${(error as Error).message.replace(/\s*To specify an option argument.*$/s, '').replace(/\n/g, ' ')} (see --help)`,
      {
        cause: error,
      },
    );
  }
  const result = spec.schema.safeParse({ ...parsed.values });
  if (!result.success) {
    const usage = fromZodError(result.error, {
      source: 'arguments',
      input: parsed.values,
      code: 'SRE_USAGE',
    });
    const issues = usage.details.issues as Array<{ path: string; message: string }>;
    const named = issues.map(
      (issue) => `${issue.path === '(root)' ? '' : `--${issue.path}: `}${issue.message}`,
    );
    throw new ConfigError('SRE_USAGE', `Invalid arguments: ${named.join('; ')} (see --help)`, {
      cause: result.error,
      details: usage.details,
    });
  }
  return { values: result.data as z.output<S>, positionals: parsed.positionals };
}
