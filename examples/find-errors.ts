/**
 * Show the ERROR (and worse) lines of a log with their line numbers, like `grep -n`, but
 * with the levels decided exactly (JSON, logfmt and syslog lines included, no
 * "INFORMATION" false positives) and gzip read directly.
 *
 *   npx tsx examples/find-errors.ts /var/log/app.log.1.gz [--min-level WARNING] [--match timeout]
 */
import { ConfigError, main, parseCliArgs } from 'sre-kit/errors';
import { LEVELS, scanLog } from 'sre-kit/logs';
import { z } from 'zod';

const HELP = `Usage: find-errors <file> [--min-level ERROR] [--match <regex>] [--multiline]

Options:
  --min-level <level>  the lowest level shown: ${LEVELS.join(', ')} (default ERROR)
  --match <regex>      only entries whose text matches
  --multiline          show stack traces with the entry they belong to
  -h, --help           show this help`;

const Args = z.object({
  'min-level': z.enum(LEVELS).default('ERROR'),
  match: z.string().optional(),
  multiline: z.boolean().default(false),
  help: z.boolean().default(false),
});

await main(async ({ argv, signal }) => {
  const { values: args, positionals } = parseCliArgs(argv, {
    options: {
      'min-level': { type: 'string' },
      match: { type: 'string' },
      multiline: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    schema: Args,
    allowPositionals: true,
  });
  if (args.help) return console.log(HELP);
  if (positionals.length !== 1) throw new ConfigError('SRE_USAGE', 'Give exactly one log file (see --help)');
  let match: RegExp | undefined;
  try {
    match = args.match === undefined ? undefined : new RegExp(args.match);
  } catch (error) {
    throw new ConfigError(
      'SRE_USAGE',
      `--match is not a valid regular expression: ${(error as Error).message}`,
    );
  }
  for await (const entry of scanLog(positionals[0]!, {
    minLevel: args['min-level'],
    multiline: args.multiline,
    signal,
    ...(match ? { match } : {}),
  })) {
    console.log(`${entry.lineNumber}:${entry.level}: ${entry.text}`);
  }
});
